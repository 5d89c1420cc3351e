//! The replaceable error renderer.

use bytes::Bytes;
use http::header::{CONTENT_TYPE, HeaderValue};

use crate::rejection::Rejection;

/// Turns a [`Rejection`] into the HTTP response the client sees.
///
/// Status and challenges are decided by Portcullis (they carry security
/// semantics); a renderer decides the body and may add headers. Install one with
/// [`PortcullisBuilder::renderer`](crate::PortcullisBuilder::renderer).
///
/// ```
/// use portcullis::{ErrorRenderer, Rejection};
/// use http::Response;
/// use bytes::Bytes;
///
/// struct PlainText;
/// impl ErrorRenderer for PlainText {
///     fn render(&self, rejection: &Rejection) -> Response<Bytes> {
///         let mut response = Response::new(Bytes::from(rejection.message()));
///         *response.status_mut() = rejection.status();
///         response.headers_mut().extend(rejection.headers());
///         response
///     }
/// }
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot render authentication failures",
    note = "implement `portcullis::ErrorRenderer` for `{Self}`"
)]
pub trait ErrorRenderer: Send + Sync + 'static {
    /// Builds the response for `rejection`.
    fn render(&self, rejection: &Rejection) -> http::Response<Bytes>;

    /// The body's media type and JSON Schema, for API descriptions (the `utoipa`
    /// feature's shared 401 and 403 responses). `None`, the default: the responses
    /// are documented without a body.
    ///
    /// ```
    /// use portcullis::{BodySchema, ErrorRenderer, JsonRenderer, ProblemJsonRenderer};
    /// assert_eq!(JsonRenderer.body_schema().unwrap().media_type, "application/json");
    /// assert_eq!(ProblemJsonRenderer.body_schema().unwrap().media_type, "application/problem+json");
    /// ```
    fn body_schema(&self) -> Option<BodySchema> {
        None
    }
}

/// What an [`ErrorRenderer`]'s bodies are: a media type and a JSON Schema
/// (draft 2020-12, as OpenAPI 3.1 embeds it).
///
/// ```
/// use portcullis::BodySchema;
/// let text = BodySchema { media_type: "text/plain", schema: serde_json::json!({ "type": "string" }) };
/// # let _ = text;
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct BodySchema {
    /// The `Content-Type` of the body.
    pub media_type: &'static str,
    /// Its JSON Schema.
    pub schema: serde_json::Value,
}

/// The default renderer: `{"error": "<code>", "message": "<human text>"}`.
///
/// ```
/// use portcullis::{ErrorRenderer, JsonRenderer};
/// # fn demo(rejection: &portcullis::Rejection) {
/// let response = JsonRenderer.render(rejection);
/// assert_eq!(response.headers()["content-type"], "application/json");
/// # }
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct JsonRenderer;

impl ErrorRenderer for JsonRenderer {
    fn render(&self, rejection: &Rejection) -> http::Response<Bytes> {
        let body = serde_json::json!({
            "error": rejection.code(),
            "message": rejection.message(),
        });
        let mut response = http::Response::new(Bytes::from(body.to_string()));
        *response.status_mut() = rejection.status();
        let headers = response.headers_mut();
        headers.extend(rejection.headers());
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        response
    }

    fn body_schema(&self) -> Option<BodySchema> {
        let schema = serde_json::json!({
            "type": "object",
            "required": ["error", "message"],
            "properties": {
                "error": { "type": "string", "description": "machine-readable code (`invalid_token`, `forbidden`, ...)" },
                "message": { "type": "string", "description": "human-readable explanation" },
            },
        });
        Some(BodySchema {
            media_type: "application/json",
            schema,
        })
    }
}

/// RFC 9457 problem details: `application/problem+json` with `type`, `title`,
/// `status`, `detail` and the machine-readable `code`.
///
/// ```
/// use portcullis::{AuthError, AuthUser, InMemoryUserStore, Portcullis, ProblemJsonRenderer, Scheme};
/// # #[derive(Clone, AuthUser)] struct User { #[auth_user(id)] id: i64 }
/// let auth = Portcullis::builder(InMemoryUserStore::<User>::new())
///     .renderer(ProblemJsonRenderer)
///     .build()
///     .unwrap();
/// let response = auth.refuse(AuthError::NotFound, &[Scheme::JWT]).into_inner();
/// assert_eq!(response.headers()["content-type"], "application/problem+json");
/// let body: serde_json::Value = serde_json::from_slice(response.body()).unwrap();
/// assert_eq!(body["status"], 404);
/// assert_eq!(body["code"], "not_found");
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct ProblemJsonRenderer;

impl ErrorRenderer for ProblemJsonRenderer {
    fn render(&self, rejection: &Rejection) -> http::Response<Bytes> {
        let status = rejection.status();
        let body = serde_json::json!({
            "type": "about:blank",
            "title": status.canonical_reason().unwrap_or("Error"),
            "status": status.as_u16(),
            "detail": rejection.message(),
            "code": rejection.code(),
        });
        let mut response = http::Response::new(Bytes::from(body.to_string()));
        response
            .headers_mut()
            .insert(CONTENT_TYPE, HeaderValue::from_static("application/problem+json"));
        response
    }

    fn body_schema(&self) -> Option<BodySchema> {
        let schema = serde_json::json!({
            "type": "object",
            "description": "RFC 9457 problem details",
            "required": ["type", "title", "status", "detail", "code"],
            "properties": {
                "type": { "type": "string" },
                "title": { "type": "string" },
                "status": { "type": "integer" },
                "detail": { "type": "string" },
                "code": { "type": "string", "description": "machine-readable code (`invalid_token`, `forbidden`, ...)" },
            },
        });
        Some(BodySchema {
            media_type: "application/problem+json",
            schema,
        })
    }
}
