//! A gate's view of its stores: every call under the gate's store time limit
//! (`timed.rs`), and every key that names a grant or a user put under the
//! gate's realm namespace, so that two user types sharing one store (one `RedisStore`,
//! one `Arc` of an in-memory store) never read each other's refresh families, sessions,
//! single-use tokens, throttle counters or per-user cut-offs. Works over any store
//! implementation: the stores themselves know nothing of realms.
//!
//! Left as they are: revoked token ids (`jti`, refresh-family marks) — random and unique,
//! they can only end a credential, never grant one, and an operator revoking a `jti` in the
//! store reaches every gate — and the cut-off for every user (`None`), which ends the
//! credentials of every realm sharing the store (a compromised signing key is shared too).

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use async_trait::async_trait;
use sha2::{Digest, Sha256};

use super::timed::within;
use super::{
    RefreshStore, Revocation, RevocationStore, Rotation, SecretHash, SessionRecord, SessionStore, StoreError,
    ThrottleStore,
};

/// Keys up to this long are put together on the stack: a namespace (16) and a subject
/// (at most 256 bytes, `jwt/rules.rs`) with the colon between, the JWT path's case.
const INLINE: usize = 16 + 1 + 256;

/// `namespace:key`. The namespace has a fixed length, so the key is read one way only;
/// short keys (every token subject) are put together without a heap allocation.
// Large on purpose: the inline buffer is what spares the allocation boxing would make.
#[allow(clippy::large_enum_variant)]
pub(crate) enum ScopedKey {
    Inline { bytes: [u8; INLINE], len: usize },
    Heap(String),
}

impl ScopedKey {
    pub(crate) fn new(namespace: &str, key: &str) -> ScopedKey {
        let len = namespace.len() + 1 + key.len();
        if len > INLINE {
            return ScopedKey::Heap(format!("{namespace}:{key}"));
        }
        let mut bytes = [0; INLINE];
        bytes[..namespace.len()].copy_from_slice(namespace.as_bytes());
        bytes[namespace.len()] = b':';
        bytes[namespace.len() + 1..len].copy_from_slice(key.as_bytes());
        ScopedKey::Inline { bytes, len }
    }

    pub(crate) fn as_str(&self) -> &str {
        match self {
            // Two `str`s joined by an ASCII byte are UTF-8.
            ScopedKey::Inline { bytes, len } => {
                std::str::from_utf8(&bytes[..*len]).expect("UTF-8 by construction")
            }
            ScopedKey::Heap(key) => key,
        }
    }
}

/// The store `inner` seen by the gate of one realm (`namespace`: the realm's fixed-length
/// namespace, see `realm.rs`), each call bounded by `limit`.
pub(crate) struct Scoped<T: ?Sized> {
    inner: Arc<T>,
    namespace: Arc<str>,
    limit: Duration,
}

impl<T: ?Sized> Scoped<T> {
    pub(crate) fn new(inner: Arc<T>, namespace: &Arc<str>, limit: Duration) -> Arc<Self> {
        Arc::new(Scoped {
            inner,
            namespace: Arc::clone(namespace),
            limit,
        })
    }

    /// `namespace:key` (see [`ScopedKey`]).
    fn key(&self, key: &str) -> ScopedKey {
        ScopedKey::new(&self.namespace, key)
    }

    /// A hash key (session id, single-use token) hashed again under the namespace.
    fn hash(&self, id: &SecretHash) -> SecretHash {
        let mut digest = Sha256::new();
        digest.update(b"portcullis realm\n");
        digest.update(self.namespace.as_bytes());
        digest.update(b"\n");
        digest.update(id);
        digest.finalize().into()
    }
}

