//! Redis implementation of every store of the credential lifecycle (feature `redis`),
//! on one server or on a Redis Cluster (`connection.rs`).
//!
//! Key layout under the prefix `P` (each key has a TTL, so nothing grows without bound):
//!
//! | key | value |
//! |---|---|
//! | `P:rv:{<jti>}` | revoked access token (until its expiry + 60 s) |
//! | `P:rf:{<family handle>}` | family hash: `u` grant, `g` generation, `c` hex of the current token hash, `r` revoked, `d` absolute deadline (ms since the epoch) — one key per family, however often it rotates |
//! | `P:ss:{<hex of session id hash>}` | session hash: `u` user id, `x` CSRF token, `c`/`m` creation time |
//! | `P:th:{<hex of SHA-256 of the key>}` | failure counter, expiring at the end of its window |
//! | `P:{co}:u:<user id>`, `P:{co}:all` | cut-off in ms since the epoch: that user's (or every user's) credentials issued before it are revoked; kept until they have all expired (`cut_offs.rs`) |
//!
//! The braces are a Redis Cluster hash tag: a key's slot is decided by the one entity it
//! holds (a token, a family, a session, a throttle key), so the keys spread over all the
//! masters of a cluster. (Keys had no braces before the cluster support; nothing is meant
//! to persist across versions, but a store upgraded in place no longer sees the older
//! keys, which then expire by themselves.) A prefix with a hash tag of its own
//! (`my{app}`) puts every key in that tag's one slot: still correct, but on one master.
//! The cut-offs share one tag (`{co}`) so that a single `MGET` reads a user's and
//! every user's: they sit on one master, read once per request.
//!
//! Operations that read and write a key in several steps run as one Lua script, so
//! they are atomic across processes. Every script and command touches exactly one key,
//! the one it is given, so each runs on the master of that key's slot (Redis Cluster
//! compatible); an operation on several keys would have to give them one hash tag.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

mod connection;
mod cut_offs;
mod scripts;

use connection::{Connection, bounded};
use scripts::*;

use async_trait::async_trait;
use redis::{AsyncCommands, Script};
use sha2::{Digest, Sha256};

use crate::store::{RefreshStore, Rotation, SecretHash, SessionRecord, SessionStore, ThrottleStore};
use crate::store::{Revocation, RevocationStore, StoreError};

/// How long a revoked `jti` outlives its token (clock leeway), as in the in-memory store.
const REVOCATION_LEEWAY: Duration = Duration::from_secs(60);
/// TTLs are capped at 100 years: Lua formats larger numbers with an exponent.
const MAX_TTL_MS: u64 = 100 * 365 * 24 * 3600 * 1000;

/// The [`RevocationStore`], [`RefreshStore`], [`SessionStore`] and [`ThrottleStore`]
/// of several server processes: one Redis server or one Redis Cluster, shared through a
/// key prefix.
///
/// Every method is one atomic Redis command or Lua script, every key expires, and
/// refresh tokens and session ids appear only as the hex of their SHA-256. When Redis
/// cannot answer, every method returns a [`StoreError`] within about a second (the
/// request then gets 503); the connection is re-established in the background once
/// Redis is back, without rebuilding anything. On a cluster ([`RedisStore::connect_cluster`])
/// each call goes to the master owning its key, and the keys spread over the masters.
///
/// Cloning is cheap and shares the connection.
///
/// ```no_run
/// use portcullis::{AuthUser, Portcullis, RedisStore};
/// # #[derive(Clone, AuthUser)]
/// # struct User { #[auth_user(id)] id: i64 }
/// # async fn example(users: portcullis::InMemoryUserStore<User>) -> Result<(), Box<dyn std::error::Error>> {
/// let store = RedisStore::connect("redis://127.0.0.1:6379", "myapp").await?;
/// let auth: Portcullis<User> = Portcullis::builder(users).stores(store).build()?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct RedisStore {
    conn: Connection,
    prefix: Arc<str>,
}

impl fmt::Debug for RedisStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisStore")
            .field("prefix", &self.prefix)
            .finish_non_exhaustive()
    }
}

impl RedisStore {
    /// The key prefix given at construction.
    ///
    /// ```no_run
    /// # async fn example() -> Result<(), portcullis::StoreError> {
    /// let store = portcullis::RedisStore::connect("redis://127.0.0.1", "myapp").await?;
    /// assert_eq!(store.prefix(), "myapp");
    /// # Ok(()) }
    /// ```
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    fn key(&self, kind: &str, id: &str) -> String {
        key(&self.prefix, kind, id)
    }

