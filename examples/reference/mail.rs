//! The reference server's mailer: mail goes to the log and, in development mode, to
//! `GET /dev/outbox` (the e2e tests read confirmation links there).

use std::sync::{Arc, Mutex};

use axum::Json;
use axum::extract::State;
use portcullis::{Mailer, StoreError, async_trait};
use serde_json::{Value, json};

/// Every message sent, kept for `GET /dev/outbox`.
#[derive(Clone, Default)]
pub struct Outbox(Arc<Mutex<Vec<Value>>>);

#[async_trait]
impl Mailer for Outbox {
    async fn send(&self, to: &str, subject: &str, body: &str) -> Result<(), StoreError> {
        tracing::info!(%to, %subject, "mail sent");
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(json!({ "to": to, "subject": subject, "body": body }));
        Ok(())
    }
}

/// `GET /dev/outbox` (development mode only): the mails sent, oldest first.
pub async fn outbox(State(outbox): State<Outbox>) -> Json<Value> {
    Json(Value::Array(
        outbox.0.lock().unwrap_or_else(|e| e.into_inner()).clone(),
    ))
}
