//! Login by user name or e-mail address, sign-in on registration, tokens in cookies and
//! disabling an account, on the in-memory stores (`tests/support/account_suite.rs`; the
//! same scenarios run on Redis in `services`).

use crate::support::account_suite;

#[tokio::test]
async fn login_by_name_or_email() {
    account_suite::login_by_name_or_email(|b| b).await;
}

#[tokio::test]
async fn sign_in_on_registration() {
    account_suite::sign_in_on_registration(|b| b).await;
}

#[tokio::test]
async fn tokens_in_cookies() {
    account_suite::tokens_in_cookies(|b| b).await;
}

#[tokio::test]
async fn disable_ends_every_credential() {
    account_suite::disable_ends_every_credential(|b| b).await;
}
