//! Injected faults (issue 15, item 5), in process and in seconds: a user or lifecycle
//! store that hangs or fails ([`store_timeout`]: 503 within the store time-out), a
//! panicking requirement predicate or policy over a real socket ([`panics`]: 500
//! through the library's renderer, the next request served), and an identity
//! provider whose key set hangs, resets the connection or serves garbage ([`jwks`]:
//! the keys held stay in use, no request waits past the fetch time-out). Redis
//! stopped and restarted under load is `scripts/faults.sh`, which runs these too.

mod jwks;
mod panics;
mod store_timeout;

use std::future::Future;
use std::time::{Duration, Instant};

/// `future`'s output and how long it took.
pub async fn timed<T>(future: impl Future<Output = T>) -> (T, Duration) {
    let started = Instant::now();
    let output = future.await;
    (output, started.elapsed())
}
