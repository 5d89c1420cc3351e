//! The row group of `/posts`: create, list, edit and delete with owner checks.
use serde_json::json;

use crate::client::{Request, Response};
use crate::suite::*;

/// `GET/POST /posts`, `PUT/DELETE /posts/{id}`.
pub fn post_rows(t: &Suite<'_>, alice: &Account, bob: &Account, carol: &Account) {
    // POST: jwt, session + CSRF, api_key; 401 anonymous.
    let published = t.create_post(
        Request::post("/posts").bearer(&bob.access),
        "bob published",
        true,
        bob.id,
    );
    let session = t.session(&bob.name, &bob.password);
    let draft = t.create_post(
        Request::post("/posts")
            .cookie(&session.cookie)
            .csrf(&session.csrf),
        "bob draft",
        false,
        bob.id,
    );
    let same_origin = format!("http://127.0.0.1:{}", t.server.port());
    t.create_post(
        Request::post("/posts")
            .cookie(&session.cookie)
            .csrf(&session.csrf)
            .header("Origin", &same_origin),
        "bob same-origin",
        true,
        bob.id,
    );
    let (_, carol_key) = t.create_api_key(Request::post("/api-keys").bearer(&carol.access), "carol's key");
    let carol_post = t.create_post(
        Request::post("/posts").api_key(&carol_key),
        "carol via key",
        true,
        carol.id,
    );
    t.send(Request::post("/posts").json(&Suite::post_json("anonymous", true)))
        .expect_error(401, "missing_credentials", &t.at("POST /posts anonymously"));
    t.send(
        Request::post("/posts")
            .basic(&bob.name, &bob.password)
            .json(&Suite::post_json("basic", true)),
    )
    .expect(401, &t.at("POST /posts with Basic (not accepted there)"));
    t.send(
        Request::post("/posts")
            .bearer(&bob.access)
            .json(&json!({ "title": "", "body": "x" })),
    )
    .expect_error(400, "invalid_input", &t.at("POST /posts with an empty title"));

    // GET: anonymous sees published posts only; authenticated sees drafts too.
    let ids = |response: &Response, what: &str| -> Vec<i64> {
        response.expect(200, what);
        let posts = response.json();
        posts
            .as_array()
            .unwrap_or_else(|| panic!("{what}: a list: {posts}"))
            .iter()
            .map(|p| p["id"].as_i64().expect("post id"))
            .collect()
    };
    let what = t.at("GET /posts anonymously");
    let response = t.send(Request::get("/posts"));
    let anonymous = ids(&response, &what);
    assert!(
        anonymous.contains(&published) && anonymous.contains(&carol_post),
        "{what}: {anonymous:?}"
    );
    assert!(!anonymous.contains(&draft), "{what}: no drafts: {anonymous:?}");
    assert!(
        response
            .json()
            .as_array()
            .expect("list")
            .iter()
            .all(|p| p["published"] == true),
        "{what}: published only"
    );
    let what = t.at("GET /posts authenticated");
    let all = ids(&t.send(Request::get("/posts").bearer(&carol.access)), &what);
    assert!(
        all.contains(&draft) && all.contains(&published),
        "{what}: drafts too: {all:?}"
    );
    t.send(Request::get("/posts").bearer("not.a.token")).expect(
        401,
        &t.at("GET /posts with a broken token (fail closed, not anonymous)"),
    );

    // PUT: owner or admin; 403 other user; 404 missing.
    let update = |request: Request, title: &str| {
        t.send(request.json(&json!({ "title": title, "body": "edited", "published": true })))
    };
    let what = t.at("bob edits his post");
    let response = update(
        Request::put(&format!("/posts/{draft}")).bearer(&bob.access),
        "bob edited",
    );
    response.expect(200, &what);
    let body = response.json();
    assert_eq!(
        (
            body["id"].as_i64(),
            body["title"].as_str(),
            body["author_id"].as_i64(),
            body["published"].as_bool()
        ),
        (Some(draft), Some("bob edited"), Some(bob.id), Some(true)),
        "{what}: {body}"
    );
    let response = update(
        Request::put(&format!("/posts/{draft}"))
            .cookie(&session.cookie)
            .csrf(&session.csrf),
        "bob edited by session",
    );
    response.expect(200, &t.at("bob edits his post over the session"));
    let response = update(
        Request::put(&format!("/posts/{draft}")).bearer(&alice.access),
        "alice edited",
    );
    response.expect(200, &t.at("alice (admin) edits bob's post"));
    assert_eq!(response.json()["author_id"], bob.id, "the author stays bob");
    assert_insufficient_scope(
        &update(
            Request::put(&format!("/posts/{draft}")).bearer(&carol.access),
            "carol edited",
        ),
        &t.at("carol (moderator, not owner) edits bob's post"),
    );
    assert_insufficient_scope(
        &update(
            Request::put(&format!("/posts/{carol_post}")).bearer(&bob.access),
            "bob edited",
        ),
        &t.at("bob edits carol's post"),
    );
    update(
        Request::put(&format!("/posts/{MISSING_ID}")).bearer(&bob.access),
        "nothing",
    )
    .expect_error(404, "not_found", &t.at("PUT a missing post"));
    update(
        Request::put(&format!("/posts/{draft}")).api_key(&carol_key),
        "by key",
    )
    .expect(401, &t.at("PUT with an API key (jwt, session only)"));
    update(Request::put(&format!("/posts/{draft}")), "anonymous").expect_error(
        401,
        "missing_credentials",
        &t.at("PUT anonymously"),
    );
    let what = t.at("the post after the edits");
    let all = t.send(Request::get("/posts")).json();
    let post = all
        .as_array()
        .expect("list")
        .iter()
        .find(|p| p["id"] == draft)
        .unwrap_or_else(|| panic!("{what}: published now: {all}"))
        .clone();
    assert_eq!(post["title"], "alice edited", "{what}: {post}");

    // DELETE: owner, moderator or admin; 403 other user; 404.
    let mk = |title: &str| t.create_post(Request::post("/posts").bearer(&bob.access), title, true, bob.id);
    let (by_owner, by_session, by_moderator, by_admin) = (mk("d1"), mk("d2"), mk("d3"), mk("d4"));
    let delete = |id: i64, request: Request, status: u16, what: &str| {
        let what = t.at(what);
        let response = t.send(request);
        response.expect(status, &what);
        if status == 204 {
            assert!(response.body.is_empty(), "{what}: no body");
            assert!(
                !ids(&t.send(Request::get("/posts")), &what).contains(&id),
                "{what}: gone"
            );
        }
        response
    };
    assert_insufficient_scope(
        &delete(
            carol_post,
            Request::delete(&format!("/posts/{carol_post}")).bearer(&bob.access),
            403,
            "bob deletes carol's post",
        ),
        &t.at("bob deletes carol's post"),
    );
    delete(
        by_owner,
        Request::delete(&format!("/posts/{by_owner}")).bearer(&bob.access),
        204,
        "owner deletes",
    );
    delete(
        by_session,
        Request::delete(&format!("/posts/{by_session}"))
            .cookie(&session.cookie)
            .csrf(&session.csrf),
        204,
        "owner deletes over the session",
    );
    delete(
        by_moderator,
        Request::delete(&format!("/posts/{by_moderator}")).bearer(&carol.access),
        204,
        "moderator deletes",
    );
    delete(
        by_admin,
        Request::delete(&format!("/posts/{by_admin}")).bearer(&alice.access),
        204,
        "admin deletes",
    );
    delete(
        by_owner,
        Request::delete(&format!("/posts/{by_owner}")).bearer(&bob.access),
        404,
        "delete again",
    )
    .expect_error(404, "not_found", &t.at("delete again"));
    delete(
        MISSING_ID,
        Request::delete(&format!("/posts/{MISSING_ID}")).bearer(&alice.access),
        404,
        "delete missing",
    )
    .expect_error(404, "not_found", &t.at("delete missing"));
    delete(
        carol_post,
        Request::delete(&format!("/posts/{carol_post}")),
        401,
        "delete anonymously",
    );
    assert!(
        ids(&t.send(Request::get("/posts")), "posts").contains(&carol_post),
        "{}",
        t.at("carol's post survived the refused deletes")
    );
}
