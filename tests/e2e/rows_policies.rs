//! The row group of the policy routes: `GET /posts/{id}` (a requirement on the returned
//! post, existence hidden) and `GET /posts/editable` (the returned list filtered by the
//! policy `PUT /posts/{id}` checks).
use serde_json::Value;

use crate::client::Request;
use crate::suite::*;

/// `GET /posts/{id}`, `GET /posts/editable`.
pub fn policy_rows(t: &Suite<'_>, alice: &Account, bob: &Account, carol: &Account) {
    let bob_public = t.create_post(
        Request::post("/posts").bearer(&bob.access),
        "bob public",
        true,
        bob.id,
    );
    let bob_draft = t.create_post(
        Request::post("/posts").bearer(&bob.access),
        "bob draft",
        false,
        bob.id,
    );
    let carol_draft = t.create_post(
        Request::post("/posts").bearer(&carol.access),
        "carol draft",
        false,
        carol.id,
    );

    // One post: published for every reader, drafts for who may edit them, else 404.
    let read = |id: i64, request: Request, what: &str| {
        let what = t.at(what);
        let response = t.send(request);
        response.expect(200, &what);
        assert_eq!(response.json()["id"], id, "{what}: {}", response.json());
    };
    read(
        bob_public,
        Request::get(&format!("/posts/{bob_public}")).bearer(&carol.access),
        "carol reads bob's published post",
    );
    read(
        bob_draft,
        Request::get(&format!("/posts/{bob_draft}")).bearer(&bob.access),
        "bob reads his draft",
    );
    read(
        bob_draft,
        Request::get(&format!("/posts/{bob_draft}")).bearer(&alice.access),
        "alice (admin) reads bob's draft",
    );
    let hidden = t.send(Request::get(&format!("/posts/{bob_draft}")).bearer(&carol.access));
    hidden.expect_error(404, "not_found", &t.at("carol (moderator) reads bob's draft"));
    let missing = t.send(Request::get(&format!("/posts/{MISSING_ID}")).bearer(&carol.access));
    missing.expect_error(404, "not_found", &t.at("carol reads a missing post"));
    assert_eq!(
        hidden.json(),
        missing.json(),
        "{}",
        t.at("a hidden draft reads exactly like a missing post")
    );
    t.send(Request::get(&format!("/posts/{bob_public}")))
        .expect_error(401, "missing_credentials", &t.at("GET /posts/{id} anonymously"));

    // The editable list: the edit policy, applied to every post on the way out.
    let editable = |request: Request, what: &str| -> Vec<i64> {
        let what = t.at(what);
        let response = t.send(request);
        response.expect(200, &what);
        response
            .json()
            .as_array()
            .unwrap_or_else(|| panic!("{what}: a list"))
            .iter()
            .map(|p: &Value| p["id"].as_i64().expect("post id"))
            .collect()
    };
    let bobs = editable(
        Request::get("/posts/editable").bearer(&bob.access),
        "bob's editable posts",
    );
    assert!(
        bobs.contains(&bob_public) && bobs.contains(&bob_draft),
        "{bobs:?}"
    );
    assert!(
        !bobs.contains(&carol_draft),
        "bob may not edit carol's draft: {bobs:?}"
    );
    let carols = editable(
        Request::get("/posts/editable").bearer(&carol.access),
        "carol's editable posts",
    );
    assert!(carols.contains(&carol_draft), "{carols:?}");
    assert!(
        !carols.contains(&bob_public) && !carols.contains(&bob_draft),
        "a moderator may delete but not edit bob's posts: {carols:?}"
    );
    let all = editable(
        Request::get("/posts/editable").bearer(&alice.access),
        "alice's (admin) editable posts",
    );
    for id in [bob_public, bob_draft, carol_draft] {
        assert!(all.contains(&id), "an admin may edit every post: {all:?}");
    }
    // What the list promises, the edit route keeps.
    t.send(
        Request::put(&format!("/posts/{bob_draft}"))
            .bearer(&carol.access)
            .json(&Suite::post_json("carol edits", false)),
    )
    .expect(
        403,
        &t.at("carol edits bob's draft, which her list does not offer"),
    );
    t.send(Request::get("/posts/editable")).expect_error(
        401,
        "missing_credentials",
        &t.at("GET /posts/editable anonymously"),
    );
}
