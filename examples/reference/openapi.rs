//! The reference server's OpenAPI 3.1 document, served at `GET /openapi.json`: the
//! operations come from `#[utoipa::path]` on the handlers; their security (the schemes
//! each accepts, anonymous access, the 401 and 403 responses) is written by
//! `portcullis::openapi::SecurityAddon` from the handlers' `#[auth]` annotations, never
//! restated here.

use std::sync::Arc;

use axum::extract::State;
use axum::http::Method;
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use portcullis::Portcullis;
use portcullis::openapi::SecurityAddon;
use portcullis::registry::HandlerEntry;
use utoipa::{Modify, OpenApi};

use crate::db::User;
use crate::posts;

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
        openapi_json,
    )
)]
struct ApiDoc;

/// The document, its security written from the annotations for `auth`'s configuration.
pub(crate) fn document(auth: &Portcullis<User>) -> utoipa::openapi::OpenApi {
    let mut document = ApiDoc::openapi();
    let mut addon = SecurityAddon::new(auth);
    for (method, path, entry) in handlers(&document) {
        addon = addon.handler(method, &path, entry);
    }
    addon.modify(&mut document);
    document
}

/// Each operation with the registry entry of its handler: the one of this crate named
/// as the operation (utoipa's `operationId` is the handler's name).
fn handlers(document: &utoipa::openapi::OpenApi) -> Vec<(Method, String, &'static HandlerEntry)> {
    let crate_root = concat!(module_path!(), "::")
        .split("::")
        .next()
        .unwrap_or_default();
    let ours = |entry: &&HandlerEntry| entry.path().split("::").next() == Some(crate_root);
    let mut out = Vec::new();
    for (path, item) in &document.paths.paths {
        let operations = [
            (Method::GET, &item.get),
            (Method::PUT, &item.put),
            (Method::POST, &item.post),
            (Method::DELETE, &item.delete),
            (Method::PATCH, &item.patch),
        ];
        for (method, operation) in operations {
            let Some(id) = operation.as_ref().and_then(|o| o.operation_id.as_deref()) else {
                continue;
            };
            let mut named = portcullis::routes()
                .into_iter()
                .filter(ours)
                .filter(|e| e.name() == id);
            if let (Some(entry), None) = (named.next(), named.next()) {
                out.push((method, path.clone(), entry));
            }
        }
    }
    out
}

/// The document as served, made once at start-up.
#[derive(Clone)]
pub(crate) struct OpenApiJson(Arc<str>);

impl OpenApiJson {
    pub(crate) fn new(auth: &Portcullis<User>) -> Result<Self, serde_json::Error> {
        Ok(OpenApiJson(Arc::from(document(auth).to_json()?)))
    }
}

/// `GET /openapi.json`: this document.
#[utoipa::path(get, path = "/openapi.json", tag = "meta", responses((status = 200, description = "this document")))]
#[portcullis::public]
pub(crate) async fn openapi_json(State(json): State<OpenApiJson>) -> Response {
    ([(CONTENT_TYPE, "application/json")], json.0.to_string()).into_response()
}