#[async_trait]
impl RevocationStore for Scoped<dyn RevocationStore> {
    async fn revoke(&self, jti: &str, until: SystemTime) -> Result<(), StoreError> {
        within(self.limit, "revoke", self.inner.revoke(jti, until)).await
    }
    async fn is_revoked(&self, jti: &str) -> Result<bool, StoreError> {
        within(self.limit, "is_revoked", self.inner.is_revoked(jti)).await
    }
    async fn revoke_issued_before(
        &self,
        subject: Option<&str>,
        before: SystemTime,
        until: SystemTime,
    ) -> Result<(), StoreError> {
        let subject = subject.map(|s| self.key(s));
        let call = self
            .inner
            .revoke_issued_before(subject.as_ref().map(ScopedKey::as_str), before, until);
        within(self.limit, "revoke_issued_before", call).await
    }
    async fn issued_before(&self, subject: Option<&str>) -> Result<Option<SystemTime>, StoreError> {
        let subject = subject.map(|s| self.key(s));
        let call = self.inner.issued_before(subject.as_ref().map(ScopedKey::as_str));
        within(self.limit, "issued_before", call).await
    }
    async fn check(&self, ids: &[&str], subject: Option<&str>) -> Result<Revocation, StoreError> {
        let subject = subject.map(|s| self.key(s));
        let call = self.inner.check(ids, subject.as_ref().map(ScopedKey::as_str));
        within(self.limit, "check", call).await
    }
}

#[async_trait]
impl RefreshStore for Scoped<dyn RefreshStore> {
    async fn start(
        &self,
        family: &str,
        grant: &str,
        token: &SecretHash,
        ttl: Duration,
        lifetime: Duration,
    ) -> Result<(), StoreError> {
        let family = self.key(family);
        let call = self.inner.start(family.as_str(), grant, token, ttl, lifetime);
        within(self.limit, "start", call).await
    }
    async fn current_grant(
        &self,
        family: &str,
        generation: u64,
        presented: &SecretHash,
    ) -> Result<Option<String>, StoreError> {
        let family = self.key(family);
        let call = self.inner.current_grant(family.as_str(), generation, presented);
        within(self.limit, "current_grant", call).await
    }
    async fn rotate(
        &self,
        family: &str,
        generation: u64,
        presented: &SecretHash,
        next: &SecretHash,
        ttl: Duration,
    ) -> Result<Rotation, StoreError> {
        // The family named in the answer is the caller's, not the store's key.
        let key = self.key(family);
        let call = self.inner.rotate(key.as_str(), generation, presented, next, ttl);
        let rotation = within(self.limit, "rotate", call).await?;
        Ok(match rotation {
            Rotation::Rotated { grant, .. } => Rotation::Rotated {
                grant,
                family: family.to_owned(),
            },
            Rotation::Reused { .. } => Rotation::Reused {
                family: family.to_owned(),
            },
            Rotation::Invalid => Rotation::Invalid,
        })
    }
    async fn revoke_family(&self, family: &str) -> Result<bool, StoreError> {
        let family = self.key(family);
        within(
            self.limit,
            "revoke_family",
            self.inner.revoke_family(family.as_str()),
        )
        .await
    }
}

#[async_trait]
impl SessionStore for Scoped<dyn SessionStore> {
    async fn create(
        &self,
        id: &SecretHash,
        record: &SessionRecord,
        idle: Duration,
    ) -> Result<(), StoreError> {
        let id = self.hash(id);
        within(self.limit, "create", self.inner.create(&id, record, idle)).await
    }
    async fn touch(
        &self,
        id: &SecretHash,
        idle: Duration,
        absolute: Duration,
    ) -> Result<Option<SessionRecord>, StoreError> {
        let id = self.hash(id);
        within(self.limit, "touch", self.inner.touch(&id, idle, absolute)).await
    }
    async fn destroy(&self, id: &SecretHash) -> Result<(), StoreError> {
        let id = self.hash(id);
        within(self.limit, "destroy", self.inner.destroy(&id)).await
    }
    async fn take(&self, id: &SecretHash, absolute: Duration) -> Result<Option<SessionRecord>, StoreError> {
        let id = self.hash(id);
        within(self.limit, "take", self.inner.take(&id, absolute)).await
    }
}

