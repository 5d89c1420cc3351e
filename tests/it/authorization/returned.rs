//! Requirements on the returned value: `#[require_returned]` on a `Json<T>` and on the `Ok` of a
//! `Result` (an `Err` passes through), with `hide_existence`; `#[filter_returned]` on a
//! `Json<Vec<T>>` and the `Ok` of a `Result` of one, with a policy (sync and async), with
//! `#[require]` before the body, and after the body's own `return`.

use axum::extract::Path;
use portcullis::{filter_returned, policy, require_returned};

use super::*;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/returned/posts/{id}", get(one_post))
        .route("/returned/posts/{id}/result", get(one_post_or_error))
        .route("/returned/posts/{id}/hidden", get(one_post_hidden))
        .route("/returned/posts", get(all_posts))
        .route("/returned/posts/result", get(all_posts_or_error))
        .route("/returned/posts/moderated", get(moderated_posts))
}

/// A row as the handlers return it.
#[derive(Debug, Clone, serde::Serialize)]
struct Row {
    id: i64,
    author_id: i64,
    public: bool,
}

/// The table: 20 by ulf (private), 21 by rex (public), 22 by mia (private), 23 by uma (public).
fn rows() -> Vec<Row> {
    [
        (20, ULF, false),
        (21, REX, true),
        (22, MIA, false),
        (23, UMA, true),
    ]
    .into_iter()
    .map(|(id, author_id, public)| Row {
        id,
        author_id,
        public,
    })
    .collect()
}

fn row(id: i64) -> Option<Row> {
    rows().into_iter().find(|r| r.id == id)
}

fn ids(r: &Reply) -> Vec<i64> {
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    r.body
        .as_array()
        .expect("a list")
        .iter()
        .map(|row| row["id"].as_i64().expect("an id"))
        .collect()
}

/// Public rows, their author's, and every row for a moderator.
#[policy(public(user, row) || owner(row.author_id) || role = "moderator")]
async fn can_read(user: &Member, row: &Row);

#[policy]
async fn public(_user: &Member, row: &Row) -> bool {
    tokio::task::yield_now().await;
    row.public
}

#[auth(jwt)]
#[require_returned(|row| owner(row.author_id) || role = "admin")]
async fn one_post(user: Member, Path(id): Path<i64>) -> Json<Row> {
    let _ = user;
    // The query reads by id only: the requirement keeps other people's rows out.
    Json(row(id).unwrap_or(Row {
        id,
        author_id: 0,
        public: false,
    }))
}

#[auth(jwt)]
#[require_returned(|row| can_read(user, row))]
async fn one_post_or_error(user: Member, Path(id): Path<i64>) -> Result<Json<Row>, StatusCode> {
    let _ = &user;
    row(id).map(Json).ok_or(StatusCode::GONE)
}

#[auth(jwt, hide_existence)]
#[require_returned(|row| can_read(user, row))]
async fn one_post_hidden(user: Member, Path(id): Path<i64>) -> Result<Json<Row>, StatusCode> {
    let _ = user;
    row(id).map(Json).ok_or(StatusCode::NOT_FOUND)
}

#[auth(jwt)]
#[filter_returned(|row| can_read(user, row))]
async fn all_posts(user: Member) -> Json<Vec<Row>> {
    let _ = user;
    Json(rows())
}

#[auth(jwt)]
#[filter_returned(|row| owner(row.author_id))]
async fn all_posts_or_error(user: Member, info: AuthInfo) -> Result<Json<Vec<Row>>, StatusCode> {
    if info.claims().and_then(|c| c.get("fail")).is_some() {
        return Err(StatusCode::IM_A_TEAPOT);
    }
    let _ = user;
    Ok(Json(rows()))
}

#[auth(jwt)]
#[require(role = "user" || role = "moderator")]
#[filter_returned(|row| row_is_public(user, row) || role = "moderator")]
async fn moderated_posts(user: Member) -> Json<Vec<Row>> {
    let _ = user;
    Json(rows())
}

