//! Authentication by each scheme, the application's API-key events, the public methods
//! without a request, and request ids; each test ends with the search for its secrets.

use super::capture::Capture;
use super::*;

#[tokio::test]
async fn every_scheme_audits_its_successes_and_failures_and_absent_credentials_are_no_event() {
    let w = world();
    let (capture, _guard) = Capture::start();
    let client = ("client", CLIENT);
    let (access, _) = pair(
        &call(
            &w,
            "req-login",
            post_json("/auth/login", &credentials("alice", ALICE_PASSWORD)),
        )
        .await,
    );
    let bearer = format!("Bearer {access}");
    // Alice's claims signed with another secret.
    let forged = crate::support::hs256_with(
        b"another-secret-0123456789-abcdefghij-XYZ",
        &crate::support::claims("1"),
    );
    let forged_bearer = format!("Bearer {forged}");
    let basic_ok = crate::support::basic("alice", ALICE_PASSWORD);
    let basic_wrong = crate::support::basic("alice", "not-alice-password");

    let cases: [(&str, &str, &str, &str, StatusCode); 8] = [
        ("req-jwt-ok", "/jwt", "authorization", &bearer, StatusCode::OK),
        (
            "req-jwt-forged",
            "/jwt",
            "authorization",
            &forged_bearer,
            StatusCode::UNAUTHORIZED,
        ),
        (
            "req-jwt-malformed",
            "/jwt",
            "authorization",
            "Bearer a b",
            StatusCode::UNAUTHORIZED,
        ),
        ("req-key-ok", "/api-key", "x-api-key", BOB_KEY, StatusCode::OK),
        (
            "req-key-wrong",
            "/api-key",
            "x-api-key",
            "pk_unknown_audit_0123456789abcdef",
            StatusCode::UNAUTHORIZED,
        ),
        (
            "req-basic-ok",
            "/basic",
            "authorization",
            &basic_ok,
            StatusCode::OK,
        ),
        (
            "req-basic-wrong",
            "/basic",
            "authorization",
            &basic_wrong,
            StatusCode::UNAUTHORIZED,
        ),
        (
            "req-anonymous",
            "/jwt",
            "x-nothing",
            "-",
            StatusCode::UNAUTHORIZED,
        ),
    ];
    for (id, uri, header, value, status) in cases {
        assert_eq!(
            call(&w, id, get_with(uri, header, value)).await.status,
            status,
            "{id}"
        );
    }
    capture.expect(
        "auth.succeeded",
        "req-jwt-ok",
        DEBUG,
        &[("scheme", "jwt"), ("user", "1"), client],
    );
    let event = capture
        .audit()
        .into_iter()
        .find(|s| s.fields.get("request_id").map(String::as_str) == Some("req-jwt-forged"));
    let detail = event.expect("the forged token's event").fields["detail"].clone();
    let forged_fields = [
        ("scheme", "jwt"),
        ("reason", "invalid_token"),
        ("detail", detail.as_str()),
        client,
    ];
    capture.expect("auth.failed", "req-jwt-forged", INFO, &forged_fields);
    let malformed = [
        ("scheme", "jwt"),
        ("reason", "invalid_request"),
        ("detail", "the Bearer credentials are malformed"),
        client,
    ];
    capture.expect("auth.failed", "req-jwt-malformed", INFO, &malformed);
    // A refusal that names no scheme is reported under the scheme being read.
    let two = Request::get("/jwt")
        .header("authorization", &bearer)
        .header("authorization", &bearer)
        .body(Body::empty())
        .unwrap();
    assert_eq!(
        call(&w, "req-two-headers", two).await.status,
        StatusCode::UNAUTHORIZED
    );
    let two_headers = [
        ("scheme", "jwt"),
        ("reason", "invalid_request"),
        ("detail", "send a single Authorization header"),
        client,
    ];
    capture.expect("auth.failed", "req-two-headers", INFO, &two_headers);
    capture.expect(
        "auth.succeeded",
        "req-key-ok",
        DEBUG,
        &[("scheme", "api_key"), ("user", "2"), client],
    );
    let unknown_key = [
        ("scheme", "api_key"),
        ("reason", "invalid_credentials"),
        ("detail", "the API key is not valid"),
        client,
    ];
    capture.expect("auth.failed", "req-key-wrong", INFO, &unknown_key);
    capture.expect(
        "auth.succeeded",
        "req-basic-ok",
        DEBUG,
        &[("scheme", "basic"), ("user", "1"), client],
    );
    let wrong = [
        ("scheme", "basic"),
        ("reason", "invalid_credentials"),
        ("detail", "invalid user name or password"),
        client,
    ];
    capture.expect("auth.failed", "req-basic-wrong", INFO, &wrong);
    assert!(
        capture.events_of("req-anonymous").is_empty(),
        "{:?}",
        capture.audit()
    );

    capture.assert_free_of(&[
        ("alice's password", ALICE_PASSWORD),
        ("a wrong password", "not-alice-password"),
        ("the access token", &access),
        ("the forged token", &forged),
        ("bob's API key", BOB_KEY),
        ("an unknown API key", "pk_unknown_audit_0123456789abcdef"),
        ("the Basic credentials", basic_ok.trim_start_matches("Basic ")),
        (
            "the wrong Basic credentials",
            basic_wrong.trim_start_matches("Basic "),
        ),
        ("the HMAC secret", hmac_secret()),
    ]);
}

