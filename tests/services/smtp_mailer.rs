//! `SmtpMailer` (feature `smtp`) against a real SMTP server started by the test:
//! nodemailer's `smtp-server` on Node.js (`tests/support/smtp_sink.rs`). A password
//! reset requested over HTTP arrives as a parsed message (envelope, subject, body with
//! the link), and its link resets the password; the server's refusals (a rejected
//! recipient, wrong credentials, nobody listening) are errors of `Mailer::send`.

use http::StatusCode;
use portcullis::{Mailer, SmtpMailer, SmtpSecurity};

use crate::smtp_sink::{PASSWORD, SmtpSink, USER};
use crate::support::password_suite::{NEW_PASSWORD, password_app_with};

fn mailer(port: u16, credentials: Option<(&str, &str)>) -> SmtpMailer {
    let mut builder = SmtpMailer::builder("127.0.0.1", "Portcullis <no-reply@example.com>")
        .security(SmtpSecurity::Plain)
        .port(port)
        .timeout(std::time::Duration::from_secs(5));
    if let Some((user, password)) = credentials {
        builder = builder.credentials(user, password);
    }
    builder.build().expect("valid SMTP settings")
}

/// `POST /auth/password/reset` → a mail through SMTP (authenticated) to the account's
/// address, with the reset subject and the link in its body; the link then resets the
/// password (204) and the new password logs in.
pub async fn a_reset_link_arrives_through_smtp_and_works() {
    let sink = SmtpSink::start();
    let app = password_app_with(
        |b| b,
        |r| r.reset_url("https://app.example/reset/"),
        mailer(sink.port(), Some((USER, PASSWORD))),
    );
    let r = app.request_reset("user1@example.com").await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{:?}", r.body);

    let mail = sink.next_mail().await;
    assert_eq!(mail["from"], "no-reply@example.com", "{mail}");
    assert_eq!(mail["to"], serde_json::json!(["user1@example.com"]), "{mail}");
    assert_eq!(mail["subject"], "Reset your password", "{mail}");
    assert_eq!(mail["user"], USER, "{mail}");
    let text = mail["text"].as_str().expect("a text body");
    assert!(text.contains("Hello alice,"), "{text}");
    let start = text.find("https://app.example/reset/").expect("the link");
    let link = text[start..].split_whitespace().next().unwrap();
    let token = &link["https://app.example/reset/".len()..];
    assert_eq!(token.len(), 43, "{link}");

    let r = app.reset(token, NEW_PASSWORD).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{:?}", r.body);
    assert_eq!(app.login("alice", NEW_PASSWORD).await.status, StatusCode::OK);
    // An unknown address gets the same 202 and no mail.
    let r = app.request_reset("nobody@example.com").await;
    assert_eq!(r.status, StatusCode::ACCEPTED);
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert!(!sink.has_mail());
}

/// What the server refuses is an error of `send`, with nothing delivered: a rejected
/// recipient (550), wrong credentials (535), a port nobody listens on. Without
/// credentials the sink takes the message (authentication is optional there).
pub async fn smtp_refusals_are_send_errors() {
    let sink = SmtpSink::start();
    let good = mailer(sink.port(), Some((USER, PASSWORD)));
    let error = good
        .send("reject@example.com", "Hello", "body")
        .await
        .expect_err("a rejected recipient");
    assert!(error.to_string().contains("550"), "{error}");

    let wrong = mailer(sink.port(), Some((USER, "wrong-password")));
    let error = wrong
        .send("ann@example.com", "Hello", "body")
        .await
        .expect_err("wrong credentials");
    assert!(!error.to_string().contains("wrong-password"), "{error}");
    assert!(!format!("{wrong:?}").contains("wrong-password"));

    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    mailer(port, None)
        .send("ann@example.com", "Hello", "body")
        .await
        .expect_err("nobody listens");
    assert!(!sink.has_mail());

    mailer(sink.port(), None)
        .send("ann@example.com", "Grüße", "ünïcödé body\nline two")
        .await
        .expect("an anonymous message");
    let mail = sink.next_mail().await;
    assert_eq!(mail["to"], serde_json::json!(["ann@example.com"]));
    assert_eq!(mail["subject"], "Grüße");
    assert_eq!(
        mail["text"].as_str().unwrap().trim_end(),
        "ünïcödé body\nline two"
    );
    assert_eq!(mail["user"], serde_json::Value::Null);
}
