//! The reference server's OpenAPI document (`GET /openapi.json`, feature `utoipa`):
//! valid OpenAPI 3.1 by an independent validator (`tests/support/openapi_validator.rs`),
//! which does reject a broken one; and every operation names exactly the schemes its
//! handler accepts: those of the route registry for its method and path (the server's
//! `--access-matrix=csv`, every served annotated route documented), and those the server
//! shows over HTTP: the challenges of its 401 (one per scheme, in `#[auth]`'s order),
//! anonymous callers let through where the document has `{}`, and no 401 at all where
//! it has no security.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::access_matrix::run_to_end;
use crate::client::Request;
use crate::openapi_validator;
use crate::server::Server;

/// The document as the server serves it.
fn served_document(server: &Server) -> Value {
    let response = server.send(Request::get("/openapi.json"));
    response.expect(200, "GET /openapi.json is public");
    assert_eq!(response.header("content-type"), Some("application/json"));
    response.json()
}

/// Every operation: `(method, path, operation)`.
fn operations(document: &Value) -> Vec<(String, String, Value)> {
    const METHODS: [&str; 8] = [
        "get", "put", "post", "delete", "options", "head", "patch", "trace",
    ];
    let paths = document["paths"].as_object().expect("the document has paths");
    let mut out = Vec::new();
    for (path, item) in paths {
        for method in METHODS {
            if let Some(operation) = item.get(method) {
                out.push((method.to_owned(), path.clone(), operation.clone()));
            }
        }
    }
    out
}

/// The component names of an operation's alternatives, and whether `{}` (anonymous)
/// is one of them; `None` when the operation states no security.
fn alternatives(operation: &Value) -> Option<(Vec<String>, bool)> {
    let security = operation.get("security")?.as_array().expect("security is a list");
    let mut names = Vec::new();
    let mut anonymous = false;
    for alternative in security {
        let alternative = alternative.as_object().expect("an alternative is an object");
        match alternative.len() {
            0 => anonymous = true,
            1 => names.extend(alternative.keys().cloned()),
            _ => panic!("an alternative of several schemes at once: {alternative:?}"),
        }
    }
    Some((names, anonymous))
}

/// The Portcullis scheme a security-scheme component stands for: its name, or
/// `<scheme>_<place>` for a further place of the same scheme's credential.
fn scheme_of_component(name: &str, components: &Value) -> String {
    assert!(
        components.get(name).is_some(),
        "the alternative {name} names no security scheme of the components"
    );
    for place in ["_authorization", "_header", "_query", "_cookie"] {
        if let Some(root) = name.strip_suffix(place)
            && components.get(root).is_some()
        {
            return root.to_owned();
        }
    }
    name.to_owned()
}

/// The schemes of the challenges of a 401 (`Bearer realm=..., ApiKey realm=...`),
/// by the built-in schemes' challenge names.
fn challenged_schemes(challenges: &[&str]) -> Vec<String> {
    let mut schemes = Vec::new();
    for value in challenges {
        let parts: Vec<&str> = value.split("realm=").collect();
        for before in &parts[..parts.len() - 1] {
            let token = before
                .trim_end()
                .rsplit([' ', ','])
                .find(|t| !t.is_empty())
                .expect("an auth-scheme before realm=");
            let scheme = match token {
                "Bearer" => "jwt",
                "ApiKey" => "api_key",
                "Basic" => "basic",
                "Session" => "session",
                other => panic!("a challenge of no built-in scheme: {other} in {value:?}"),
            };
            schemes.push(scheme.to_owned());
        }
    }
    schemes
}