#[tokio::test]
async fn the_application_reports_api_keys_with_the_client_the_gate_resolved_behind_a_proxy() {
    let w = world();
    let (capture, _guard) = Capture::start();
    let (access, _) = pair(
        &call(
            &w,
            "req-login",
            post_json("/auth/login", &credentials("alice", ALICE_PASSWORD)),
        )
        .await,
    );
    let bearer = format!("Bearer {access}");
    // Through the trusted proxy, which names the client.
    let forwarded = "198.51.100.7";
    let create = Request::post("/api-keys")
        .header("authorization", &bearer)
        .header("x-forwarded-for", forwarded)
        .body(Body::empty())
        .unwrap();
    let r = send(&w.app, from(PROXY, "req-key-create", create)).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let key = r.body["key"].as_str().unwrap().to_owned();
    let behind_proxy = ("client", forwarded);
    capture.expect(
        "auth.succeeded",
        "req-key-create",
        DEBUG,
        &[("scheme", "jwt"), ("user", "1"), behind_proxy],
    );
    capture.expect(
        "api_key.created",
        "req-key-create",
        INFO,
        &[("user", "1"), ("key_id", "77"), behind_proxy],
    );
    // The new key works; deleting it is reported too (directly from the client).
    let r = call(&w, "req-key-use", get_with("/api-key", "x-api-key", &key)).await;
    assert_eq!(r.status, StatusCode::OK);
    capture.expect(
        "auth.succeeded",
        "req-key-use",
        DEBUG,
        &[("scheme", "api_key"), ("user", "1"), ("client", CLIENT)],
    );
    let remove = Request::delete("/api-keys/77")
        .header("authorization", &bearer)
        .body(Body::empty())
        .unwrap();
    assert_eq!(
        call(&w, "req-key-delete", remove).await.status,
        StatusCode::NO_CONTENT
    );
    capture.expect(
        "api_key.deleted",
        "req-key-delete",
        INFO,
        &[("user", "1"), ("key_id", "77"), ("client", CLIENT)],
    );

    capture.assert_free_of(&[
        ("alice's password", ALICE_PASSWORD),
        ("the access token", &access),
        ("the generated API key", &key),
        ("the HMAC secret", hmac_secret()),
    ]);
}

#[tokio::test]
async fn the_public_methods_audit_what_they_know_without_a_request() {
    let w = world();
    let (capture, _guard) = Capture::start();
    let client: std::net::IpAddr = CLIENT.parse().unwrap();
    let logged_in = w.auth.login("alice", ALICE_PASSWORD, Some(client)).await.unwrap();
    capture.expect_where(
        "login.succeeded",
        None,
        INFO,
        &[("user", "1"), ("client", CLIENT)],
    );
    let pair = w.auth.issue_tokens(&logged_in.user, None).await.unwrap();
    let (_, refreshed) = w.auth.refresh_tokens(&pair.refresh_token).await.unwrap();
    capture.expect_where("token.refreshed", None, INFO, &[("scheme", "jwt"), ("user", "1")]);
    let (parts, ()) = Request::get("/")
        .header("authorization", format!("Bearer {}", refreshed.access_token))
        .body(())
        .unwrap()
        .into_parts();
    let (_, info) = w
        .auth
        .authenticate::<(portcullis::schemes::Jwt,)>(&parts)
        .await
        .unwrap()
        .unwrap();
    w.auth.revoke_access(&info).await.unwrap();
    capture.expect_where("token.revoked", None, INFO, &[("scheme", "jwt"), ("user", "1")]);
    w.auth
        .logout(Some(&refreshed.refresh_token), &info)
        .await
        .unwrap();
    capture.expect_where("logout", None, INFO, &[("scheme", "jwt"), ("user", "1")]);

    capture.assert_free_of(&[
        ("alice's password", ALICE_PASSWORD),
        ("an access token", &pair.access_token),
        ("a refresh token", &pair.refresh_token),
        ("an access token", &refreshed.access_token),
        ("a refresh token", &refreshed.refresh_token),
    ]);
}

#[tokio::test]
async fn request_ids_are_cut_and_sanitised() {
    let w = world();
    let (capture, _guard) = Capture::start();
    let long = format!("abc DEF\"{}", "0123456789".repeat(10));
    let mut request = get_with("/api-key", "x-api-key", BOB_KEY);
    request
        .headers_mut()
        .insert("x-request-id", long.parse().unwrap());
    let peer = SocketAddr::new(CLIENT.parse().unwrap(), 50_000);
    request.extensions_mut().insert(ConnectInfo(peer));
    assert_eq!(send(&w.app, request).await.status, StatusCode::OK);
    let expected: String = format!("abc_DEF_{}", "0123456789".repeat(10))
        .chars()
        .take(64)
        .collect();
    capture.expect(
        "auth.succeeded",
        &expected,
        DEBUG,
        &[("scheme", "api_key"), ("user", "2"), ("client", CLIENT)],
    );
    // Bytes outside ASCII are replaced one by one.
    let mut request = get_with("/api-key", "x-api-key", BOB_KEY);
    let raw = http::HeaderValue::from_bytes(b"id-\xff\xfe-1").unwrap();
    request.headers_mut().insert("x-request-id", raw);
    assert_eq!(send(&w.app, request).await.status, StatusCode::OK);
    assert_eq!(capture.events_of("id-__-1"), ["auth.succeeded"]);
}
