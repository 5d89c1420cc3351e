//! Password hashing and verification off the async executor: a fixed set of
//! threads, each with its own reused argon2id memory, behind a semaphore with a
//! queue bounded in length and time (503 + `Retry-After` past it).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::time::Duration;

use tokio::sync::Semaphore;

use crate::error::{AuthError, ConfigError};
use crate::password;

/// Requests that may wait for a password-hashing permit, per permit.
pub(crate) const HASH_QUEUE_PER_PERMIT: usize = 4;
/// The longest a request waits for a password-hashing permit before its 503.
pub(crate) const HASH_QUEUE_WAIT: Duration = Duration::from_secs(2);

type Job = Box<dyn FnOnce(&mut password::Scratch) + Send>;

/// Password hashing and verification off the async executor, at most `permits` at
/// once, with a queue bounded in length and time.
///
/// The work runs on `permits` threads of its own, started once, each with its own
/// 19 MiB of argon2id memory reused for every hash: allocating it per hash left
/// 19 MiB behind in each of the allocator's arenas (64 concurrent registrations:
/// 1.3 GB resident, measured).
pub(crate) struct Hashing {
    permits: Arc<Semaphore>,
    waiting: AtomicUsize,
    max_waiting: usize,
    jobs: mpsc::Sender<Job>,
}

impl Hashing {
    /// Starts the `permits` hashing threads (they end when the `Portcullis` is dropped).
    pub(crate) fn new(permits: usize) -> Result<Self, ConfigError> {
        let (jobs, queue) = mpsc::channel::<Job>();
        let queue = Arc::new(Mutex::new(queue));
        for n in 0..permits {
            let queue = Arc::clone(&queue);
            std::thread::Builder::new()
                .name(format!("portcullis-hash-{n}"))
                .spawn(move || {
                    let mut scratch = password::Scratch::new();
                    loop {
                        let next = queue.lock().unwrap_or_else(|e| e.into_inner()).recv();
                        match next {
                            Ok(job) => job(&mut scratch),
                            Err(_) => return, // the Portcullis is gone
                        }
                    }
                })
                .map_err(|_| ConfigError::Invalid("cannot start the password-hashing threads"))?;
        }
        Ok(Hashing {
            permits: Arc::new(Semaphore::new(permits)),
            waiting: AtomicUsize::new(0),
            max_waiting: permits.saturating_mul(HASH_QUEUE_PER_PERMIT),
            jobs,
        })
    }

    /// Runs `work` (a hash or a verification) on the blocking pool once a permit is
    /// free; 503 ([`AuthError::Unavailable`]) when the queue is full or too slow.
    pub(crate) async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut password::Scratch) -> T + Send + 'static,
    ) -> Result<T, AuthError> {
        let permit = match Arc::clone(&self.permits).try_acquire_owned() {
            Ok(permit) => permit,
            Err(_) => {
                if self.waiting.fetch_add(1, Ordering::AcqRel) >= self.max_waiting {
                    self.waiting.fetch_sub(1, Ordering::AcqRel);
                    tracing::warn!("password hashing saturated: 503");
                    return Err(AuthError::Unavailable);
                }
                let acquired =
                    tokio::time::timeout(HASH_QUEUE_WAIT, Arc::clone(&self.permits).acquire_owned()).await;
                self.waiting.fetch_sub(1, Ordering::AcqRel);
                match acquired {
                    Ok(Ok(permit)) => permit,
                    _ => {
                        tracing::warn!("password hashing saturated: 503");
                        return Err(AuthError::Unavailable);
                    }
                }
            }
        };
        let (done, result) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move |scratch| {
            let _permit = permit;
            let _ = done.send(work(scratch));
        });
        self.jobs.send(job).map_err(|_| AuthError::Unavailable)?;
        result.await.map_err(|_| AuthError::Unavailable)
    }
}
