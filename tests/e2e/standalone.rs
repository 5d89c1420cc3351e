//! Trials with servers of their own configuration (not contract rows of a backend):
//! configuration from the environment, the per-address throttle, JWKS-file tokens;
//! and the checks that the Redis and PostgreSQL backends really hold the state.

use serde_json::json;

use crate::backends::{Backend, redis_keys};
use crate::client::{Request, fresh_source};
use crate::jwt::{mint_hs256, verify_hs256};
use crate::rows_accounts::register_rows;
use crate::rows_credentials::{logout_rows, refresh_rows, session_rows};
use crate::rows_users::throttle_rows;
use crate::server::{JWT_SECRET, Server};
use crate::suite::*;

/// The other configuration variables of §5: issuer, audience and TTLs from the
/// environment, refresh tokens that expire, production-mode cookies (`__Host-` prefix,
/// `Secure`) without `/dev/outbox`, and seeding: `PORTCULLIS_SEED=1` seeds outside
/// development mode, `0` never seeds, unset seeds only in development mode.
pub fn configuration_from_the_environment() {
    let server = Server::start(
        "config",
        None,
        &[
            ("PORTCULLIS_DEV", "0"),
            ("PORTCULLIS_SEED", "1"),
            ("PORTCULLIS_JWT_ISSUER", "e2e-issuer"),
            ("PORTCULLIS_JWT_AUDIENCE", "e2e-audience"),
            ("PORTCULLIS_ACCESS_TTL", "60"),
            ("PORTCULLIS_REFRESH_TTL", "1"),
        ],
    );
    let login = |server: &Server, name: &str| {
        server.send(
            Request::post("/auth/login")
                .json(&json!({ "username": name, "password": format!("{name}-password-1") })),
        )
    };
    let response = login(&server, "alice");
    response.expect(200, "login with short TTLs");
    let pair = response.json();
    assert_eq!(pair["expires_in"], 60, "{pair}");
    let access = pair["access_token"].as_str().expect("access_token");
    let refresh = pair["refresh_token"].as_str().expect("refresh_token").to_owned();
    let (_, claims) = verify_hs256(access, JWT_SECRET);
    assert_eq!(claims["iss"], "e2e-issuer", "{claims}");
    assert!(
        claims["aud"] == "e2e-audience" || claims["aud"] == json!(["e2e-audience"]),
        "{claims}"
    );
    let (iat, exp) = (
        claims["iat"].as_i64().expect("iat"),
        claims["exp"].as_i64().expect("exp"),
    );
    assert_eq!(exp - iat, 60, "{claims}");
    server
        .send(Request::get("/me").bearer(access))
        .expect(200, "the configured issuer and audience are accepted");
    let iat = now();
    let default_issuer = mint_hs256(
        &json!({
            "sub": claims["sub"], "iss": ISSUER, "aud": AUDIENCE, "typ": "access",
            "jti": "e2e-config-0001", "iat": iat, "exp": iat + 60
        }),
        JWT_SECRET,
    );
    assert_invalid_token(
        &server.send(Request::get("/me").bearer(&default_issuer)),
        "a token with the default issuer and audience",
    );

    // Production mode: `__Host-portcullis_session` with `Secure`; no outbox.
    let what = "session login outside development mode";
    let response = server.send(
        Request::post("/session/login").json(&json!({ "username": "bob", "password": "bob-password-1" })),
    );
    response.expect(200, what);
    let set_cookie = response.header("set-cookie").expect("Set-Cookie");
    assert!(
        set_cookie.starts_with("__Host-portcullis_session="),
        "{what}: {set_cookie}"
    );
    let attributes: Vec<&str> = set_cookie.split(';').map(str::trim).collect();
    for attribute in ["Secure", "HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(
            attributes.contains(&attribute),
            "{what}: {attribute} in {set_cookie}"
        );
    }
    assert!(
        !attributes.iter().any(|a| a.starts_with("Domain")),
        "{what}: no Domain: {set_cookie}"
    );
    let cookie = attributes[0];
    let body = server.send(Request::get("/me").cookie(cookie)).json();
    assert_eq!(body["scheme"], "session", "{body}");
    let dev_name = cookie.replacen("__Host-", "", 1);
    server.send(Request::get("/me").cookie(&dev_name)).expect_error(
        401,
        "missing_credentials",
        "the dev-mode cookie name outside dev mode",
    );
    server
        .send(Request::get("/dev/outbox"))
        .expect(404, "no /dev/outbox outside development mode");

    // PORTCULLIS_REFRESH_TTL=1: the refresh token is dead two seconds later.
    std::thread::sleep(std::time::Duration::from_millis(2100));
    server
        .send(Request::post("/auth/refresh").json(&json!({ "refresh_token": refresh })))
        .expect_error(401, "invalid_token", "an expired refresh token");
    drop(server);

    // PORTCULLIS_SEED=0: no seed users, also in development mode.
    let server = Server::start("no-seed", None, &[("PORTCULLIS_SEED", "0")]);
    login(&server, "alice").expect_error(401, "invalid_credentials", "alice without seeding");
    let response = server.send(Request::get("/users").basic("alice", "alice-password-1"));
    response.expect(401, "Basic for alice without seeding");
    drop(server);

    // Outside development mode without PORTCULLIS_SEED: no admin with a published password.
    let server = Server::start("production-no-seed", None, &[("PORTCULLIS_DEV", "0")]);
    login(&server, "alice").expect_error(401, "invalid_credentials", "alice in production mode");
    login(&server, "bob").expect_error(401, "invalid_credentials", "bob in production mode");
}

