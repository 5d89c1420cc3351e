//! The live key cache of one identity provider: OIDC discovery, the JWKS fetched
//! from its `jwks_uri`, refreshed in the background and, on an unknown `kid`,
//! refetched at most once per interval however many requests ask (single flight plus
//! cool-down, so forged key ids cannot make this server hammer the provider).
//! Reads on the request path are lock-free (`arc-swap`). A failed, garbage or
//! keyless answer keeps the last good set, for at most the configured staleness.

use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

use arc_swap::ArcSwapOption;
use jsonwebtoken::Algorithm;
use reqwest::Url;
use serde_json::Value;

use super::fetch::Fetcher;
use crate::jwt::jwks::provider_key_set;
use crate::jwt::keys::KeySet;

/// What discovery found (or what was configured without discovery).
pub(crate) struct Metadata {
    pub(crate) jwks_uri: Url,
    pub(crate) introspection_endpoint: Option<Url>,
}

/// A key set and when it was fetched.
struct Snapshot {
    keys: Arc<KeySet>,
    fetched: Instant,
}

/// Timing of fetches.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Timing {
    pub(crate) refresh: Duration,
    pub(crate) refetch: Duration,
    pub(crate) min_max_age: Duration,
    pub(crate) max_max_age: Duration,
    pub(crate) max_staleness: Duration,
}

pub(crate) struct LiveKeys {
    issuer: String,
    discovery: Option<Url>,
    metadata: ArcSwapOption<Metadata>,
    snapshot: ArcSwapOption<Snapshot>,
    fetcher: Fetcher,
    rsa_algorithms: Vec<Algorithm>,
    timing: Timing,
    /// Held while a fetch is under way: callers that arrive meanwhile wait for it
    /// and then use its result.
    single_flight: tokio::sync::Mutex<()>,
    last_attempt: Mutex<Option<Instant>>,
}

impl LiveKeys {
    pub(crate) fn new(
        issuer: String,
        discovery: Option<Url>,
        metadata: Option<Metadata>,
        fetcher: Fetcher,
        rsa_algorithms: Vec<Algorithm>,
        timing: Timing,
    ) -> Self {
        LiveKeys {
            issuer,
            discovery,
            metadata: ArcSwapOption::new(metadata.map(Arc::new)),
            snapshot: ArcSwapOption::empty(),
            fetcher,
            rsa_algorithms,
            timing,
            single_flight: tokio::sync::Mutex::new(()),
            last_attempt: Mutex::new(None),
        }
    }

    pub(crate) fn fetcher(&self) -> &Fetcher {
        &self.fetcher
    }

    /// The current keys; `None` before the first fetch or once they are staler than
    /// allowed.
    pub(crate) fn current(&self) -> Option<Arc<KeySet>> {
        let snapshot = self.snapshot.load();
        let snapshot = snapshot.as_ref()?;
        (snapshot.fetched.elapsed() <= self.timing.max_staleness).then(|| Arc::clone(&snapshot.keys))
    }

    /// The discovered metadata, if discovery succeeded.
    pub(crate) fn metadata(&self) -> Option<Arc<Metadata>> {
        self.metadata.load_full()
    }

    fn cooled_down(&self) -> bool {
        let last = *self.last_attempt.lock().unwrap_or_else(|e| e.into_inner());
        last.is_none_or(|t| t.elapsed() >= self.timing.refetch)
    }

    fn mark_attempt(&self) {
        *self.last_attempt.lock().unwrap_or_else(|e| e.into_inner()) = Some(Instant::now());
    }

    /// A fetch now, unless one happened within the refetch interval; concurrent
    /// callers share one fetch.
    pub(crate) async fn refetch(&self) -> Option<Arc<KeySet>> {
        if !self.cooled_down() {
            // A fetch may be under way: wait for it, then use what it brought.
            let _flight = self.single_flight.lock().await;
            return self.current();
        }
        let _flight = self.single_flight.lock().await;
        // Someone else may have fetched while this caller waited.
        if self.cooled_down() {
            self.mark_attempt();
            if let Err(reason) = self.fetch().await {
                tracing::warn!(issuer = %self.issuer, %reason, "identity provider keys not refreshed; the last good set stays");
            }
        }
        self.current()
    }

