//! [`InMemoryRefreshStore`]: one entry per family (grant, generation, current hash),
//! least recently used evicted when full.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use hashlink::LruCache;

use super::{DEFAULT_CAPACITY, after, lock};
use crate::store::{RefreshStore, Rotation, SecretHash, StoreError};

struct Family {
    grant: String,
    generation: u64,
    current: SecretHash,
    revoked: bool,
    expires: Instant,
    deadline: Instant,
}

/// In-memory [`RefreshStore`]: O(1) state per family however often it rotates; at
/// `capacity` live families the least recently used one is evicted (its client logs
/// in again) rather than refusing new logins.
///
/// ```
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// use portcullis::{InMemoryRefreshStore, RefreshStore, Rotation};
/// use std::time::Duration;
/// let store = InMemoryRefreshStore::default();
/// let (ttl, lifetime) = (Duration::from_secs(60), Duration::from_secs(3600));
/// store.start("fam-1", "42", &[1; 32], ttl, lifetime).await.unwrap();
/// assert_eq!(store.current_grant("fam-1", 0, &[1; 32]).await.unwrap().as_deref(), Some("42"));
/// assert!(matches!(store.rotate("fam-1", 0, &[1; 32], &[2; 32], ttl).await.unwrap(), Rotation::Rotated { .. }));
/// // Presenting the spent generation again revokes the family: the new token dies too.
/// assert!(matches!(store.rotate("fam-1", 0, &[1; 32], &[3; 32], ttl).await.unwrap(), Rotation::Reused { .. }));
/// assert_eq!(store.rotate("fam-1", 1, &[2; 32], &[4; 32], ttl).await.unwrap(), Rotation::Invalid);
/// assert_eq!(store.len(), 1);
/// # });
/// ```
pub struct InMemoryRefreshStore {
    families: Mutex<LruCache<String, Family>>,
}

impl Default for InMemoryRefreshStore {
    fn default() -> Self {
        Self::with_capacity(DEFAULT_CAPACITY)
    }
}

impl InMemoryRefreshStore {
    /// A store of at most `capacity` families (at least one).
    ///
    /// ```
    /// let store = portcullis::InMemoryRefreshStore::with_capacity(10_000);
    /// assert!(store.is_empty());
    /// ```
    pub fn with_capacity(capacity: usize) -> Self {
        InMemoryRefreshStore {
            families: Mutex::new(LruCache::new(capacity.max(1))),
        }
    }

    /// The number of families held (live, or expired and not yet evicted).
    pub fn len(&self) -> usize {
        lock(&self.families).len()
    }

    /// Whether no family is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[async_trait]
impl RefreshStore for InMemoryRefreshStore {
    async fn start(
        &self,
        family: &str,
        grant: &str,
        token: &SecretHash,
        ttl: Duration,
        lifetime: Duration,
    ) -> Result<(), StoreError> {
        let now = Instant::now();
        let deadline = after(now, lifetime);
        let record = Family {
            grant: grant.to_owned(),
            generation: 0,
            current: *token,
            revoked: false,
            expires: after(now, ttl).min(deadline),
            deadline,
        };
        lock(&self.families).insert(family.to_owned(), record);
        Ok(())
    }

    async fn current_grant(
        &self,
        family: &str,
        generation: u64,
        presented: &SecretHash,
    ) -> Result<Option<String>, StoreError> {
        let families = lock(&self.families);
        Ok(families
            .peek(family)
            .filter(|f| {
                !f.revoked
                    && f.expires > Instant::now()
                    && f.generation == generation
                    && f.current == *presented
            })
            .map(|f| f.grant.clone()))
    }

    async fn rotate(
        &self,
        family_id: &str,
        generation: u64,
        presented: &SecretHash,
        next: &SecretHash,
        ttl: Duration,
    ) -> Result<Rotation, StoreError> {
        let mut families = lock(&self.families);
        let now = Instant::now();
        let Some(family) = families.get_mut(family_id) else {
            return Ok(Rotation::Invalid);
        };
        if family.revoked || family.expires <= now {
            return Ok(Rotation::Invalid);
        }
        if generation < family.generation {
            family.revoked = true;
            return Ok(Rotation::Reused {
                family: family_id.to_owned(),
            });
        }
        if generation != family.generation || family.current != *presented {
            return Ok(Rotation::Invalid);
        }
        family.generation = family.generation.saturating_add(1);
        family.current = *next;
        family.expires = after(now, ttl).min(family.deadline);
        Ok(Rotation::Rotated {
            grant: family.grant.clone(),
            family: family_id.to_owned(),
        })
    }

    async fn revoke_family(&self, family_id: &str) -> Result<bool, StoreError> {
        let mut families = lock(&self.families);
        match families.peek_mut(family_id) {
            Some(family) if !family.revoked && family.expires > Instant::now() => {
                family.revoked = true;
                Ok(true)
            }
            _ => Ok(false),
        }
    }
}
