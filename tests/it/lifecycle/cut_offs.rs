//! "Revoke everything issued before T" on the in-memory stores
//! (`tests/support/cut_off_suite.rs`; the same scenarios run on Redis in `services`).

use crate::support::cut_off_suite;
use crate::support::{builder, users};

#[tokio::test]
async fn user_cut_off_ends_their_credentials() {
    cut_off_suite::user_cut_off_ends_their_credentials(builder(users())).await;
}

#[tokio::test]
async fn global_cut_off_ends_every_credential() {
    cut_off_suite::global_cut_off_ends_every_credential(builder(users())).await;
}
