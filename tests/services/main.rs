//! Tests that need an external service, under one runner (`libtest-mimic`):
//!
//! * `redis_stores::*`: the store suite (`tests/support/store_suite.rs`) against
//!   `RedisStore` on the local Redis (127.0.0.1:6379 or `PORTCULLIS_REDIS_URL`);
//! * `redis_faults::*`: `RedisStore` while its server is down, hung or restarted, two
//!   stores on one server, key expiry — each against a `redis-server` of its own;
//! * `redis_shared::*`: two application instances on one Redis, over HTTP;
//! * `redis_abuse::*`: the stateful abuse scenarios of `tests/support/abuse_suite.rs`;
//! * `redis_accounts::*`: the auth router's account features of `tests/support/account_suite.rs`;
//! * `redis_cut_offs::*`: "revoke everything issued before T" (`tests/support/cut_off_suite.rs`);
//! * `redis_isolation::*`: two user types sharing one Redis store (`tests/support/isolation_suite.rs`);
//! * `redis_cluster::*`: the store suite, key spreading and the two-instance HTTP
//!   scenarios on a local three-master Redis Cluster that the run starts (with
//!   `redis-server` and `redis-cli`) and stops at its end;
//! * `idp_provider::*`: identity-provider tokens against a real OpenID provider
//!   (`oidc-provider` on Node.js, `tests/support/idp/`): end to end, rotation, forged
//!   kids, provider down, keys without `alg`, introspection;
//! * `redis_passwords::*`: the auth router's password change and reset
//!   (`tests/support/password_suite.rs`) with every store in Redis;
//! * `smtp_mailer::*`: `SmtpMailer` against a real SMTP server (nodemailer's
//!   `smtp-server` on Node.js, `tests/support/smtp_sink.rs`), a reset mail end to end;
//! * `postgres_users::*`: the sqlx user-store suite of `tests/support/sqlx_users.rs` (SQLite in `tests/it`) on
//!   PostgreSQL (127.0.0.1:5432, database `test`, or `PORTCULLIS_POSTGRES_URL`), a
//!   schema per trial.
//!
//! A trial whose service does not answer (or without `redis-server` on PATH) is
//! reported ignored, with the reason; with `PORTCULLIS_REQUIRE_REDIS=1` /
//! `PORTCULLIS_REQUIRE_POSTGRES=1` (as in `.ci/run`) it fails instead (see `tests/support/services.rs`). Each async trial runs
//! on a tokio runtime of its own.

#[path = "../support/idp/mod.rs"]
mod idp;
#[path = "../support/services.rs"]
mod services;
#[path = "../support/smtp_sink.rs"]
mod smtp_sink;
// Each binary uses a part of the shared support.
#[allow(unused_imports)]
#[path = "../support/mod.rs"]
mod support;

mod idp_provider;
mod postgres_users;
mod redis_abuse;
mod redis_accounts;
mod redis_cluster;
mod redis_cut_offs;
mod redis_faults;
mod redis_isolation;
mod redis_passwords;
mod redis_server;
mod redis_shared;
mod redis_stores;
mod smtp_mailer;

use services::{POSTGRES, REDIS, REDIS_SERVER, Service, tokio_trial};

static NEEDS_POSTGRES: [&Service; 1] = [&POSTGRES];
static NEEDS_REDIS: [&Service; 1] = [&REDIS];
static NEEDS_REDIS_SERVER: [&Service; 1] = [&REDIS_SERVER];
static IDP: Service = Service::new(idp::NAME, idp::VARIABLE, idp::HINT, idp::probe);
static NEEDS_IDP: [&Service; 1] = [&IDP];
static SMTP: Service = Service::new(
    smtp_sink::NAME,
    smtp_sink::VARIABLE,
    smtp_sink::HINT,
    smtp_sink::probe,
);
static NEEDS_SMTP: [&Service; 1] = [&SMTP];