    async fn run<T>(
        &self,
        what: &'static str,
        script: &Script,
        keys: &[String],
        args: &[String],
    ) -> Result<T, StoreError>
    where
        T: redis::FromRedisValue,
    {
        let mut invocation = script.prepare_invoke();
        for key in keys {
            invocation.key(key);
        }
        for arg in args {
            invocation.arg(arg);
        }
        let mut conn = self.conn.clone();
        bounded(what, async move { invocation.invoke_async(&mut conn).await }).await
    }
}

/// `P:kind:{id}`: the id is the key's hash tag, so it alone decides the key's cluster
/// slot (see the module documentation). An id with a `}` of its own (a `jti` could have
/// one) shortens its tag, which moves the key to another slot but keeps it one key.
fn key(prefix: &str, kind: &str, id: &str) -> String {
    format!("{prefix}:{kind}:{{{id}}}")
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[usize::from(b >> 4)] as char);
        s.push(DIGITS[usize::from(b & 0xf)] as char);
    }
    s
}

/// Whole milliseconds, rounded up, at least 1 (Redis refuses a zero TTL), at most 100 years.
fn millis(d: Duration) -> u64 {
    let ms = d.as_nanos().div_ceil(1_000_000);
    u64::try_from(ms).unwrap_or(u64::MAX).clamp(1, MAX_TTL_MS)
}

fn since_epoch(t: SystemTime) -> Result<Duration, StoreError> {
    t.duration_since(UNIX_EPOCH)
        .map_err(|_| StoreError::new("redis session: creation time before 1970"))
}

fn corrupt(what: &str) -> StoreError {
    StoreError::new(format!("redis {what}: unexpected reply"))
}

fn counter(n: i64, ttl_ms: i64) -> (u32, Duration) {
    let n = u32::try_from(n.max(0)).unwrap_or(u32::MAX);
    (n, Duration::from_millis(u64::try_from(ttl_ms).unwrap_or(0)))
}

#[async_trait]
impl RevocationStore for RedisStore {
    async fn revoke(&self, jti: &str, until: SystemTime) -> Result<(), StoreError> {
        let until = until.checked_add(REVOCATION_LEEWAY).unwrap_or(until);
        let Ok(left) = until.duration_since(SystemTime::now()) else {
            return Ok(()); // expired (with leeway) already: refused anyway
        };
        let key = self.key("rv", jti);
        let mut conn = self.conn.clone();
        bounded("revoke", async move {
            conn.pset_ex::<_, _, ()>(key, 1u8, millis(left)).await
        })
        .await
    }

    async fn is_revoked(&self, jti: &str) -> Result<bool, StoreError> {
        let key = self.key("rv", jti);
        let mut conn = self.conn.clone();
        bounded("is_revoked", async move { conn.exists(key).await }).await
    }

    async fn revoke_issued_before(
        &self,
        subject: Option<&str>,
        before: SystemTime,
        until: SystemTime,
    ) -> Result<(), StoreError> {
        self.set_cut_off(subject, before, until).await
    }

    async fn issued_before(&self, subject: Option<&str>) -> Result<Option<SystemTime>, StoreError> {
        self.cut_off(subject).await
    }

    async fn check(&self, ids: &[&str], subject: Option<&str>) -> Result<Revocation, StoreError> {
        let keys = ids.iter().map(|id| self.key("rv", id)).collect();
        match self.check_at_once(keys, subject).await {
            Some(answer) => answer,
            None => crate::store::check_one_by_one(self, ids, subject).await,
        }
    }
}

#[async_trait]
impl RefreshStore for RedisStore {
    async fn start(
        &self,
        family: &str,
        grant: &str,
        token: &SecretHash,
        ttl: Duration,
        lifetime: Duration,
    ) -> Result<(), StoreError> {
        let now = since_epoch(SystemTime::now())?;
        let deadline = now.as_millis() + u128::from(millis(lifetime));
        let keys = [self.key("rf", family)];
        let args = [
            grant.to_owned(),
            hex(token),
            millis(ttl.min(lifetime)).to_string(),
            deadline.to_string(),
        ];
        self.run::<i64>("refresh start", &START, &keys, &args)
            .await
            .map(drop)
    }