#[policy]
fn row_is_public(_user: &Member, row: &Row) -> bool {
    row.public
}

#[tokio::test]
async fn a_returned_value_the_user_may_not_see_is_refused() {
    let app = app();
    let r = get_as(&app, "/returned/posts/20", ULF).await;
    assert_ok(&r, json!({"id": 20, "author_id": ULF, "public": false}));
    assert_ok(
        &get_as(&app, "/returned/posts/20", ADA).await,
        json!({"id": 20, "author_id": ULF, "public": false}),
    );
    // Someone else's row: 403 naming the requirement, and nothing of the row.
    let r = get_as(&app, "/returned/posts/20", REX).await;
    assert_denied(&r, r#"owner(row.author_id) || role = "admin""#);
    assert!(!r.body.to_string().contains("20"), "{:?}", r.body);
    assert_unauthenticated(&send(&app, anonymous("/returned/posts/20")).await);
}

#[tokio::test]
async fn a_result_is_checked_on_ok_and_an_err_passes_through() {
    let app = app();
    // Public row, own row, any row as moderator.
    for (sub, id) in [(ULF, 21), (ULF, 20), (MIA, 20)] {
        let r = get_as(&app, &format!("/returned/posts/{id}/result"), sub).await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        assert_eq!(r.body["id"], id);
    }
    assert_denied(
        &get_as(&app, "/returned/posts/20/result", REX).await,
        "can_read(user, row)",
    );
    // The handler's own error is answered as it is.
    let r = get_as(&app, "/returned/posts/99/result", REX).await;
    assert_eq!(r.status, StatusCode::GONE);
}

#[tokio::test]
async fn hide_existence_answers_a_refused_value_with_404() {
    let app = app();
    assert_eq!(
        get_as(&app, "/returned/posts/20/hidden", ULF).await.status,
        StatusCode::OK
    );
    assert_not_found(&get_as(&app, "/returned/posts/20/hidden", REX).await);
}

#[tokio::test]
async fn a_returned_list_keeps_only_the_rows_the_rule_allows() {
    let app = app();
    // Public rows plus one's own; everything for a moderator; an admin is no moderator.
    assert_eq!(ids(&get_as(&app, "/returned/posts", ULF).await), [20, 21, 23]);
    assert_eq!(ids(&get_as(&app, "/returned/posts", REX).await), [21, 23]);
    assert_eq!(ids(&get_as(&app, "/returned/posts", MIA).await), [20, 21, 22, 23]);
    assert_eq!(ids(&get_as(&app, "/returned/posts", ADA).await), [21, 23]);
    // Nothing leaks in the body: the filtered rows are gone, not masked.
    let r = get_as(&app, "/returned/posts", REX).await;
    assert!(!r.body.to_string().contains("\"id\":20"), "{:?}", r.body);
}

#[tokio::test]
async fn a_result_list_is_filtered_on_ok_and_an_early_err_passes_through() {
    let app = app();
    assert_eq!(ids(&get_as(&app, "/returned/posts/result", UMA).await), [23]);
    assert_eq!(
        ids(&get_as(&app, "/returned/posts/result", ADA).await),
        Vec::<i64>::new()
    );
    let token = jwt_with(UMA, json!({"fail": true}));
    let r = send(&app, bearer("/returned/posts/result", &token)).await;
    assert_eq!(r.status, StatusCode::IM_A_TEAPOT);
}

#[tokio::test]
async fn a_requirement_before_the_body_and_a_filter_after_it() {
    let app = app();
    assert_eq!(
        ids(&get_as(&app, "/returned/posts/moderated", UMA).await),
        [21, 23]
    );
    assert_eq!(
        ids(&get_as(&app, "/returned/posts/moderated", MIA).await),
        [20, 21, 22, 23]
    );
    // rex has no role: refused before the body ran.
    assert_denied(
        &get_as(&app, "/returned/posts/moderated", REX).await,
        r#"role = "user" || role = "moderator""#,
    );
}
