//! Two user types in one application (issue 13 item 5), on one in-memory store shared
//! by both gates: every cross-over of a token, refresh token, session, API key or
//! confirmation link is refused with 401 (403 for the link), with the realms named and
//! with the realms derived from the types (`tests/support/isolation_suite.rs`; the same
//! scenarios run on one shared Redis store in `services`).

use std::sync::Arc;

use crate::support::AllInMemory;
use crate::support::isolation_suite::{self, Realms};

macro_rules! in_memory {
    ($($name:ident),+ $(,)?) => {
        mod named {
            use super::*;
            $(
                #[tokio::test]
                async fn $name() {
                    isolation_suite::$name(Arc::new(AllInMemory::default()), Realms::Named).await;
                }
            )+
        }
        mod derived {
            use super::*;
            $(
                #[tokio::test]
                async fn $name() {
                    isolation_suite::$name(Arc::new(AllInMemory::default()), Realms::Derived).await;
                }
            )+
        }
    };
}

in_memory![
    tokens_do_not_cross,
    foreign_realm_claims_are_refused,
    sessions_do_not_cross,
    api_keys_do_not_cross,
    confirmation_links_follow_the_prefix_and_do_not_cross,
    throttles_and_cut_offs_stay_per_type,
];
