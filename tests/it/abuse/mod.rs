//! Abuse resistance (issue 14): each module reproduces one attack an outsider could
//! mount without any credential and shows that it now fails. Redis variants of the
//! stateful ones are in `tests/services/`, reference-server rows in `tests/e2e/`.

mod csrf;
mod full_stores;
mod redacted;
mod safe_defaults;
mod throttling;
mod time_claims;
