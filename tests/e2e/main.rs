//! The reference server (`examples/reference`) against its HTTP contract (DESIGN §5),
//! end to end: the real example binary on a free loopback port, driven over real TCP
//! with `reqwest`. Every row of the contract table is exercised with its status codes,
//! headers and bodies — register, login (with throttling), refresh rotation and reuse
//! detection, logout, sessions with CSRF, `/me` for every scheme, API keys, roles and
//! permissions, posts with owner checks, username changes, e-mail confirmation, login by
//! e-mail, disabling accounts, sign-in on registration, tokens in cookies, password
//! change and reset —
//! and the access-token claims are checked byte for byte.
//!
//! A custom runner (`libtest-mimic`) reports one trial per backend and row group, e.g.
//! `sqlite::register_rows`, `redis::session_rows`, `postgres::post_rows`, so that every
//! failure shows. Each trial starts its own server on fresh state (a SQLite file, a
//! Redis key prefix, a PostgreSQL schema of its own) and logs the seed users in, so
//! trials run in parallel and in any order. Redis and PostgreSQL trials are reported
//! ignored when the local service does not answer, and fail instead with
//! `PORTCULLIS_REQUIRE_REDIS=1` / `PORTCULLIS_REQUIRE_POSTGRES=1` (see
//! `tests/support/services.rs`).
//!
//! The quickstart example is checked the same way (`quickstart::answers_curl_requests`).
//!
//! The server binaries are the ones `cargo test` builds beside the tests; cargo does not
//! build examples for `--test e2e` alone: run
//! `cargo test --all-features --test e2e --example reference --example quickstart`.

#[path = "../support/idp/mod.rs"]
mod idp;
#[path = "../support/openapi_validator.rs"]
mod openapi_validator;
#[path = "../support/services.rs"]
mod services;

mod abuse;
mod access_matrix;
mod backends;
mod browser;
mod client;
mod jwt;
mod openapi;
mod provider;
mod quickstart;
mod rows_access;
mod rows_accounts;
mod rows_credentials;
mod rows_passwords;
mod rows_policies;
mod rows_posts;
mod rows_signin;
mod rows_users;
mod server;
mod standalone;
mod suite;

use backends::Backend;
use services::Service;

static IDP: Service = Service::new(idp::NAME, idp::VARIABLE, idp::HINT, idp::probe);
static NEEDS_IDP: [&Service; 1] = [&IDP];
static BROWSER: Service = Service::new(browser::NAME, browser::VARIABLE, browser::HINT, browser::probe);
static NEEDS_BROWSER: [&Service; 1] = [&BROWSER];
static OPENAPI_VALIDATOR: Service = Service::new(
    openapi_validator::NAME,
    openapi_validator::VARIABLE,
    openapi_validator::HINT,
    openapi_validator::probe,
);
static NEEDS_OPENAPI_VALIDATOR: [&Service; 1] = [&OPENAPI_VALIDATOR];
use suite::{Seeds, Suite};