fn main() {
    let mut trials = redis_stores::trials();
    trials.extend(redis_abuse::trials());
    trials.extend(redis_accounts::trials());
    trials.extend(redis_cut_offs::trials());
    trials.extend(redis_isolation::trials());
    trials.extend(redis_passwords::trials());
    trials.extend([
        tokio_trial(
            "smtp_mailer::a_reset_link_arrives_through_smtp_and_works",
            &NEEDS_SMTP,
            2,
            smtp_mailer::a_reset_link_arrives_through_smtp_and_works,
        ),
        tokio_trial(
            "smtp_mailer::smtp_refusals_are_send_errors",
            &NEEDS_SMTP,
            2,
            smtp_mailer::smtp_refusals_are_send_errors,
        ),
    ]);
    trials.extend(redis_cluster::trials());
    trials.extend([
        tokio_trial(
            "redis_faults::every_method_fails_fast_while_redis_is_down",
            &NEEDS_REDIS_SERVER,
            2,
            redis_faults::every_method_fails_fast_while_redis_is_down,
        ),
        tokio_trial(
            "redis_faults::calls_time_out_while_redis_hangs_and_work_after",
            &NEEDS_REDIS_SERVER,
            2,
            redis_faults::calls_time_out_while_redis_hangs_and_work_after,
        ),
        tokio_trial(
            "redis_faults::http_answers_503_while_redis_is_down_and_recovers",
            &NEEDS_REDIS_SERVER,
            2,
            redis_faults::http_answers_503_while_redis_is_down_and_recovers,
        ),
        tokio_trial(
            "redis_faults::two_instances_share_one_redis",
            &NEEDS_REDIS_SERVER,
            4,
            redis_faults::two_instances_share_one_redis,
        ),
        tokio_trial(
            "redis_faults::every_key_expires_and_holds_no_plain_secret",
            &NEEDS_REDIS_SERVER,
            2,
            redis_faults::every_key_expires_and_holds_no_plain_secret,
        ),
        tokio_trial(
            "redis_shared::throttling_is_shared",
            &NEEDS_REDIS,
            1,
            redis_shared::throttling_is_shared,
        ),
        tokio_trial(
            "redis_shared::refresh_rotation_and_logout_are_shared",
            &NEEDS_REDIS,
            1,
            redis_shared::refresh_rotation_and_logout_are_shared,
        ),
        tokio_trial(
            "redis_shared::sessions_are_shared",
            &NEEDS_REDIS,
            1,
            redis_shared::sessions_are_shared,
        ),
    ]);
    trials.extend([
        tokio_trial(
            "postgres_users::jwt_for_a_database_user_reads_roles_from_the_text_column",
            &NEEDS_POSTGRES,
            1,
            postgres_users::jwt_for_a_database_user_reads_roles_from_the_text_column,
        ),
        tokio_trial(
            "postgres_users::api_key_hash_stored_as_bytea",
            &NEEDS_POSTGRES,
            1,
            postgres_users::api_key_hash_stored_as_bytea,
        ),
        tokio_trial(
            "postgres_users::basic_against_an_argon2id_hash_in_the_table",
            &NEEDS_POSTGRES,
            1,
            postgres_users::basic_against_an_argon2id_hash_in_the_table,
        ),
        tokio_trial(
            "postgres_users::inactive_column_gives_403",
            &NEEDS_POSTGRES,
            1,
            postgres_users::inactive_column_gives_403,
        ),
        tokio_trial(
            "postgres_users::closed_pool_gives_503_never_200",
            &NEEDS_POSTGRES,
            1,
            postgres_users::closed_pool_gives_503_never_200,
        ),
        tokio_trial(
            "postgres_users::database_user_round_trips_through_serde",
            &NEEDS_POSTGRES,
            1,
            postgres_users::database_user_round_trips_through_serde,
        ),
    ]);
    trials.extend([
        tokio_trial(
            "idp_provider::client_credentials_tokens_are_verified_end_to_end",
            &NEEDS_IDP,
            2,
            idp_provider::client_credentials_tokens_are_verified_end_to_end,
        ),
        tokio_trial(
            "idp_provider::rotated_keys_are_accepted_without_a_restart",
            &NEEDS_IDP,
            2,
            idp_provider::rotated_keys_are_accepted_without_a_restart,
        ),
        tokio_trial(
            "idp_provider::forged_key_ids_cost_the_provider_at_most_one_fetch_per_interval",
            &NEEDS_IDP,
            2,
            idp_provider::forged_key_ids_cost_the_provider_at_most_one_fetch_per_interval,
        ),
        tokio_trial(
            "idp_provider::provider_down_keeps_its_keys_and_503_only_before_the_first_set",
            &NEEDS_IDP,
            2,
            idp_provider::provider_down_keeps_its_keys_and_503_only_before_the_first_set,
        ),
        tokio_trial(
            "idp_provider::keys_without_alg_are_used_with_the_inferred_algorithm",
            &NEEDS_IDP,
            2,
            idp_provider::keys_without_alg_are_used_with_the_inferred_algorithm,
        ),
        tokio_trial(
            "idp_provider::opaque_tokens_are_introspected_and_cached",
            &NEEDS_IDP,
            2,
            idp_provider::opaque_tokens_are_introspected_and_cached,
        ),
        tokio_trial(
            "idp_provider::introspected_users_are_named_by_username",
            &NEEDS_IDP,
            2,
            idp_provider::introspected_users_are_named_by_username,
        ),
    ]);
    // The fault trials time store calls (each must fail within 2 s); two at a time on
    // two cores, as the default test harness ran them.
    let conclusion = services::conclude(trials, 2);
    support::redis_cluster::stop_shared();
    conclusion.exit()
}
