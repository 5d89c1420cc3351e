//! Opaque bearer tokens, introspected at the provider (RFC 7662) with client
//! authentication (`client_secret_basic`). Answers are cached by the token's SHA-256
//! until `min(exp, max_ttl)` (inactive ones briefly), in a bounded LRU; concurrent
//! requests with the same token share one call (single flight), and the number of
//! calls under way at once is bounded.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use hashlink::LruCache;
use serde_json::{Map, Value};
use tokio::sync::OnceCell;

use super::keys::LiveKeys;
use crate::error::AuthError;
use crate::jwt::claims::{Claims, StrictObject};
use crate::secret::{SecretHash, hash_secret};

/// Cached answers at most.
const CACHE_CAPACITY: usize = 10_000;
/// Introspection calls under way at once at most; beyond, requests get 503.
const MAX_IN_FLIGHT: usize = 256;

/// An answer: the claims of an active token, or `None` for an inactive one; `Err`
/// when the provider could not answer (never cached).
type Outcome = Result<Option<Claims>, ()>;

pub(crate) struct Introspector {
    client_id: String,
    client_secret: String,
    audiences: Vec<String>,
    leeway: f64,
    max_ttl: Duration,
    negative_ttl: Duration,
    cache: Mutex<LruCache<SecretHash, (Instant, Option<Claims>)>>,
    in_flight: Mutex<HashMap<SecretHash, Arc<OnceCell<Outcome>>>>,
}

impl std::fmt::Debug for Introspector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Introspector")
            .field("client_id", &self.client_id)
            .finish_non_exhaustive()
    }
}

/// Takes a token's entry out of the in-flight map when its call ends or is dropped.
struct InFlightEntry<'a>(&'a Mutex<HashMap<SecretHash, Arc<OnceCell<Outcome>>>>, SecretHash);

impl Drop for InFlightEntry<'_> {
    fn drop(&mut self) {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).remove(&self.1);
    }
}

fn now_secs() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0)
}

impl Introspector {
    pub(crate) fn new(
        client_id: String,
        client_secret: String,
        audiences: Vec<String>,
        leeway: f64,
        max_ttl: Duration,
    ) -> Self {
        Introspector {
            client_id,
            client_secret,
            audiences,
            leeway,
            max_ttl,
            negative_ttl: Duration::from_secs(10).min(max_ttl),
            cache: Mutex::new(LruCache::new(CACHE_CAPACITY)),
            in_flight: Mutex::new(HashMap::new()),
        }
    }

    /// The claims of an active token; `Ok(None)` when the provider says it is not
    /// (or its answer fails the checks).
    pub(crate) async fn introspect(
        &self,
        keys: &LiveKeys,
        issuer: &str,
        token: &str,
    ) -> Result<Option<Claims>, AuthError> {
        let hash = hash_secret(token);
        if let Some(cached) = self.cached(&hash) {
            return Ok(cached);
        }
        let cell = {
            let mut in_flight = self.in_flight.lock().unwrap_or_else(|e| e.into_inner());
            if let Some(cell) = in_flight.get(&hash) {
                Arc::clone(cell)
            } else {
                if in_flight.len() >= MAX_IN_FLIGHT {
                    tracing::warn!(issuer, "too many token introspections under way");
                    return Err(AuthError::Unavailable);
                }
                let cell = Arc::new(OnceCell::new());
                in_flight.insert(hash, Arc::clone(&cell));
                cell
            }
        };
        let outcome = cell
            .get_or_init(|| async {
                // Removed however this ends, also when the request is dropped midway.
                let _entry = InFlightEntry(&self.in_flight, hash);
                let outcome = self.call(keys, issuer, token).await;
                if let Ok(answer) = &outcome {
                    self.store(hash, answer.clone());
                }
                outcome
            })
            .await
            .clone();
        outcome.map_err(|()| AuthError::Unavailable)
    }

    fn cached(&self, hash: &SecretHash) -> Option<Option<Claims>> {
        let mut cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
        match cache.get(hash) {
            Some((until, answer)) if Instant::now() < *until => Some(answer.clone()),
            Some(_) => {
                cache.remove(hash);
                None
            }
            None => None,
        }
    }

    fn store(&self, hash: SecretHash, answer: Option<Claims>) {
        let ttl = match &answer {
            None => self.negative_ttl,
            Some(claims) => {
                let left = claims
                    .exp()
                    .map_or(self.max_ttl.as_secs_f64(), |exp| exp - now_secs());
                Duration::from_secs_f64(left.clamp(0.0, self.max_ttl.as_secs_f64()))
            }
        };
        if !ttl.is_zero() {
            let mut cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
            cache.insert(hash, (Instant::now() + ttl, answer));
        }
    }

    async fn call(&self, keys: &LiveKeys, issuer: &str, token: &str) -> Outcome {
        let metadata = match keys.metadata() {
            Some(metadata) => metadata,
            None => {
                keys.refetch().await;
                keys.metadata().ok_or(())?
            }
        };
        let Some(endpoint) = &metadata.introspection_endpoint else {
            tracing::error!(issuer, "the identity provider has no introspection_endpoint");
            return Err(());
        };
        let fetched = keys
            .fetcher()
            .post_form(
                endpoint,
                (&self.client_id, &self.client_secret),
                &[("token", token), ("token_type_hint", "access_token")],
            )
            .await
            .map_err(|reason| tracing::warn!(issuer, %reason, "token introspection failed"))?;
        let Some(answer) = StrictObject::parse(&fetched.body) else {
            tracing::warn!(issuer, "the introspection answer is not a JSON object");
            return Err(());
        };
        Ok(self.accepted(answer, issuer))
    }

    /// RFC 7662 §2.2: `active` must be `true`; a present `exp`, `nbf`, `iss` or `aud`
    /// must fit; a subject is required.
    fn accepted(&self, answer: Map<String, Value>, issuer: &str) -> Option<Claims> {
        if answer.get("active") != Some(&Value::Bool(true)) {
            return None;
        }
        let now = now_secs();
        let time = |name: &str| answer.get(name).map(|v| v.as_f64().filter(|t| t.is_finite()));
        match time("exp") {
            Some(Some(exp)) if now > exp + self.leeway => return None,
            Some(None) => return None,
            _ => {}
        }
        match time("nbf") {
            Some(Some(nbf)) if now + self.leeway < nbf => return None,
            Some(None) => return None,
            _ => {}
        }
        if answer.get("iss").is_some_and(|iss| iss.as_str() != Some(issuer)) {
            return None;
        }
        if let Some(aud) = answer.get("aud") {
            let accepted = |v: &Value| v.as_str().is_some_and(|a| self.audiences.iter().any(|x| x == a));
            let ok = match aud {
                Value::String(_) => accepted(aud),
                Value::Array(list) => list.iter().any(accepted),
                _ => false,
            };
            if !ok {
                return None;
            }
        }
        match answer.get("sub") {
            Some(Value::String(sub)) if !sub.is_empty() && sub.len() <= 256 => {}
            _ => return None,
        }
        Some(Claims::new(answer))
    }
}