/// `/posts/{id}` → `/posts/1`.
fn concrete(path: &str) -> String {
    path.split('/')
        .map(|segment| match segment.starts_with('{') {
            true => "1",
            false => segment,
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// The reference server's document is OpenAPI 3.1 with resolving references, its
/// alternatives name its components, and the validator rejects it once broken.
pub fn the_document_is_valid_openapi_3_1() {
    let server = Server::start("openapi-valid", None, &[]);
    let document = served_document(&server);
    assert_eq!(document["openapi"], "3.1.0");
    let verdict = openapi_validator::validate(&document);
    assert!(verdict.valid, "not valid OpenAPI: {:#}", verdict.errors);
    assert_eq!(verdict.version.as_deref(), Some("3.1"));
    assert_eq!(verdict.refs_resolve, Value::Bool(true), "every $ref resolves");

    let components = &document["components"]["securitySchemes"];
    let mut protected = 0;
    for (method, path, operation) in operations(&document) {
        let Some((names, _)) = alternatives(&operation) else {
            panic!("{method} {path} states no security");
        };
        for name in &names {
            scheme_of_component(name, components);
        }
        if !names.is_empty() {
            protected += 1;
            assert_eq!(
                operation["responses"]["401"]["$ref"], "#/components/responses/Unauthorized",
                "{method} {path}: the shared 401"
            );
        }
    }
    assert!(
        protected >= 9,
        "the reference server's protected operations are documented"
    );
    let unauthorized = &document["components"]["responses"]["Unauthorized"];
    assert!(unauthorized["headers"]["WWW-Authenticate"].is_object());

    // The same document with the `jwt` scheme broken (`http` without its `scheme`) and
    // with a reference to a response that does not exist: both refused.
    let mut broken = document.clone();
    broken["components"]["securitySchemes"]["jwt"]
        .as_object_mut()
        .expect("a jwt security scheme")
        .remove("scheme");
    let verdict = openapi_validator::validate(&broken);
    assert!(!verdict.valid, "a security scheme without its scheme passed");
    assert!(
        verdict
            .errors
            .to_string()
            .contains("/components/securitySchemes/jwt"),
        "the error points at the broken scheme: {}",
        verdict.errors
    );
    let mut dangling = document.clone();
    dangling["paths"]["/users"]["get"]["responses"]["401"]["$ref"] = "#/components/responses/Nope".into();
    let verdict = openapi_validator::validate(&dangling);
    assert!(
        !verdict.valid && verdict.errors.to_string().contains("Nope"),
        "{}",
        verdict.errors
    );
}

/// The routes the server serves through annotated handlers, from its access matrix:
/// `(method, path) → (schemes in order, optional)`; public routes have no schemes.
fn registry_routes() -> BTreeMap<(String, String), (Vec<String>, bool)> {
    let (ok, csv, stderr) = run_to_end("openapi-matrix", &["--access-matrix=csv"], &[]);
    assert!(ok, "--access-matrix=csv failed: {stderr}");
    let mut routes = BTreeMap::new();
    for line in csv.lines().skip(1).filter(|l| !l.is_empty()) {
        let cells: Vec<&str> = line.split(',').collect();
        let (method, path, schemes) = (cells[0].to_lowercase(), cells[1].to_owned(), cells[2]);
        let optional = schemes.ends_with(" (optional)");
        let schemes: Vec<String> = match schemes.trim_end_matches(" (optional)") {
            "public" => Vec::new(),
            listed => listed.split(' ').map(str::to_owned).collect(),
        };
        routes.insert((method, path), (schemes, optional));
    }
    routes
}

/// Each operation's alternatives are exactly the schemes its handler accepts: the
/// registry's for its method and path, and what the server answers (the challenges of
/// a 401, in order).
pub fn operations_name_exactly_the_schemes_their_handlers_accept() {
    let server = Server::start("openapi-schemes", None, &[]);
    let document = served_document(&server);
    let components = &document["components"]["securitySchemes"];
    let mut registry = registry_routes();
    // Development mode only: not in the document, which is the same in production.
    assert!(registry.remove(&("get".into(), "/dev/outbox".into())).is_some());
    let mut seen = BTreeSet::new();
    for (method, path, operation) in operations(&document) {
        let what = format!("{} {path}", method.to_uppercase());
        let (names, anonymous) = alternatives(&operation).unwrap_or_else(|| panic!("{what}: no security"));
        let mut documented: Vec<String> = Vec::new();
        for name in &names {
            let scheme = scheme_of_component(name, components);
            if !documented.contains(&scheme) {
                documented.push(scheme);
            }
        }
        let Some((registered, optional)) = registry.remove(&(method.clone(), path.clone())) else {
            panic!("{what} is documented but served by no annotated handler");
        };
        assert_eq!(
            documented, registered,
            "{what}: the documented schemes against the registry's"
        );
        assert_eq!(
            anonymous, optional,
            "{what}: anonymous callers documented iff `optional`"
        );
        let request = || Request::new(&method.to_uppercase(), &concrete(&path));
        if documented.is_empty() {
            assert!(!anonymous, "{what}: public, and anonymous as an alternative");
            // Public: neither missing nor bad credentials are refused.
            let response = server.send(request());
            assert_ne!(response.status, 401, "{what} is documented public");
            let response = server.send(request().bearer("not-a-token"));
            assert_ne!(
                response.status, 401,
                "{what} is documented public, yet read a token"
            );
            continue;
        }
        let refused = if anonymous {
            let response = server.send(request());
            assert_ne!(
                response.status, 401,
                "{what}: documented open to anonymous callers"
            );
            // A bad credential of the first scheme still refuses, with every challenge.
            let response = match documented[0].as_str() {
                "jwt" => server.send(request().bearer("not-a-token")),
                "api_key" => server.send(request().api_key("not-a-key")),
                other => panic!("{what}: no bad credential to send for {other}"),
            };
            response.expect(401, &format!("{what} with a bad credential"));
            response
        } else {
            let response = server.send(request());
            response.expect(401, &format!("{what} without credentials"));
            response
        };
        let challenges = refused.headers_all("www-authenticate");
        assert_eq!(
            challenged_schemes(&challenges),
            documented,
            "{what}: the documented schemes against the 401's challenges {challenges:?}"
        );
        seen.extend(documented);
    }
    assert!(registry.is_empty(), "served but not documented: {registry:?}");
    // The reference server's handlers use every scheme it configures but `basic`.
    let seen: Vec<&str> = seen.iter().map(String::as_str).collect();
    assert_eq!(seen, ["api_key", "jwt", "session"]);
}
