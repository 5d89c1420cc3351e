//! OpenAPI security written from the gate and the routes (feature `utoipa`,
//! `portcullis::openapi::SecurityAddon`): the security schemes follow the gate's
//! configuration (header, query, cookie names; custom schemes by what they declare),
//! each operation gets one alternative per place its schemes read, `{}` when anonymous
//! callers pass, `[]` when public, and the shared 401 (with `WWW-Authenticate`) and 403
//! responses carry the renderer's body. The reference server's whole document is
//! validated as OpenAPI 3.1 by the `e2e` binary (`openapi::*` trials).

use http::Method;
use http::request::Parts;
use portcullis::openapi::{RouteSecurity, SecurityAddon};
use portcullis::schemes::CredentialIn;
use portcullis::{
    AuthError, AuthScheme, Context, ErrorRenderer, Identity, ProblemJsonRenderer, Rejection, Scheme,
    SessionConfig, TokenConfig, TokenCookies, Verified, async_trait,
};
use serde_json::{Value, json};
use utoipa::Modify;
use utoipa::openapi::OpenApi;

use crate::support::*;

/// `Authorization: HMAC <signature>`: says nothing about where its credential is.
struct Hmac;

/// `X-Service: <name>`: says where.
struct Service;

#[async_trait]
impl AuthScheme<User> for Hmac {
    type Credential = String;
    fn name(&self) -> Scheme {
        Scheme::custom("hmac")
    }
    fn extract(&self, _: &Parts) -> Result<Option<String>, AuthError> {
        Ok(None)
    }
    async fn verify(&self, _: &Parts, s: String, _: &Context<'_, User>) -> Result<Verified<User>, AuthError> {
        Ok(Verified::identity(Identity::new(Scheme::custom("hmac"), s)))
    }
    fn challenge(&self, realm: &str) -> String {
        format!("HMAC realm=\"{realm}\"")
    }
}

#[async_trait]
impl AuthScheme<User> for Service {
    type Credential = String;
    fn name(&self) -> Scheme {
        Scheme::custom("service")
    }
    fn extract(&self, _: &Parts) -> Result<Option<String>, AuthError> {
        Ok(None)
    }
    async fn verify(&self, _: &Parts, s: String, _: &Context<'_, User>) -> Result<Verified<User>, AuthError> {
        Ok(Verified::identity(Identity::new(Scheme::custom("service"), s)))
    }
    fn challenge(&self, realm: &str) -> String {
        format!("Service realm=\"{realm}\"")
    }
    fn credential_in(&self) -> Vec<CredentialIn> {
        vec![CredentialIn::Header("X-Service".into())]
    }
}

/// A document with these operations, each answering 200.
fn document(operations: &[(&str, &str)]) -> OpenApi {
    let mut paths = serde_json::Map::new();
    for (method, path) in operations {
        let item = paths.entry(*path).or_insert_with(|| json!({}));
        item[method] = json!({ "responses": { "200": { "description": "ok" } } });
    }
    serde_json::from_value(json!({
        "openapi": "3.1.0",
        "info": { "title": "test", "version": "1" },
        "paths": paths,
    }))
    .unwrap()
}

fn apply(addon: SecurityAddon, mut doc: OpenApi) -> Value {
    addon.modify(&mut doc);
    serde_json::to_value(&doc).unwrap()
}

fn route(method: Method, path: &str, schemes: &[Scheme]) -> RouteSecurity {
    RouteSecurity::protected(method, path, schemes)
}