/// DESIGN §5: "the first 5 failures *per username* in 15 min answer 401, from the 6th
/// attempt on 429". A user without any failure must be able to log in.
pub fn five_failures_of_other_users_do_not_lock_out_a_user() {
    let server = Server::start("throttle-address", None, &[]);
    let shared_address = fresh_source();
    for name in ["ann", "ben", "cid", "dan", "eve"] {
        server
            .send(
                Request::post("/auth/login")
                    .source(shared_address)
                    .json(&json!({ "username": name, "password": "a-wrong-password" })),
            )
            .expect_error(401, "invalid_credentials", &format!("one failed login of {name}"));
    }
    server
        .send(
            Request::post("/auth/login")
                .source(shared_address)
                .json(&json!({ "username": "alice", "password": "alice-password-1" })),
        )
        .expect(200, "alice (no failure of her own) logs in from the same address");
}

/// DESIGN §5, `PORTCULLIS_JWKS_FILE`: tokens of an external identity provider, signed
/// with its RSA and EC keys (each pinned to its `kid` and `alg` in the JWKS), are
/// accepted with the server's own `iss`/`aud` and a local user id as `sub`; a token
/// signed by another key under a known `kid`, or naming an unknown `kid`, is refused.
pub fn external_identity_provider_tokens_through_a_jwks_file() {
    use jsonwebtoken::jwk::{Jwk, JwkSet, KeyAlgorithm};
    use jsonwebtoken::{Algorithm, EncodingKey, Header};

    portcullis::install_crypto_provider();
    let rsa = EncodingKey::from_rsa_pem(include_bytes!("../keys/rsa2048.pem")).unwrap();
    let ec = EncodingKey::from_ec_pem(include_bytes!("../keys/ec256.pem")).unwrap();
    let attacker = EncodingKey::from_rsa_pem(include_bytes!("../keys/attacker_rsa.pem")).unwrap();
    let public = |key: &EncodingKey, alg: Algorithm, kid: &str| {
        let mut jwk = Jwk::from_encoding_key(key, alg).unwrap();
        jwk.common.key_id = Some(kid.to_owned());
        jwk.common.key_algorithm = Some(match alg {
            Algorithm::RS256 => KeyAlgorithm::RS256,
            _ => KeyAlgorithm::ES256,
        });
        jwk
    };
    let jwks = JwkSet {
        keys: vec![
            public(&rsa, Algorithm::RS256, "idp-rsa"),
            public(&ec, Algorithm::ES256, "idp-ec"),
        ],
    };
    let dir = std::env::temp_dir().join(format!("portcullis-jwks-{}-{}", std::process::id(), now()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("jwks.json");
    std::fs::write(&file, serde_json::to_string(&jwks).unwrap()).unwrap();

    let server = Server::start("jwks", None, &[("PORTCULLIS_JWKS_FILE", file.to_str().unwrap())]);
    let token = |alg: Algorithm, kid: &str, key: &EncodingKey| {
        let mut header = Header::new(alg);
        header.kid = Some(kid.to_owned());
        let claims = json!({
            "sub": "2", "iss": "portcullis-reference", "aud": "reference-api", "typ": "access",
            "iat": now(), "exp": now() + 300, "jti": format!("idp-{kid}-{}", now()),
        });
        jsonwebtoken::encode(&header, &claims, key).unwrap()
    };
    for (alg, kid, key) in [
        (Algorithm::RS256, "idp-rsa", &rsa),
        (Algorithm::ES256, "idp-ec", &ec),
    ] {
        let response = server.send(Request::get("/me").bearer(&token(alg, kid, key)));
        response.expect(200, &format!("an IdP token signed with {kid}"));
        let body = response.json();
        assert_eq!(
            (body["username"].clone(), body["scheme"].clone()),
            (json!("carol"), json!("jwt")),
            "{body}"
        );
    }
    server
        .send(Request::get("/me").bearer(&token(Algorithm::RS256, "idp-rsa", &attacker)))
        .expect_error(401, "invalid_token", "another key under the IdP's kid");
    server
        .send(Request::get("/me").bearer(&token(Algorithm::RS256, "nobody", &rsa)))
        .expect_error(401, "invalid_token", "an unknown kid");
    server
        .send(Request::get("/me").bearer(&token(Algorithm::PS256, "idp-rsa", &rsa)))
        .expect_error(401, "invalid_token", "an algorithm the kid is not pinned to");
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
}

/// With Redis stores, revocations, refresh families, sessions and throttle counters
/// really live in Redis, under the server's prefix (the rows that create each kind
/// run first: logout, refresh, sessions, throttling).
pub fn state_lives_in_redis(label: &str) {
    let running = Backend::Redis.start(label);
    let t = Suite {
        label,
        server: &running.server,
    };
    let seeds = t.seeds();
    refresh_rows(&t, &seeds.bob);
    logout_rows(&t, &seeds.bob);
    session_rows(&t, &seeds.carol);
    throttle_rows(&t, &seeds.alice);
    let prefix = running.redis.as_ref().expect("a Redis backend has a prefix");
    let keys = redis_keys(prefix.as_str());
    // (`rf`: one key per refresh family, whatever its rotations — no per-token keys.)
    for kind in ["rv", "rf", "ss", "th"] {
        let infix = format!("{}:{kind}:", prefix.as_str());
        assert!(
            keys.iter().any(|k| k.starts_with(&infix)),
            "revocations, refresh families, sessions and throttle counters live in Redis: no {infix}* in {keys:?}"
        );
    }
    let per_token = format!("{}:rt:", prefix.as_str());
    assert!(!keys.iter().any(|k| k.starts_with(&per_token)), "{keys:?}");
}

/// On PostgreSQL, the rows are in the trial's schema (the `search_path` option took
/// effect): the seed users and the registered ones (the rows that register run first).
pub fn rows_live_in_the_schema(label: &str) {
    let running = Backend::Postgres.start(label);
    let t = Suite {
        label,
        server: &running.server,
    };
    let seeds = t.seeds();
    register_rows(&t);
    t.dave();
    throttle_rows(&t, &seeds.alice);
    let crate::backends::Running { server, postgres, .. } = running;
    drop(server);
    let schema = postgres.expect("a PostgreSQL backend has a schema");
    let users = schema.scalar("SELECT COUNT(*) FROM users");
    assert!(
        users >= 6,
        "seed and registered users in schema {}: {users}",
        schema.name()
    );
    let qualified = schema.scalar(&format!(
        "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = '{}'",
        schema.name()
    ));
    assert_eq!(qualified, 3, "users, api_keys and posts in {}", schema.name());
}

/// The reference server's audit events (`RUST_LOG=portcullis::audit=info`): a login,
/// and the API key it creates and deletes through `portcullis::audit`, with the user
/// and the key's id — and neither the password, the tokens nor the key in the log.
pub fn audit_events_in_the_log() {
    let server = Server::start("audit", None, &[("RUST_LOG", "warn,portcullis::audit=info")]);
    let password = "alice-password-1";
    let response =
        server.send(Request::post("/auth/login").json(&json!({ "username": "alice", "password": password })));
    response.expect(200, "alice logs in");
    let pair = response.json();
    let access = pair["access_token"].as_str().expect("access_token").to_owned();
    let refresh = pair["refresh_token"].as_str().expect("refresh_token").to_owned();
    let created = server.send(Request::post("/api-keys").bearer(&access));
    created.expect(201, "alice creates a key");
    let body = created.json();
    let (key_id, key) = (
        body["id"].as_i64().expect("id"),
        body["key"].as_str().expect("key").to_owned(),
    );
    server
        .send(Request::delete(&format!("/api-keys/{key_id}")).bearer(&access))
        .expect(204, "alice deletes her key");
    let log = server.log();
    let line = |event: &str| {
        let quoted = format!("event=\"{event}\"");
        log.lines()
            .find(|line| line.contains(&quoted) && line.contains("portcullis::audit"))
            .unwrap_or_else(|| panic!("{event} in the log:\n{log}"))
    };
    assert!(line("login.succeeded").contains("user=1"), "{log}");
    for event in ["api_key.created", "api_key.deleted"] {
        let line = line(event);
        assert!(
            line.contains("user=1") && line.contains(&format!("key_id={key_id}")),
            "{line}"
        );
    }
    for (what, secret) in [
        ("the password", password),
        ("the access token", &access),
        ("the refresh token", &refresh),
        ("the key", &key),
    ] {
        assert!(!log.contains(secret), "{what} in the log:\n{log}");
    }
}