/// A row group: run against a server on fresh state, with the seed users logged in.
type Group = fn(&Suite<'_>, &Seeds);

/// The contract's row groups, each a trial per backend.
const GROUPS: &[(&str, Group)] = &[
    ("access_token_claims", |t, s| {
        rows_accounts::access_token_claims(t, &s.alice)
    }),
    ("register_rows", |t, _| rows_accounts::register_rows(t)),
    ("login_failures_answer_alike", |t, s| {
        rows_accounts::login_failures_answer_alike(t, &s.bob)
    }),
    ("roles_come_from_the_database", |t, s| {
        rows_accounts::roles_come_from_the_database(t, &s.bob)
    }),
    ("me_for_every_scheme", |t, s| {
        rows_credentials::me_for_every_scheme(t, &s.bob)
    }),
    ("session_rows", |t, s| rows_credentials::session_rows(t, &s.carol)),
    ("refresh_rows", |t, s| rows_credentials::refresh_rows(t, &s.bob)),
    ("logout_rows", |t, s| rows_credentials::logout_rows(t, &s.bob)),
    ("logout_all_rows", |t, _| {
        let dave = t.dave();
        rows_credentials::logout_all_rows(t, &dave)
    }),
    ("api_key_rows", |t, s| {
        rows_access::api_key_rows(t, &s.alice, &s.bob, &s.carol)
    }),
    ("admin_and_users_rows", |t, s| {
        rows_access::admin_and_users_rows(t, &s.alice, &s.bob, &s.carol)
    }),
    ("post_rows", |t, s| {
        rows_posts::post_rows(t, &s.alice, &s.bob, &s.carol)
    }),
    ("policy_rows", |t, s| {
        rows_policies::policy_rows(t, &s.alice, &s.bob, &s.carol)
    }),
    ("change_username_rows", |t, s| {
        let dave = t.dave();
        rows_users::change_username_rows(t, &s.alice, &s.bob, &dave)
    }),
    ("confirmation_rows", |t, s| {
        let dave = t.dave();
        rows_users::confirmation_rows(t, &s.bob, &dave)
    }),
    ("throttle_rows", |t, s| rows_users::throttle_rows(t, &s.alice)),
    ("login_by_email_rows", |t, s| {
        rows_signin::login_by_email_rows(t, &s.bob)
    }),
    ("disable_rows", |t, s| {
        rows_signin::disable_rows(t, &s.alice, &s.bob)
    }),
    ("password_change_rows", |t, _| {
        let dave = t.dave();
        rows_passwords::password_change_rows(t, &dave)
    }),
    ("password_reset_rows", |t, _| {
        let dave = t.dave();
        rows_passwords::password_reset_rows(t, &dave)
    }),
];

fn main() {
    let mut trials = Vec::new();
    for backend in Backend::ALL {
        for &(group, run) in GROUPS {
            let name = format!("{}::{group}", backend.name());
            let label = name.clone();
            trials.push(services::trial(name, backend.needs(), move || {
                let running = backend.start(&label);
                let t = Suite {
                    label: &label,
                    server: &running.server,
                };
                let seeds = t.seeds();
                run(&t, &seeds);
            }));
        }
    }
    trials.push(services::trial(
        "redis::state_lives_in_redis",
        Backend::Redis.needs(),
        || standalone::state_lives_in_redis("redis::state_lives_in_redis"),
    ));
    trials.push(services::trial(
        "postgres::rows_live_in_the_schema",
        Backend::Postgres.needs(),
        || standalone::rows_live_in_the_schema("postgres::rows_live_in_the_schema"),
    ));
    let standalone: [(&str, fn()); 9] = [
        (
            "server::a_forgotten_annotation_stops_the_server",
            access_matrix::a_forgotten_annotation_stops_the_server,
        ),
        (
            "server::the_access_matrix_agrees_with_the_http_layer",
            access_matrix::the_access_matrix_agrees_with_the_http_layer,
        ),
        (
            "server::concurrent_registrations_keep_memory_bounded",
            abuse::concurrent_registrations_keep_memory_bounded,
        ),
        (
            "quickstart::answers_curl_requests",
            quickstart::quickstart_answers_curl_requests,
        ),
        (
            "server::configuration_from_the_environment",
            standalone::configuration_from_the_environment,
        ),
        (
            "server::five_failures_of_other_users_do_not_lock_out_a_user",
            standalone::five_failures_of_other_users_do_not_lock_out_a_user,
        ),
        (
            "server::external_identity_provider_tokens_through_a_jwks_file",
            standalone::external_identity_provider_tokens_through_a_jwks_file,
        ),
        (
            "server::audit_events_in_the_log",
            standalone::audit_events_in_the_log,
        ),
        (
            "server::sign_in_on_registration_into_token_cookies",
            rows_signin::sign_in_on_registration_into_token_cookies,
        ),
    ];
    for (name, test) in standalone {
        trials.push(services::trial(name, &[], test));
    }
    trials.push(services::trial(
        "openapi::operations_name_exactly_the_schemes_their_handlers_accept",
        &[],
        openapi::operations_name_exactly_the_schemes_their_handlers_accept,
    ));
    trials.push(services::trial(
        "openapi::the_document_is_valid_openapi_3_1",
        &NEEDS_OPENAPI_VALIDATOR,
        openapi::the_document_is_valid_openapi_3_1,
    ));
    let behind_a_provider: [(&str, fn()); 4] = [
        (
            "provider::provider_users_read_and_never_write_local_rows",
            provider::provider_users_read_and_never_write_local_rows,
        ),
        (
            "provider::opaque_provider_tokens_are_introspected",
            provider::opaque_provider_tokens_are_introspected,
        ),
        (
            "provider::the_server_starts_before_its_provider",
            provider::the_server_starts_before_its_provider,
        ),
        (
            "provider::a_plain_http_issuer_is_refused_outside_development_mode",
            provider::a_plain_http_issuer_is_refused_outside_development_mode,
        ),
    ];
    for (name, test) in behind_a_provider {
        trials.push(services::trial(name, &NEEDS_IDP, test));
    }
    trials.push(services::trial(
        "browser::chromium_logs_in_submits_forms_and_logs_out",
        &NEEDS_BROWSER,
        browser::chromium_logs_in_submits_forms_and_logs_out,
    ));
    // The trials mostly wait for their server (which hashes passwords): more threads
    // than cores pay off (47 trials: 16 s with 2 threads, 13 s with 4 on 2 cores).
    services::run(trials, 4);
}