#[async_trait]
impl ThrottleStore for Scoped<dyn ThrottleStore> {
    async fn record_failure(&self, key: &str, window: Duration) -> Result<(u32, Duration), StoreError> {
        let key = self.key(key);
        within(
            self.limit,
            "record_failure",
            self.inner.record_failure(key.as_str(), window),
        )
        .await
    }
    async fn failures(&self, key: &str) -> Result<(u32, Duration), StoreError> {
        let key = self.key(key);
        within(self.limit, "failures", self.inner.failures(key.as_str())).await
    }
    async fn forgive(&self, key: &str) -> Result<(), StoreError> {
        let key = self.key(key);
        within(self.limit, "forgive", self.inner.forgive(key.as_str())).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{
        InMemoryRefreshStore, InMemoryRevocationStore, InMemorySessionStore, InMemoryThrottleStore,
    };

    const HOUR: Duration = Duration::from_secs(3600);

    fn two<T: ?Sized>(shared: Arc<T>) -> (Arc<Scoped<T>>, Arc<Scoped<T>>) {
        let (a, b): (Arc<str>, Arc<str>) = (Arc::from("aaaaaaaaaaaaaaaa"), Arc::from("bbbbbbbbbbbbbbbb"));
        (
            Scoped::new(Arc::clone(&shared), &a, HOUR),
            Scoped::new(shared, &b, HOUR),
        )
    }

    #[test]
    fn keys_read_the_same_on_the_stack_and_on_the_heap() {
        let namespace = "0123456789abcdef";
        for key in ["1", "", "ü:/", &"s".repeat(256), &"h".repeat(257)] {
            let scoped = ScopedKey::new(namespace, key);
            assert_eq!(scoped.as_str(), format!("{namespace}:{key}"));
            assert_eq!(
                matches!(scoped, ScopedKey::Heap(_)),
                key.len() > 256,
                "{}",
                key.len()
            );
        }
    }

    #[tokio::test]
    async fn two_realms_over_one_store_never_see_each_others_records() {
        let refresh: Arc<dyn RefreshStore> = Arc::new(InMemoryRefreshStore::default());
        let (a, b) = two(refresh);
        a.start("fam", "grant-a", &[1; 32], HOUR, HOUR).await.unwrap();
        assert_eq!(b.current_grant("fam", 0, &[1; 32]).await.unwrap(), None);
        assert_eq!(
            b.rotate("fam", 0, &[1; 32], &[2; 32], HOUR).await.unwrap(),
            Rotation::Invalid
        );
        assert!(!b.revoke_family("fam").await.unwrap());
        let rotated = a.rotate("fam", 0, &[1; 32], &[2; 32], HOUR).await.unwrap();
        assert_eq!(
            rotated,
            Rotation::Rotated {
                grant: "grant-a".into(),
                family: "fam".into()
            }
        );

        let sessions: Arc<dyn SessionStore> = Arc::new(InMemorySessionStore::default());
        let (a, b) = two(sessions);
        let record = SessionRecord {
            user_id: "1".into(),
            csrf_token: "c".into(),
            created: SystemTime::now(),
        };
        a.create(&[7; 32], &record, HOUR).await.unwrap();
        assert_eq!(b.touch(&[7; 32], HOUR, HOUR).await.unwrap(), None);
        assert_eq!(b.take(&[7; 32], HOUR).await.unwrap(), None);
        b.destroy(&[7; 32]).await.unwrap();
        assert_eq!(a.touch(&[7; 32], HOUR, HOUR).await.unwrap(), Some(record));

        let throttle: Arc<dyn ThrottleStore> = Arc::new(InMemoryThrottleStore::default());
        let (a, b) = two(throttle);
        a.record_failure("user:alice", HOUR).await.unwrap();
        assert_eq!(b.failures("user:alice").await.unwrap().0, 0);
        assert_eq!(a.failures("user:alice").await.unwrap().0, 1);
    }

    #[tokio::test]
    async fn cut_offs_are_per_realm_and_user_revoked_ids_and_the_all_users_cut_off_are_shared() {
        let revocations: Arc<dyn RevocationStore> = Arc::new(InMemoryRevocationStore::default());
        let (a, b) = two(revocations);
        let now = SystemTime::now();
        a.revoke_issued_before(Some("1"), now, now + HOUR).await.unwrap();
        assert_eq!(a.issued_before(Some("1")).await.unwrap(), Some(now));
        assert_eq!(b.issued_before(Some("1")).await.unwrap(), None);
        assert_eq!(b.check(&[], Some("1")).await.unwrap().issued_before, None);

        a.revoke("jti-1", now + HOUR).await.unwrap();
        assert!(b.check(&["jti-1"], Some("1")).await.unwrap().revoked);

        let later = now + Duration::from_secs(5);
        b.revoke_issued_before(None, later, later + HOUR).await.unwrap();
        assert_eq!(a.issued_before(Some("1")).await.unwrap(), Some(later));
    }
}
