//! The reference server's mail: every message is logged (recipient and subject, never the
//! body: it holds a single-use link) and kept in a bounded [`Outbox`] that development mode
//! serves at `GET /dev/outbox`; with `PORTCULLIS_SMTP_HOST` set it is also sent through
//! that SMTP server ([`SmtpMailer`]).

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use axum::Json;
use axum::extract::State;
use portcullis::{Mailer, SmtpMailer, SmtpSecurity, StoreError, async_trait};
use serde_json::{Value, json};

use crate::env;

/// The newest mails kept for `GET /dev/outbox`.
const OUTBOX_CAPACITY: usize = 256;

/// The newest [`OUTBOX_CAPACITY`] mails.
#[derive(Clone, Default)]
pub struct Outbox(Arc<Mutex<VecDeque<Value>>>);

impl Outbox {
    /// The mails, oldest first.
    pub fn mails(&self) -> Vec<Value> {
        let mails = self.0.lock().unwrap_or_else(|e| e.into_inner());
        mails.iter().cloned().collect()
    }

    fn keep(&self, to: &str, subject: &str, body: &str) {
        let mut mails = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if mails.len() == OUTBOX_CAPACITY {
            mails.pop_front();
        }
        mails.push_back(json!({ "to": to, "subject": subject, "body": body }));
    }
}

/// The outbox, and SMTP when configured.
#[derive(Clone)]
pub struct ServerMailer {
    pub outbox: Outbox,
    smtp: Option<SmtpMailer>,
}

impl ServerMailer {
    /// From `PORTCULLIS_SMTP_HOST`, `_PORT`, `_SECURITY` (`starttls`, `tls` or `plain`),
    /// `_USER` and `_PASSWORD` (together), `_FROM` (the sender; required with a host).
    pub fn from_env() -> Result<ServerMailer, String> {
        let outbox = Outbox::default();
        let Some(host) = env("PORTCULLIS_SMTP_HOST") else {
            return Ok(ServerMailer { outbox, smtp: None });
        };
        let from = env("PORTCULLIS_SMTP_FROM")
            .ok_or("PORTCULLIS_SMTP_FROM is required with PORTCULLIS_SMTP_HOST")?;
        let security = match env("PORTCULLIS_SMTP_SECURITY").as_deref() {
            None | Some("starttls") => SmtpSecurity::StartTls,
            Some("tls") => SmtpSecurity::ImplicitTls,
            Some("plain") => SmtpSecurity::Plain,
            Some(other) => {
                return Err(format!(
                    "PORTCULLIS_SMTP_SECURITY={other}: use starttls, tls or plain"
                ));
            }
        };
        let mut builder = SmtpMailer::builder(host, from).security(security);
        if let Some(port) = env("PORTCULLIS_SMTP_PORT") {
            let port = port
                .parse()
                .map_err(|_| format!("PORTCULLIS_SMTP_PORT={port}: not a port"))?;
            builder = builder.port(port);
        }
        match (env("PORTCULLIS_SMTP_USER"), env("PORTCULLIS_SMTP_PASSWORD")) {
            (Some(user), Some(password)) => builder = builder.credentials(user, password),
            (None, None) => {}
            _ => return Err("PORTCULLIS_SMTP_USER and PORTCULLIS_SMTP_PASSWORD are set together".to_owned()),
        }
        let smtp = builder.build().map_err(|e| e.to_string())?;
        Ok(ServerMailer {
            outbox,
            smtp: Some(smtp),
        })
    }
}

#[async_trait]
impl Mailer for ServerMailer {
    async fn send(&self, to: &str, subject: &str, body: &str) -> Result<(), StoreError> {
        if let Some(smtp) = &self.smtp {
            smtp.send(to, subject, body).await?;
        }
        tracing::info!(%to, %subject, "mail sent");
        self.outbox.keep(to, subject, body);
        Ok(())
    }
}

/// `GET /dev/outbox` (development mode only): the mails kept, oldest first.
/// Development mode only: deliberately open (the mails of a local run).
#[portcullis::public]
pub async fn outbox(State(outbox): State<Outbox>) -> Json<Value> {
    Json(Value::Array(outbox.mails()))
}
