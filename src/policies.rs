//! The policy macros: named policies called from requirements, and requirements on the
//! returned value. Their documentation lives here; the root re-exports them.

/// A named policy: a rule written once and called from requirements with parameters,
/// `#[require(can_edit(user, post))]`, combinable with every other requirement.
///
/// A policy takes the user first (`&User`), then what it checks (`&Post`, and `&AuthInfo`
/// for the credential), by shared reference, and answers `bool` — sync or `async fn`
/// (awaited). A requirement passes it the handler's parameters by name: the user, the
/// `AuthInfo` parameter, or resources, which are then extracted before the check like
/// `owner(...)`'s (an `Option<Post>` that is `None` answers 404, a `#[resource]` is
/// loaded). A misspelt name is a compile error on it; a wrong type is the compiler's
/// type error on it.
///
/// With a requirement instead of a body, the policy is an alias built from the
/// requirement language over its own parameters — roles (checked at compile time as in
/// `#[require]`), `owner(...)`, other policies:
///
/// ```
/// use axum::http::StatusCode;
/// use portcullis::{auth, policy, require, AuthUser};
/// # use axum::extract::{OptionalFromRequestParts};
///
/// #[derive(Clone, AuthUser)]
/// #[auth_user(roles("admin", "editor"))]
/// struct User { #[auth_user(id)] id: i64, team: u32, #[auth_user(roles)] role: String }
///
/// struct Post { author_id: i64, team: u32, draft: bool }
/// # impl<S: Send + Sync> OptionalFromRequestParts<S> for Post {
/// #     type Rejection = std::convert::Infallible;
/// #     async fn from_request_parts(_: &mut http::request::Parts, _: &S) -> Result<Option<Self>, Self::Rejection> {
/// #         Ok(Some(Post { author_id: 1, team: 1, draft: true }))
/// #     }
/// # }
///
/// /// Rust code: any logic, sync or async (a database lookup, ...).
/// #[policy]
/// async fn same_team(user: &User, post: &Post) -> bool {
///     user.team == post.team
/// }
///
/// /// An alias: "an editor may edit drafts of their own team; authors their own posts".
/// #[policy((role = "editor" && same_team(user, post) && can_see_draft(user, post))
///          || owner(post.author_id))]
/// async fn can_edit(user: &User, post: &Post);
///
/// #[policy]
/// fn can_see_draft(user: &User, post: &Post) -> bool { post.draft }
///
/// #[auth(jwt)]
/// #[require(can_edit(user, post) || role = "admin")]
/// async fn edit_post(user: User, post: Option<Post>) -> StatusCode {
///     StatusCode::NO_CONTENT
/// }
/// ```
///
/// `#[policy(...)]` generates the body (`-> bool`); `scope`, `claim`, `fresh` and
/// `fn = path` in it need an `info: &AuthInfo` parameter. Any function of a policy's
/// shape can be called from a requirement; the attribute checks the shape (a reference
/// per parameter, `bool` out) where it is written. `#[policy(..., crate = path)]` names
/// the facade under another path.
#[doc(inline)]
pub use portcullis_macros::policy;

/// A requirement on the value the handler returned (Spring's `@PostAuthorize`):
/// `#[require_returned(|post| owner(post.author_id) || role = "admin")]`.
///
/// The value is bound to the name between bars; the requirement language is
/// [`require`](crate::require)'s, with the returned value, the user and the `AuthInfo` parameter in
/// sight (the other parameters went into the body). When the return type is written
/// `Result<..>`, the `Ok` value is checked and an `Err` is answered as it is. An unmet
/// requirement answers 403 (404 with `#[auth(..., hide_existence)]`) instead of the
/// value. The body has run by then: use it on handlers that read, not on ones that
/// change state.
///
/// ```
/// use axum::Json;
/// use axum::extract::Path;
/// use portcullis::{auth, policy, require_returned, AuthUser};
///
/// #[derive(Clone, AuthUser)]
/// #[auth_user(roles("admin", "user"))]
/// struct User { #[auth_user(id)] id: i64, #[auth_user(roles)] role: String }
///
/// #[derive(serde::Serialize)]
/// struct Invoice { customer_id: i64, total: u64 }
///
/// #[auth(jwt)]
/// #[require_returned(|invoice| owner(invoice.customer_id) || role = "admin")]
/// async fn invoice(user: User, Path(id): Path<i64>) -> Json<Invoice> {
///     Json(Invoice { customer_id: id % 7, total: 100 }) // your query, by id only
/// }
/// ```
#[doc(inline)]
pub use portcullis_macros::require_returned;

/// A filter on the list the handler returned (Spring's `@PostFilter`):
/// `#[filter_returned(|post| can_view(user, post))]` keeps the items the requirement
/// allows and drops the others, so that a list endpoint cannot leak rows that the
/// per-item rule denies.
///
/// The list is a `Vec<T>` or a `Json<Vec<T>>` (any [`ReturnedItems`](crate::ReturnedItems)),
/// or the `Ok` value of a `Result` of one. Each item is bound to the name between
/// bars, with the user and the `AuthInfo` parameter in sight, as in
/// [`require_returned`]. Combines with `#[require]` (checked before the body) and
/// `#[require_returned]`.
///
/// ```
/// use axum::Json;
/// use portcullis::{auth, filter_returned, policy, AuthUser};
///
/// #[derive(Clone, AuthUser)]
/// #[auth_user(roles("admin", "user"))]
/// struct User { #[auth_user(id)] id: i64, #[auth_user(roles)] role: String }
///
/// #[derive(serde::Serialize)]
/// struct Post { author_id: i64, published: bool }
///
/// #[policy(owner(post.author_id) || role = "admin")]
/// fn can_edit(user: &User, post: &Post);
///
/// #[auth(jwt)]
/// #[filter_returned(|post| post_is_published(user, post) || can_edit(user, post))]
/// async fn posts(user: User) -> Json<Vec<Post>> {
///     Json(vec![Post { author_id: 1, published: false }]) // every row, filtered on the way out
/// }
///
/// #[policy]
/// fn post_is_published(_user: &User, post: &Post) -> bool { post.published }
/// ```
#[doc(inline)]
pub use portcullis_macros::filter_returned;

/// Marks a deliberately open handler: the handler is unchanged, and the route registry
/// knows that it is public, so that the deny-by-default start-up check
/// (`portcullis::routing`) does not take it for a handler whose `#[auth]` was forgotten.
/// `#[public]` excludes `#[auth]` and the requirement attributes;
/// `#[public(crate = path)]` names the facade under another path.
///
/// ```
/// use portcullis::public;
///
/// #[public]
/// async fn health() -> &'static str {
///     "ok"
/// }
///
/// let entry = portcullis::routes().into_iter().find(|e| e.name() == "health").unwrap();
/// assert!(entry.is_public());
/// ```
#[doc(inline)]
pub use portcullis_macros::public;
