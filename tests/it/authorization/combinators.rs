//! `||`, `&&`, `!` and parentheses: precedence, short-circuiting, and the part a 403 names.

use std::sync::atomic::{AtomicUsize, Ordering};

use super::*;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/any", get(any_of))
        .route("/all", get(all_of))
        .route("/not/user", get(not_user))
        .route("/not/staff", get(not_staff))
        .route("/precedence/default", get(precedence_default))
        .route("/precedence/grouped", get(precedence_grouped))
        .route("/short/and", get(short_and))
        .route("/short/or", get(short_or))
}

mod checks {
    use super::*;

    pub(crate) static AND_CALLS: AtomicUsize = AtomicUsize::new(0);
    pub(crate) static OR_CALLS: AtomicUsize = AtomicUsize::new(0);

    /// Records its calls; always true.
    pub(crate) async fn count_and(_user: &Member, _info: &AuthInfo) -> bool {
        tokio::task::yield_now().await;
        AND_CALLS.fetch_add(1, Ordering::SeqCst);
        true
    }

    /// Records its calls; always false.
    pub(crate) async fn count_or(_user: &Member, _info: &AuthInfo) -> bool {
        tokio::task::yield_now().await;
        OR_CALLS.fetch_add(1, Ordering::SeqCst);
        false
    }
}

#[auth(jwt)]
#[require(role = "admin" || role = "moderator")]
async fn any_of(user: Member) -> Json<Value> {
    who(&user)
}

#[auth(jwt)]
#[require(role = "user" && verified_email)]
async fn all_of(user: Member) -> Json<Value> {
    who(&user)
}

#[auth(jwt)]
#[require(!role = "user")]
async fn not_user(user: Member) -> Json<Value> {
    who(&user)
}

#[auth(jwt)]
#[require(!(role = "admin" || role = "moderator"))]
async fn not_staff(user: Member) -> Json<Value> {
    who(&user)
}

#[auth(jwt)]
#[require(role = "admin" || role = "user" && verified_email)]
async fn precedence_default(user: Member) -> Json<Value> {
    who(&user)
}

#[auth(jwt)]
#[require((role = "admin" || role = "user") && verified_email)]
async fn precedence_grouped(user: Member) -> Json<Value> {
    who(&user)
}

#[auth(jwt)]
#[require(role = "admin" && fn = checks::count_and)]
async fn short_and(user: Member) -> Json<Value> {
    who(&user)
}

#[auth(jwt)]
#[require(role = "admin" || fn = checks::count_or)]
async fn short_or(user: Member) -> Json<Value> {
    who(&user)
}

// ------------------------------------------------------------------------------------------------
// Combinators

#[tokio::test]
async fn or_lets_either_in_and_names_the_whole_alternative() {
    let app = app();
    assert_let_in(&get_as(&app, "/any", ADA).await, ADA);
    assert_let_in(&get_as(&app, "/any", MIA).await, MIA);
    assert_denied(
        &get_as(&app, "/any", ULF).await,
        r#"role = "admin" || role = "moderator""#,
    );
}

#[tokio::test]
async fn and_needs_both_and_names_the_failing_side() {
    let app = app();
    assert_let_in(&get_as(&app, "/all", UMA).await, UMA);
    // Left side holds, right side fails: the message names the right side only.
    assert_denied(&get_as(&app, "/all", ULF).await, "verified_email");
    // Left side fails: named, whatever the right side.
    assert_denied(&get_as(&app, "/all", ADA).await, r#"role = "user""#);
    assert_denied(&get_as(&app, "/all", ABE).await, r#"role = "user""#);
}

#[tokio::test]
async fn not_inverts_and_names_the_negation() {
    let app = app();
    assert_let_in(&get_as(&app, "/not/user", ADA).await, ADA);
    assert_let_in(&get_as(&app, "/not/user", REX).await, REX);
    assert_denied(&get_as(&app, "/not/user", ULF).await, r#"!role = "user""#);

    assert_let_in(&get_as(&app, "/not/staff", ULF).await, ULF);
    let staff = r#"!(role = "admin" || role = "moderator")"#;
    assert_denied(&get_as(&app, "/not/staff", ADA).await, staff);
    assert_denied(&get_as(&app, "/not/staff", MIA).await, staff);
}

#[tokio::test]
async fn parentheses_change_precedence() {
    let app = app();
    // `a || b && c` is `a || (b && c)`: an unverified admin passes...
    assert_let_in(&get_as(&app, "/precedence/default", ABE).await, ABE);
    // ...`(a || b) && c` wants every caller verified.
    assert_denied(&get_as(&app, "/precedence/grouped", ABE).await, "verified_email");

    // Both agree on a verified user and a verified admin.
    for id in [UMA, ADA] {
        assert_let_in(&get_as(&app, "/precedence/default", id).await, id);
        assert_let_in(&get_as(&app, "/precedence/grouped", id).await, id);
    }
    // An unverified user: the alternative fails as a whole / the verification fails.
    let default = r#"role = "admin" || (role = "user" && verified_email)"#;
    assert_denied(&get_as(&app, "/precedence/default", ULF).await, default);
    assert_denied(&get_as(&app, "/precedence/grouped", ULF).await, "verified_email");
    // A verified moderator: neither role.
    assert_denied(&get_as(&app, "/precedence/default", MIA).await, default);
    assert_denied(
        &get_as(&app, "/precedence/grouped", MIA).await,
        r#"role = "admin" || role = "user""#,
    );
}

#[tokio::test]
async fn and_short_circuits() {
    let app = app();
    let calls = || checks::AND_CALLS.load(Ordering::SeqCst);
    assert_denied(&get_as(&app, "/short/and", ULF).await, r#"role = "admin""#);
    assert_denied(&get_as(&app, "/short/and", MIA).await, r#"role = "admin""#);
    assert_eq!(calls(), 0, "the right side of a failing `&&` must not run");
    assert_let_in(&get_as(&app, "/short/and", ADA).await, ADA);
    assert_eq!(calls(), 1);
}

#[tokio::test]
async fn or_short_circuits() {
    let app = app();
    let calls = || checks::OR_CALLS.load(Ordering::SeqCst);
    assert_let_in(&get_as(&app, "/short/or", ADA).await, ADA);
    assert_let_in(&get_as(&app, "/short/or", ABE).await, ABE);
    assert_eq!(calls(), 0, "the right side of a passing `||` must not run");
    assert_denied(
        &get_as(&app, "/short/or", ULF).await,
        r#"role = "admin" || fn = checks::count_or"#,
    );
    assert_eq!(calls(), 1);
}
