//! `SmtpMailer` (feature `smtp`): the auth router's [`Mailer`] sending through an
//! SMTP server with `lettre`'s async transport on tokio, TLS by rustls.

use std::fmt;
use std::time::Duration;

use async_trait::async_trait;
use lettre::message::Mailbox;
use lettre::message::header::ContentType;
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::accounts::Mailer;
use crate::error::{ConfigError, StoreError};

/// How the connection to the SMTP server is protected.
///
/// ```
/// use portcullis::SmtpSecurity;
/// assert_eq!(SmtpSecurity::default(), SmtpSecurity::StartTls);
/// assert_eq!(SmtpSecurity::ImplicitTls.default_port(), 465);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SmtpSecurity {
    /// Plain connection upgraded with STARTTLS, which is required (port 587).
    #[default]
    StartTls,
    /// TLS from the first byte, "SMTPS" (port 465).
    ImplicitTls,
    /// No TLS at all (port 25): only for a local relay or a test sink. Credentials
    /// would cross the network in clear text.
    Plain,
}

impl SmtpSecurity {
    /// The port used unless [`SmtpMailerBuilder::port`] says otherwise.
    ///
    /// ```
    /// assert_eq!(portcullis::SmtpSecurity::StartTls.default_port(), 587);
    /// ```
    pub fn default_port(self) -> u16 {
        match self {
            SmtpSecurity::StartTls => 587,
            SmtpSecurity::ImplicitTls => 465,
            SmtpSecurity::Plain => 25,
        }
    }
}

/// Sends the auth router's mails (plain text, UTF-8) through an SMTP server. Every
/// message opens its own connection; a failure (connection, TLS, authentication, a
/// refused recipient, the timeout) is a [`StoreError`], which the router answers with
/// 503 (or logs, for reset mails sent after the answer). Its `Debug` shows no password.
///
/// ```no_run
/// use portcullis::{SmtpMailer, SmtpSecurity};
/// let mailer = SmtpMailer::builder("smtp.example.com", "Example <no-reply@example.com>")
///     .security(SmtpSecurity::StartTls) // the default; port 587
///     .credentials("no-reply@example.com", std::env::var("SMTP_PASSWORD").unwrap())
///     .build()
///     .expect("valid SMTP settings");
/// // AuthRouter::new(registrar, mailer)
/// ```
#[derive(Clone)]
pub struct SmtpMailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    server: String,
}

impl fmt::Debug for SmtpMailer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmtpMailer")
            .field("server", &self.server)
            .field("from", &self.from.to_string())
            .finish_non_exhaustive()
    }
}

/// The settings of an [`SmtpMailer`]: see [`SmtpMailer::builder`].
///
/// ```
/// use portcullis::{SmtpMailer, SmtpSecurity};
/// let mailer = SmtpMailer::builder("127.0.0.1", "app@example.com")
///     .security(SmtpSecurity::Plain)
///     .port(2525)
///     .timeout(std::time::Duration::from_secs(5))
///     .build();
/// assert!(mailer.is_ok());
/// assert!(SmtpMailer::builder("127.0.0.1", "not an address").build().is_err());
/// ```
#[must_use]
pub struct SmtpMailerBuilder {
    host: String,
    from: String,
    port: Option<u16>,
    security: SmtpSecurity,
    credentials: Option<(String, String)>,
    timeout: Duration,
}

impl fmt::Debug for SmtpMailerBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmtpMailerBuilder")
            .field("host", &self.host)
            .field("from", &self.from)
            .field("port", &self.port)
            .field("security", &self.security)
            .field("user", &self.credentials.as_ref().map(|(user, _)| user))
            .finish_non_exhaustive()
    }
}

impl SmtpMailer {
    /// A mailer sending from `from` (`no-reply@example.com` or `Name <address>`)
    /// through the server `host`: STARTTLS on port 587, no authentication, a 30 s
    /// timeout, until the builder says otherwise.
    pub fn builder(host: impl Into<String>, from: impl Into<String>) -> SmtpMailerBuilder {
        SmtpMailerBuilder {
            host: host.into(),
            from: from.into(),
            port: None,
            security: SmtpSecurity::default(),
            credentials: None,
            timeout: Duration::from_secs(30),
        }
    }
}

impl SmtpMailerBuilder {
    /// The server's port (default: [`SmtpSecurity::default_port`]).
    pub fn port(mut self, port: u16) -> Self {
        self.port = Some(port);
        self
    }

    /// How the connection is protected (default STARTTLS, required).
    pub fn security(mut self, security: SmtpSecurity) -> Self {
        self.security = security;
        self
    }

    /// Authenticates as `user` with `password` (PLAIN or LOGIN, as the server offers).
    pub fn credentials(mut self, user: impl Into<String>, password: impl Into<String>) -> Self {
        self.credentials = Some((user.into(), password.into()));
        self
    }

    /// The longest one SMTP command may take (default 30 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The mailer (no connection is made yet).
    ///
    /// # Errors
    /// [`ConfigError::InvalidMailer`] when `from` is no mail address or the host is no
    /// valid name for TLS.
    pub fn build(self) -> Result<SmtpMailer, ConfigError> {
        let from: Mailbox = self
            .from
            .parse()
            .map_err(|e| ConfigError::InvalidMailer(format!("the sender {:?}: {e}", self.from)))?;
        let tls = |e: lettre::transport::smtp::Error| {
            ConfigError::InvalidMailer(format!("the server {:?}: {e}", self.host))
        };
        let builder = match self.security {
            SmtpSecurity::StartTls => {
                AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&self.host).map_err(tls)?
            }
            SmtpSecurity::ImplicitTls => {
                AsyncSmtpTransport::<Tokio1Executor>::relay(&self.host).map_err(tls)?
            }
            SmtpSecurity::Plain => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&self.host),
        };
        let port = self.port.unwrap_or(self.security.default_port());
        let mut builder = builder.port(port).timeout(Some(self.timeout));
        if let Some((user, password)) = self.credentials {
            builder = builder.credentials(Credentials::new(user, password));
        }
        Ok(SmtpMailer {
            transport: builder.build(),
            from,
            server: format!("{}:{port}", self.host),
        })
    }
}

#[async_trait]
impl Mailer for SmtpMailer {
    async fn send(&self, to: &str, subject: &str, body: &str) -> Result<(), StoreError> {
        let to: Mailbox = to
            .parse()
            .map_err(|_| StoreError::new("smtp: the recipient is no mail address"))?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(subject)
            .header(ContentType::TEXT_PLAIN)
            .body(body.to_owned())
            .map_err(|e| StoreError::new(format!("smtp: cannot build the message: {e}")))?;
        self.transport
            .send(message)
            .await
            .map(drop)
            .map_err(|e| StoreError::new(format!("smtp via {}: {e}", self.server)))
    }
}
