//! "Everything issued before T" in Redis: one key per user with a cut-off and one for
//! every user, under one hash tag so that a single `MGET` reads both (also on Redis
//! Cluster). Each key expires when every credential it ends has expired.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use redis::AsyncCommands;

use super::connection::Connection;
use super::scripts::CUT_OFF;
use super::{RedisStore, bounded, corrupt, millis};
use crate::store::Revocation;
use crate::store::StoreError;

impl RedisStore {
    /// `P:{co}:u:<subject>` for one user, `P:{co}:all` for every user.
    fn cut_off_key(&self, subject: Option<&str>) -> String {
        match subject {
            Some(subject) => format!("{}:{{co}}:u:{subject}", self.prefix),
            None => format!("{}:{{co}}:all", self.prefix),
        }
    }

    pub(super) async fn set_cut_off(
        &self,
        subject: Option<&str>,
        before: SystemTime,
        until: SystemTime,
    ) -> Result<(), StoreError> {
        let Ok(left) = until.duration_since(SystemTime::now()) else {
            return Ok(()); // everything it would end has expired already
        };
        let before = before
            .duration_since(UNIX_EPOCH)
            .map_err(|_| StoreError::new("redis cut-off: time before 1970"))?;
        let keys = [self.cut_off_key(subject)];
        let args = [before.as_millis().to_string(), millis(left).to_string()];
        self.run::<i64>("revoke_issued_before", &CUT_OFF, &keys, &args)
            .await
            .map(drop)
    }

    /// [`RevocationStore::check`](crate::RevocationStore::check) in one round trip on
    /// one server (`MGET` of the revoked ids and both cut-offs); `None` on a cluster,
    /// where the keys live in different slots (the caller then asks one by one).
    pub(super) async fn check_at_once(
        &self,
        revoked_keys: Vec<String>,
        subject: Option<&str>,
    ) -> Option<Result<Revocation, StoreError>> {
        let Connection::Single(_) = &self.conn else {
            return None;
        };
        let ids = revoked_keys.len();
        let mut keys = revoked_keys;
        keys.extend(subject.map(|s| self.cut_off_key(Some(s))));
        keys.push(self.cut_off_key(None));
        let mut conn = self.conn.clone();
        let found: Result<Vec<Option<String>>, StoreError> =
            bounded("check", async move { conn.mget(&keys).await }).await;
        Some(found.and_then(|found| {
            let (revoked, cut_offs) = found.split_at(ids.min(found.len()));
            Ok(Revocation {
                revoked: revoked.iter().any(Option::is_some),
                issued_before: latest("check", cut_offs)?,
            })
        }))
    }

    pub(super) async fn cut_off(&self, subject: Option<&str>) -> Result<Option<SystemTime>, StoreError> {
        let mut conn = self.conn.clone();
        let found: Vec<Option<String>> = match subject {
            Some(_) => {
                let keys = [self.cut_off_key(subject), self.cut_off_key(None)];
                bounded("issued_before", async move { conn.mget(&keys).await }).await?
            }
            None => {
                let key = self.cut_off_key(None);
                vec![bounded("issued_before", async move { conn.get(key).await }).await?]
            }
        };
        latest("issued_before", &found)
    }
}

/// The latest of the cut-offs read (ms since the epoch), `None` when no key was set.
fn latest(what: &str, found: &[Option<String>]) -> Result<Option<SystemTime>, StoreError> {
    let mut latest = None;
    for ms in found.iter().flatten() {
        let ms: u64 = ms.parse().map_err(|_| corrupt(what))?;
        latest = latest.max(Some(UNIX_EPOCH + Duration::from_millis(ms)));
    }
    Ok(latest)
}
