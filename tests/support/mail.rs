//! A capturing [`Mailer`]: every message the auth router sends, kept in memory, and a
//! wait for the mails the router sends after its answer (password-reset links).

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use portcullis::{Mailer, StoreError, async_trait};

/// One message as the router handed it to its mailer.
#[derive(Debug, Clone, PartialEq)]
pub struct Mail {
    pub to: String,
    pub subject: String,
    pub body: String,
}

impl Mail {
    /// The link in the body that starts with `prefix`, up to the next whitespace.
    #[track_caller]
    pub fn link(&self, prefix: &str) -> String {
        let start = self
            .body
            .find(prefix)
            .unwrap_or_else(|| panic!("no link {prefix}... in {:?}", self.body));
        self.body[start..].split_whitespace().next().unwrap().to_owned()
    }

    /// The token of the link that starts with `prefix`.
    #[track_caller]
    pub fn token(&self, prefix: &str) -> String {
        self.link(prefix)[prefix.len()..].to_owned()
    }
}

/// Keeps every message sent. Clones share the messages.
#[derive(Clone, Default)]
pub struct Outbox {
    sent: Arc<Mutex<Vec<Mail>>>,
}

impl Outbox {
    pub fn mails(&self) -> Vec<Mail> {
        self.sent.lock().unwrap().clone()
    }

    /// Waits (up to 5 s) until at least `count` messages were sent; returns them all.
    #[track_caller]
    pub fn wait_for(&self, count: usize) -> impl std::future::Future<Output = Vec<Mail>> + '_ {
        let caller = std::panic::Location::caller();
        async move {
            let deadline = Instant::now() + Duration::from_secs(5);
            loop {
                let mails = self.mails();
                if mails.len() >= count {
                    return mails;
                }
                assert!(
                    Instant::now() < deadline,
                    "{caller}: {count} mails expected, {} sent: {mails:?}",
                    mails.len()
                );
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        }
    }
}

#[async_trait]
impl Mailer for Outbox {
    async fn send(&self, to: &str, subject: &str, body: &str) -> Result<(), StoreError> {
        self.sent.lock().unwrap().push(Mail {
            to: to.into(),
            subject: subject.into(),
            body: body.into(),
        });
        Ok(())
    }
}