    async fn rotate(
        &self,
        family: &str,
        generation: u64,
        presented: &SecretHash,
        next: &SecretHash,
        ttl: Duration,
    ) -> Result<Rotation, StoreError> {
        let now = since_epoch(SystemTime::now())?;
        let keys = [self.key("rf", family)];
        let args = [
            generation.to_string(),
            hex(presented),
            hex(next),
            millis(ttl).to_string(),
            now.as_millis().to_string(),
        ];
        let reply: Vec<String> = self.run("refresh rotate", &ROTATE, &keys, &args).await?;
        let mut reply = reply.into_iter();
        match (reply.next().as_deref(), reply.next(), reply.next()) {
            (Some("rotated"), Some(grant), None) => Ok(Rotation::Rotated {
                grant,
                family: family.to_owned(),
            }),
            (Some("reused"), None, None) => Ok(Rotation::Reused {
                family: family.to_owned(),
            }),
            (Some("invalid"), None, None) => Ok(Rotation::Invalid),
            _ => Err(corrupt("refresh rotate")),
        }
    }

    async fn current_grant(
        &self,
        family: &str,
        generation: u64,
        presented: &SecretHash,
    ) -> Result<Option<String>, StoreError> {
        let keys = [self.key("rf", family)];
        let args = [generation.to_string(), hex(presented)];
        self.run("refresh current_grant", &CURRENT_GRANT, &keys, &args)
            .await
    }

    async fn revoke_family(&self, family: &str) -> Result<bool, StoreError> {
        let keys = [self.key("rf", family)];
        self.run::<i64>("refresh revoke_family", &REVOKE_FAMILY, &keys, &[])
            .await
            .map(|n| n == 1)
    }
}

#[async_trait]
impl SessionStore for RedisStore {
    async fn create(
        &self,
        id: &SecretHash,
        record: &SessionRecord,
        idle: Duration,
    ) -> Result<(), StoreError> {
        let created = since_epoch(record.created)?;
        let keys = [self.key("ss", &hex(id))];
        let args = [
            record.user_id.clone(),
            record.csrf_token.clone(),
            format!("{}.{:09}", created.as_secs(), created.subsec_nanos()),
            created.as_millis().to_string(),
            millis(idle).to_string(),
        ];
        self.run::<i64>("session create", &SESSION_CREATE, &keys, &args)
            .await
            .map(drop)
    }

    async fn touch(
        &self,
        id: &SecretHash,
        idle: Duration,
        absolute: Duration,
    ) -> Result<Option<SessionRecord>, StoreError> {
        let now = since_epoch(SystemTime::now())?;
        let keys = [self.key("ss", &hex(id))];
        let args = [
            now.as_millis().to_string(),
            millis(idle).to_string(),
            millis(absolute).to_string(),
        ];
        let reply: Option<Vec<String>> = self.run("session touch", &SESSION_TOUCH, &keys, &args).await?;
        let Some(reply) = reply else { return Ok(None) };
        let [user_id, csrf_token, created] =
            <[String; 3]>::try_from(reply).map_err(|_| corrupt("session touch"))?;
        let created = parse_time(&created).ok_or_else(|| corrupt("session touch"))?;
        Ok(Some(SessionRecord {
            user_id,
            csrf_token,
            created,
        }))
    }

    async fn take(&self, id: &SecretHash, absolute: Duration) -> Result<Option<SessionRecord>, StoreError> {
        let now = since_epoch(SystemTime::now())?;
        let keys = [self.key("ss", &hex(id))];
        let args = [now.as_millis().to_string(), millis(absolute).to_string()];
        let reply: Option<Vec<String>> = self.run("session take", &SESSION_TAKE, &keys, &args).await?;
        let Some(reply) = reply else { return Ok(None) };
        let [user_id, csrf_token, created] =
            <[String; 3]>::try_from(reply).map_err(|_| corrupt("session take"))?;
        let created = parse_time(&created).ok_or_else(|| corrupt("session take"))?;
        Ok(Some(SessionRecord {
            user_id,
            csrf_token,
            created,
        }))
    }

    async fn destroy(&self, id: &SecretHash) -> Result<(), StoreError> {
        let key = self.key("ss", &hex(id));
        let mut conn = self.conn.clone();
        bounded("session destroy", async move { conn.del::<_, ()>(key).await }).await
    }
}

