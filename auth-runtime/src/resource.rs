//! Resources that `owner(...)` checks load by a path parameter: the application says
//! how to fetch one from its state; the adapter reads the id from the path and the
//! generated handler answers 404 for a missing one (after 401, before any 403) and 503
//! when the store fails, through the gate's renderer.

use std::future::Future;

use crate::error::StoreError;

/// A resource a handler receives by value and checks with `#[require(owner(...))]`,
/// loaded by the id in the route's path from the application's state `S`.
///
/// ```
/// use portcullis::{Resource, StoreError};
///
/// #[derive(Clone)]
/// struct Post { id: i64, author_id: i64 }
///
/// #[derive(Clone)]
/// struct AppState { posts: Vec<Post> }
///
/// impl Resource<AppState> for Post {
///     // What the route's path gives: `/posts/{id}` → `i64`; several parameters → a tuple.
///     type Id = i64;
///     async fn load(id: i64, state: &AppState) -> Result<Option<Post>, StoreError> {
///         Ok(state.posts.iter().find(|p| p.id == id).cloned())
///     }
/// }
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is a `#[resource]` parameter but cannot be loaded from the state `{S}`",
    label = "no `Resource<{S}>` implementation for `{Self}`",
    note = "implement `portcullis::Resource<{S}>` for `{Self}`: its `Id` (read from the route's path) and an async `load(id, &state)`"
)]
pub trait Resource<S>: Sized + Send {
    /// The path parameter(s) naming the resource, as the framework's path extractor
    /// deserializes them (`i64` for `/posts/{id}`, a tuple for several).
    type Id: serde::de::DeserializeOwned + Send;

    /// The resource with this id: `Ok(None)` when there is none (404), `Err` when the
    /// store cannot answer (503).
    fn load(id: Self::Id, state: &S) -> impl Future<Output = Result<Option<Self>, StoreError>> + Send;
}

/// What the adapter hands the generated handler for a `#[resource]` parameter: the
/// load's outcome, decided on by the handler once the user is authenticated.
#[doc(hidden)]
pub struct Loaded<T>(pub Result<Option<T>, StoreError>);