#[test]
fn security_schemes_follow_the_configuration() {
    let auth = builder(users())
        .tokens(
            TokenConfig::hmac(SECRET, portcullis::Algorithm::HS256)
                .issuer(ISSUER)
                .audience(AUDIENCE),
        )
        .token_cookies(TokenCookies::new().development(true))
        .sessions(SessionConfig::new().cookie_name("sid").development(true))
        .scheme(Hmac)
        .scheme(Service)
        .build()
        .unwrap();
    let all = [
        Scheme::JWT,
        Scheme::API_KEY,
        Scheme::BASIC,
        Scheme::SESSION,
        Scheme::custom("hmac"),
        Scheme::custom("service"),
    ];
    let doc = apply(
        SecurityAddon::new(&auth).route(route(Method::GET, "/all", &all)),
        document(&[("get", "/all")]),
    );
    let schemes = &doc["components"]["securitySchemes"];
    let names: Vec<&String> = schemes.as_object().unwrap().keys().collect();
    assert_eq!(
        names,
        [
            "api_key",
            "api_key_query",
            "basic",
            "hmac",
            "jwt",
            "jwt_cookie",
            "service",
            "session"
        ]
    );
    assert_eq!(schemes["jwt"]["type"], "http");
    assert_eq!(schemes["jwt"]["scheme"], "bearer");
    assert_eq!(schemes["jwt"]["bearerFormat"], "JWT");
    // The token cookie of `TokenCookies` (development: no `__Host-` prefix).
    assert_eq!(schemes["jwt_cookie"]["type"], "apiKey");
    assert_eq!(schemes["jwt_cookie"]["in"], "cookie");
    assert_eq!(schemes["jwt_cookie"]["name"], auth_cookie_name(&auth));
    assert_eq!(schemes["api_key"]["in"], "header");
    assert_eq!(schemes["api_key"]["name"], "X-API-Key");
    assert_eq!(schemes["api_key_query"]["in"], "query");
    assert_eq!(schemes["api_key_query"]["name"], "api_key");
    assert_eq!(schemes["basic"]["type"], "http");
    assert_eq!(schemes["basic"]["scheme"], "basic");
    assert_eq!(schemes["session"]["in"], "cookie");
    assert_eq!(schemes["session"]["name"], "sid");
    // No IANA-registered `HMAC` scheme for OpenAPI's `http`: the Authorization header.
    assert_eq!(schemes["hmac"]["type"], "apiKey");
    assert_eq!(schemes["hmac"]["in"], "header");
    assert_eq!(schemes["hmac"]["name"], "Authorization");
    assert_eq!(schemes["service"]["in"], "header");
    assert_eq!(schemes["service"]["name"], "X-Service");
    // Every alternative names a component, in `#[auth]`'s order.
    let alternatives: Vec<String> = doc["paths"]["/all"]["get"]["security"]
        .as_array()
        .unwrap()
        .iter()
        .map(|alt| alt.as_object().unwrap().keys().next().unwrap().clone())
        .collect();
    assert_eq!(
        alternatives,
        [
            "jwt",
            "jwt_cookie",
            "api_key",
            "api_key_query",
            "basic",
            "session",
            "hmac",
            "service"
        ]
    );
}

/// The access-token cookie's name as the gate describes the `jwt` scheme.
fn auth_cookie_name(auth: &portcullis::Portcullis<User>) -> String {
    match auth.credential_in(Scheme::JWT).unwrap() {
        [_, CredentialIn::Cookie(name), ..] => name.clone(),
        other => panic!("the jwt scheme reads no cookie: {other:?}"),
    }
}