    /// Discovery when needed, then the key set. Returns the `max-age` the provider
    /// sent with the key set.
    async fn fetch(&self) -> Result<Option<Duration>, String> {
        let metadata = match self.metadata() {
            Some(metadata) => metadata,
            None => {
                let discovered = Arc::new(self.discover().await?);
                self.metadata.store(Some(Arc::clone(&discovered)));
                discovered
            }
        };
        let fetched = self.fetcher.get(&metadata.jwks_uri).await?;
        let set = provider_key_set(&fetched.body, &self.rsa_algorithms)?;
        for reason in &set.skipped {
            tracing::debug!(issuer = %self.issuer, %reason, "identity provider key skipped");
        }
        tracing::info!(issuer = %self.issuer, keys = set.keys.len(), "identity provider keys fetched");
        self.snapshot.store(Some(Arc::new(Snapshot {
            keys: Arc::new(set.keys),
            fetched: Instant::now(),
        })));
        Ok(fetched.max_age)
    }

    /// OIDC Discovery: the document's `issuer` must equal the configured one exactly
    /// (OIDC Discovery §4.3), and its URLs must be fetchable under the same rules.
    async fn discover(&self) -> Result<Metadata, String> {
        let Some(url) = &self.discovery else {
            return Err("no discovery URL and no JWKS URL".to_owned());
        };
        let fetched = self.fetcher.get(url).await?;
        let document: Value = serde_json::from_slice(&fetched.body)
            .map_err(|_| "the discovery document is not JSON".to_owned())?;
        let issuer = document.get("issuer").and_then(Value::as_str);
        if issuer != Some(self.issuer.as_str()) {
            return Err(format!(
                "the discovery document names the issuer {issuer:?}, not {:?}; refusing it",
                self.issuer
            ));
        }
        let url_at = |name: &str| -> Result<Option<Url>, String> {
            match document.get(name) {
                None | Some(Value::Null) => Ok(None),
                Some(Value::String(url)) => self.fetcher.check_url(url).map(Some),
                Some(_) => Err(format!("the discovery document's {name} is not a string")),
            }
        };
        let jwks_uri =
            url_at("jwks_uri")?.ok_or_else(|| "the discovery document has no jwks_uri".to_owned())?;
        Ok(Metadata {
            jwks_uri,
            introspection_endpoint: url_at("introspection_endpoint")?,
        })
    }

    /// How long to wait before the next background refresh after `outcome`.
    fn next_refresh(&self, outcome: &Result<Option<Duration>, String>) -> Duration {
        match outcome {
            Ok(Some(max_age)) => (*max_age).clamp(self.timing.min_max_age, self.timing.max_max_age),
            Ok(None) => self.timing.refresh,
            // Failed: try again soon, whether or not an older set is still held.
            Err(_) => self.timing.refetch,
        }
    }
}

/// Refreshes `keys` in the background until the last handle to it is dropped.
pub(crate) async fn refresh_loop(weak: Weak<LiveKeys>) {
    let mut wait = Duration::ZERO;
    loop {
        tokio::time::sleep(wait).await;
        let Some(keys) = weak.upgrade() else { return };
        let outcome = {
            let _flight = keys.single_flight.lock().await;
            if keys.current().is_some() && !keys.cooled_down() {
                // A request fetched the set a moment ago (at start-up, say).
                Ok(None)
            } else {
                keys.mark_attempt();
                keys.fetch().await
            }
        };
        if let Err(reason) = &outcome {
            let held = keys.current().is_some();
            tracing::warn!(issuer = %keys.issuer, %reason, held_keys = held, "identity provider keys not refreshed");
        }
        wait = keys.next_refresh(&outcome);
    }
}
