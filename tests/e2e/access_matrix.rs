//! Issue 11 items 3 and 4 on the real reference server: its access matrix
//! (`--access-matrix=csv`) agrees with what its HTTP layer answers each seed user, and
//! a forgotten annotation stops it at start-up, naming the handler.

use std::collections::HashMap;
use std::process::{Command, Stdio};

use crate::client::Request;
use crate::server::{JWT_SECRET, Server, TempDir, example_binary};
use crate::suite::{Account, Suite};

/// The reference server binary with the test defaults and `env`, run to its end.
pub(crate) fn run_to_end(tag: &str, args: &[&str], env: &[(&str, &str)]) -> (bool, String, String) {
    let dir = TempDir::new(tag);
    let mut command = Command::new(example_binary());
    command
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("PORTCULLIS_ADDR", "127.0.0.1:0")
        .env(
            "PORTCULLIS_DATABASE_URL",
            format!("sqlite://{}/ref.db?mode=rwc", dir.path().display()),
        )
        .env("PORTCULLIS_DEV", "1")
        .env("PORTCULLIS_JWT_SECRET", JWT_SECRET)
        .env("RUST_LOG", "warn")
        .args(args)
        .stdin(Stdio::null());
    for (name, value) in env {
        command.env(name, value);
    }
    let output = command.output().expect("run the reference server");
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// A route the reference server serves with a handler that has neither `#[auth]` nor
/// `#[public]` (`PORTCULLIS_TEST_FORGOTTEN_ROUTE=1` adds one): the server exits with an
/// error naming the route and the handler, before it listens.
pub fn a_forgotten_annotation_stops_the_server() {
    let (ok, stdout, stderr) = run_to_end("forgotten", &[], &[("PORTCULLIS_TEST_FORGOTTEN_ROUTE", "1")]);
    assert!(
        !ok,
        "the server started with an unannotated route: {stdout}{stderr}"
    );
    assert!(
        stderr.contains(
            r#"Unannotated { method: "GET", path: "/forgotten", handler: "reference::forgotten" }"#
        ),
        "{stderr}"
    );
    assert!(!stderr.contains("listening"), "{stderr}");
    // Without it the same code path starts (and prints its matrix).
    let (ok, stdout, stderr) = run_to_end("annotated", &["--access-matrix"], &[]);
    assert!(
        ok && stdout.starts_with("| method | path | schemes |"),
        "{stdout}{stderr}"
    );
}

/// Every cell of the matrix against the server's answer to the seed user of that role
/// (alice: admin, carol: moderator, bob: user): allowed → neither 401 nor 403 (on
/// another user's resource for `{id}` routes); denied → 403; own-only → allowed on the user's own resource and 403/404 on another's;
/// depends → not checked here (scopes, policies with code: the contract rows do).
pub fn the_access_matrix_agrees_with_the_http_layer() {
    let (ok, csv, stderr) = run_to_end("matrix", &["--access-matrix=csv"], &[]);
    assert!(ok, "{stderr}");
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().expect("a header").split(',').collect();
    assert_eq!(header[..3], ["method", "path", "schemes"], "{csv}");
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    let expect_route = |method: &str, path: &str| {
        assert!(
            rows.iter().any(|r| r[0] == method && r[1] == path),
            "{method} {path} is missing from the matrix:\n{csv}"
        );
    };
    expect_route("GET", "/admin/users");
    expect_route("DELETE", "/api-keys/{id}");

    let server = Server::start("matrix-http", None, &[]);
    let t = Suite {
        label: "matrix-http",
        server: &server,
    };
    let seeds = t.seeds();
    let by_role: HashMap<&str, &Account> = HashMap::from([
        ("admin", &seeds.alice),
        ("moderator", &seeds.carol),
        ("user", &seeds.bob),
    ]);
    let mut checked = 0;
    for row in &rows {
        let (method, path, schemes) = (row[0], row[1], row[2]);
        for (column, cell) in header.iter().zip(row.iter()).skip(3) {
            let Some(user) = by_role.get(column) else {
                continue; // `(no role)`: no seed user has no role
            };
            let what = format!("{method} {path} as {} ({column}): {cell}", user.name);
            match *cell {
                "allowed" => {
                    // On another user's resource: allowed whoever owns it.
                    let status = call(&t, (method, path, schemes), user, &by_role, Owner::Other);
                    assert!(![401, 403, 404, 405].contains(&status), "{what}: {status}");
                }
                "denied" => {
                    let status = call(&t, (method, path, schemes), user, &by_role, Owner::Own);
                    assert_eq!(status, 403, "{what}");
                }
                "own-only" => {
                    let other = call(&t, (method, path, schemes), user, &by_role, Owner::Other);
                    assert!([403, 404].contains(&other), "{what}, on another's: {other}");
                    let own = call(&t, (method, path, schemes), user, &by_role, Owner::Own);
                    assert!(![401, 403, 404, 405].contains(&own), "{what}, on its own: {own}");
                }
                "depends" => continue,
                other => panic!("{what}: unknown cell {other}"),
            }
            checked += 1;
        }
    }
    assert!(checked >= 20, "only {checked} cells checked:\n{csv}");
}

#[derive(Clone, Copy)]
enum Owner {
    Own,
    Other,
}

/// Calls `method path` as `user` with a bearer token (or, on a route that takes no
/// token, a session with its CSRF token), `{id}` replaced by a fresh resource of the
/// user (or of another seed user).
fn call(
    t: &Suite<'_>,
    (method, path, schemes): (&str, &str, &str),
    user: &Account,
    seeds: &HashMap<&str, &Account>,
    owner: Owner,
) -> u16 {
    let owner_account = match owner {
        Owner::Own => user,
        Owner::Other => seeds
            .values()
            .find(|a| a.name != user.name)
            .expect("another seed user"),
    };
    let path = if path.contains("{id}") {
        let id = match path {
            p if p.starts_with("/api-keys/") => {
                t.create_api_key(
                    Request::post("/api-keys").bearer(&owner_account.access),
                    "a key to call the route with",
                )
                .0
            }
            p if p.starts_with("/posts/") => t.create_post(
                Request::post("/posts").bearer(&owner_account.access),
                "matrix",
                true,
                owner_account.id,
            ),
            other => panic!("no resource known for {other}"),
        };
        path.replace("{id}", &id.to_string())
    } else {
        path.to_owned()
    };
    let mut request = Request::new(method, &path);
    request = if schemes == "public" {
        request
    } else if schemes.split(' ').any(|s| s == "jwt") {
        request.bearer(&user.access)
    } else if schemes.split(' ').any(|s| s == "session") {
        let session = t.session(&user.name, &user.password);
        request.cookie(&session.cookie).csrf(&session.csrf)
    } else {
        panic!("{method} {path}: no credential known for the schemes {schemes}")
    };
    if method == "POST" || method == "PUT" {
        request = request.json(&Suite::post_json("matrix", true));
    }
    t.send(request).status
}