#[test]
fn operations_get_alternatives_responses_and_nothing_else() {
    let auth = builder(users()).build().unwrap();
    let addon = SecurityAddon::new(&auth)
        .route(route(Method::GET, "/posts", &[Scheme::JWT]).optional())
        .route(route(Method::POST, "/posts", &[Scheme::JWT, Scheme::API_KEY]).with_requirement())
        .route(route(Method::DELETE, "/posts/{id}", &[Scheme::JWT]).with_requirement())
        .route(route(Method::GET, "/posts/{id}", &[Scheme::API_KEY]))
        .route(RouteSecurity::public(Method::GET, "/health"));
    let mut doc = document(&[
        ("get", "/posts"),
        ("post", "/posts"),
        ("get", "/posts/{id}"),
        ("delete", "/posts/{id}"),
        ("get", "/health"),
        ("get", "/undocumented"),
    ]);
    // An operation's own 403 stays.
    let own = json!({ "description": "not yours" });
    let delete = doc
        .paths
        .paths
        .get_mut("/posts/{id}")
        .unwrap()
        .delete
        .as_mut()
        .unwrap();
    delete
        .responses
        .responses
        .insert("403".into(), serde_json::from_value(own.clone()).unwrap());
    let doc = apply(addon, doc);
    let op = |method: &str, path: &str| doc["paths"][path][method].clone();

    assert_eq!(op("get", "/posts")["security"], json!([{ "jwt": [] }, {}]));
    assert_eq!(
        op("post", "/posts")["security"],
        json!([{ "jwt": [] }, { "api_key": [] }, { "api_key_query": [] }])
    );
    assert_eq!(op("get", "/health")["security"], json!([]));
    assert_eq!(op("get", "/undocumented").get("security"), None);

    let unauthorized = json!({ "$ref": "#/components/responses/Unauthorized" });
    let forbidden = json!({ "$ref": "#/components/responses/Forbidden" });
    assert_eq!(op("get", "/posts")["responses"]["401"], unauthorized);
    assert_eq!(op("get", "/posts")["responses"].get("403"), None);
    assert_eq!(op("post", "/posts")["responses"]["403"], forbidden);
    assert_eq!(op("get", "/posts/{id}")["responses"]["401"], unauthorized);
    assert_eq!(op("get", "/posts/{id}")["responses"].get("403"), None);
    assert_eq!(op("delete", "/posts/{id}")["responses"]["403"], own);
    for (method, path) in [("get", "/health"), ("get", "/undocumented")] {
        assert_eq!(
            op(method, path)["responses"].as_object().unwrap().len(),
            1,
            "{method} {path}"
        );
    }
    // Only the schemes the operations use.
    let schemes = doc["components"]["securitySchemes"].as_object().unwrap();
    assert_eq!(
        schemes.keys().collect::<Vec<_>>(),
        ["api_key", "api_key_query", "jwt"]
    );

    let responses = &doc["components"]["responses"];
    let body = json!({ "schema": { "$ref": "#/components/schemas/AuthErrorBody" } });
    assert_eq!(responses["Unauthorized"]["content"]["application/json"], body);
    assert_eq!(responses["Forbidden"]["content"]["application/json"], body);
    assert_eq!(
        responses["Unauthorized"]["headers"]["WWW-Authenticate"]["schema"]["type"],
        "string"
    );
    assert_eq!(responses["Forbidden"].get("headers"), None);
    let schema = &doc["components"]["schemas"]["AuthErrorBody"];
    assert_eq!(schema["required"], json!(["error", "message"]));
}

#[test]
fn the_responses_carry_the_renderers_body() {
    struct Plain;
    impl ErrorRenderer for Plain {
        fn render(&self, rejection: &Rejection) -> http::Response<bytes::Bytes> {
            http::Response::new(bytes::Bytes::from(rejection.message()))
        }
    }
    let routes = || route(Method::GET, "/me", &[Scheme::JWT]);
    let problem = builder(users()).renderer(ProblemJsonRenderer).build().unwrap();
    let doc = apply(
        SecurityAddon::new(&problem).route(routes()),
        document(&[("get", "/me")]),
    );
    let content = &doc["components"]["responses"]["Unauthorized"]["content"];
    assert_eq!(
        content.as_object().unwrap().keys().collect::<Vec<_>>(),
        ["application/problem+json"]
    );
    let schema = &doc["components"]["schemas"]["AuthErrorBody"];
    assert_eq!(
        schema["required"],
        json!(["type", "title", "status", "detail", "code"])
    );

    // A renderer that describes nothing: responses without a body, no schema.
    let plain = builder(users()).renderer(Plain).build().unwrap();
    let doc = apply(
        SecurityAddon::new(&plain).route(routes()),
        document(&[("get", "/me")]),
    );
    assert_eq!(
        doc["components"]["responses"]["Unauthorized"].get("content"),
        None
    );
    assert_eq!(doc["components"].get("schemas"), None);
}

#[test]
fn public_routes_alone_add_no_components() {
    let auth = builder(users()).build().unwrap();
    let doc = apply(
        SecurityAddon::new(&auth).route(RouteSecurity::public(Method::GET, "/health")),
        document(&[("get", "/health")]),
    );
    assert_eq!(doc["paths"]["/health"]["get"]["security"], json!([]));
    assert_eq!(doc.get("components"), None);
}