/// `secs.nanos` since the epoch, as written by `create`.
fn parse_time(text: &str) -> Option<SystemTime> {
    let (secs, nanos) = text.split_once('.')?;
    let since = Duration::new(
        secs.parse().ok()?,
        nanos.parse().ok().filter(|n| *n < 1_000_000_000)?,
    );
    UNIX_EPOCH.checked_add(since)
}

#[async_trait]
impl ThrottleStore for RedisStore {
    async fn record_failure(&self, key: &str, window: Duration) -> Result<(u32, Duration), StoreError> {
        // Throttle keys are user input (a username, an address): hashed, so bounded and not stored as such.
        let keys = [self.key("th", &hex(&Sha256::digest(key.as_bytes())))];
        let args = [millis(window).to_string()];
        let (n, ttl): (i64, i64) = self
            .run("throttle record_failure", &THROTTLE_RECORD, &keys, &args)
            .await?;
        Ok(counter(n, ttl))
    }

    async fn forgive(&self, key: &str) -> Result<(), StoreError> {
        let keys = [self.key("th", &hex(&Sha256::digest(key.as_bytes())))];
        self.run::<i64>("throttle forgive", &THROTTLE_FORGIVE, &keys, &[])
            .await
            .map(drop)
    }

    async fn failures(&self, key: &str) -> Result<(u32, Duration), StoreError> {
        let keys = [self.key("th", &hex(&Sha256::digest(key.as_bytes())))];
        let (n, ttl): (i64, i64) = self.run("throttle failures", &THROTTLE_READ, &keys, &[]).await?;
        Ok(counter(n, ttl))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodings() {
        assert_eq!(hex(&[0x00, 0x0f, 0xa5, 0xff]), "000fa5ff");
        assert_eq!(millis(Duration::ZERO), 1);
        assert_eq!(millis(Duration::from_micros(1500)), 2);
        assert_eq!(millis(Duration::from_secs(2)), 2000);
        assert_eq!(millis(Duration::MAX), MAX_TTL_MS);
        let t = UNIX_EPOCH + Duration::new(1_700_000_000, 123_456_789);
        let d = since_epoch(t).unwrap();
        assert_eq!(
            parse_time(&format!("{}.{:09}", d.as_secs(), d.subsec_nanos())),
            Some(t)
        );
        assert_eq!(parse_time("12"), None);
        assert_eq!(parse_time("1.1000000000"), None);
        assert_eq!(counter(-1, -2), (0, Duration::ZERO));
        assert_eq!(counter(i64::MAX, 1500), (u32::MAX, Duration::from_millis(1500)));
    }

    /// The hash tag as Redis Cluster reads it: from the first `{` to the first `}` after
    /// it, when not empty.
    fn hash_tag(key: &str) -> Option<&str> {
        let open = key.find('{')?;
        let close = key[open + 1..].find('}')?;
        Some(&key[open + 1..open + 1 + close]).filter(|tag| !tag.is_empty())
    }

    #[test]
    fn every_key_is_hash_tagged_by_its_entity() {
        use redis::cluster_routing::Slot;

        let ids = [
            "5f1c2e".to_owned(),
            "jti-0".to_owned(),
            hex(&Sha256::digest(b"alice")),
            "a:b:c".to_owned(),
        ];
        for prefix in ["myapp", "portcullis-test:1234:18f:7", ""] {
            for kind in ["rv", "rf", "ss", "th"] {
                for id in &ids {
                    let key = key(prefix, kind, id);
                    assert_eq!(key, format!("{prefix}:{kind}:{{{id}}}"));
                    // One tag, the id: the prefix and kind are outside it.
                    assert_eq!(key.matches('{').count(), 1, "{key}");
                    assert_eq!(key.matches('}').count(), 1, "{key}");
                    assert_eq!(hash_tag(&key), Some(id.as_str()), "{key}");
                    // The client routes the key by the id alone, whatever prefix and kind.
                    assert_eq!(Slot::for_key(&key), Slot::for_key(id), "{key}");
                }
            }
        }
        // Different entities spread over slots (a tag over the prefix would not).
        let slots: std::collections::HashSet<Slot> = (0..64)
            .map(|n| Slot::for_key(key("myapp", "ss", &n.to_string())))
            .collect();
        assert!(slots.len() > 32, "{} slots for 64 keys", slots.len());
        // A stray `}` in an id shortens the tag: still one key, in one slot.
        assert_eq!(hash_tag(&key("p", "rv", "a}b")), Some("a"));
    }
}
