//! The reference server's OpenAPI 3.1 document, served at `GET /openapi.json`: the
//! operations come from `#[utoipa::path]` on the handlers; their security (the schemes
//! each accepts, anonymous access, the 401 and 403 responses) is written by
//! `portcullis::openapi::SecurityAddon` from the handlers' `#[auth]` annotations, never
//! restated here.

use std::sync::Arc;

use axum::extract::State;
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use portcullis::Portcullis;
use portcullis::openapi::SecurityAddon;
use portcullis::registry::RouteTable;
use utoipa::{Modify, OpenApi};

use crate::db::User;
use crate::{pages, posts};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Portcullis reference server",
        description = "A small blog API; the auth routes (`/auth/...`) are the library's `AuthRouter`."
    ),
    paths(
        crate::create_api_key,
        crate::delete_api_key,
        crate::admin_users,
        crate::list_users,
        posts::list_posts,
        posts::create_post,
        posts::editable_posts,
        posts::get_post,
        posts::update_post,
        posts::delete_post,
        pages::login_page,
        pages::notes_page,
        pages::save_note,
        openapi_json,
    )
)]
struct ApiDoc;

/// The document, its security written from the annotations of the handlers that serve
/// each route of `table` (the router's), for `auth`'s configuration.
pub(crate) fn document(auth: &Portcullis<User>, table: &RouteTable) -> utoipa::openapi::OpenApi {
    let mut document = ApiDoc::openapi();
    SecurityAddon::new(auth).routes(table).modify(&mut document);
    document
}

/// The document as served, made once at start-up.
#[derive(Clone)]
pub(crate) struct OpenApiJson(Arc<str>);

impl OpenApiJson {
    pub(crate) fn new(auth: &Portcullis<User>, table: &RouteTable) -> Result<Self, serde_json::Error> {
        Ok(OpenApiJson(Arc::from(document(auth, table).to_json()?)))
    }
}

/// `GET /openapi.json`: this document.
#[utoipa::path(get, path = "/openapi.json", tag = "meta", responses((status = 200, description = "this document")))]
#[portcullis::public]
pub(crate) async fn openapi_json(State(json): State<OpenApiJson>) -> Response {
    ([(CONTENT_TYPE, "application/json")], json.0.to_string()).into_response()
}
