//! Abuse resistance of the reference server (issue 14), over TCP on loopback.

use std::time::{Duration, Instant};

use serde_json::json;

use crate::client::{Request, fresh_source};
use crate::server::Server;

/// Resident memory, current and peak, in MiB (`/proc/<pid>/status`, Linux).
fn memory_mib(pid: u32) -> (u64, u64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("/proc/<pid>/status");
    let field = |name: &str| {
        status
            .lines()
            .find_map(|line| line.strip_prefix(name))
            .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            .unwrap_or_else(|| panic!("no {name} in {status}"))
            / 1024
    };
    (field("VmRSS:"), field("VmHWM:"))
}

fn register(name: &str) -> Request {
    Request::post("/auth/register").json(&json!({
        "username": name, "email": format!("{name}@example.com"), "password": "a-long-enough-password",
    }))
}

/// 64 concurrent registrations of a taken name, each from its own loopback address
/// (so that the per-address limit does not stop them first): argon2id (19 MiB a hash)
/// runs at most once per core, the rest wait briefly or get 503 + `Retry-After`; the
/// server's peak resident memory stays under 300 MB. Bounded: 64 requests, one round.
pub fn concurrent_registrations_keep_memory_bounded() {
    let server = Server::start("register-flood", None, &[]);
    register("victim")
        .source(fresh_source())
        .send(server.port())
        .expect(201, "the name to fight over");
    let (before, _) = memory_mib(server.pid());
    let started = Instant::now();
    let statuses: Vec<(u16, Option<String>)> = std::thread::scope(|scope| {
        let tasks: Vec<_> = (0..64)
            .map(|_| {
                let (server, source) = (&server, fresh_source());
                scope.spawn(move || {
                    let response = register("victim").source(source).send(server.port());
                    (response.status, response.header("retry-after").map(str::to_owned))
                })
            })
            .collect();
        tasks
            .into_iter()
            .map(|t| t.join().expect("a request thread"))
            .collect()
    });
    let elapsed = started.elapsed();
    let (after, peak) = memory_mib(server.pid());
    eprintln!(
        "64 concurrent registrations: {elapsed:?}; resident memory {before} MiB before, {after} MiB after, peak {peak} MiB; statuses {:?}",
        statuses
            .iter()
            .map(|(s, _)| *s)
            .collect::<std::collections::BTreeSet<_>>()
    );
    for (status, retry_after) in &statuses {
        match status {
            409 => {}
            503 => assert_eq!(retry_after.as_deref(), Some("1"), "503 without Retry-After"),
            other => panic!("a registration answered {other}"),
        }
    }
    assert!(
        statuses.iter().any(|(s, _)| *s == 409),
        "every registration refused"
    );
    assert!(peak < 300, "peak resident memory {peak} MiB (>= 300 MB)");
    assert!(elapsed < Duration::from_secs(60), "took {elapsed:?}");

    // One address registering again and again is stopped before hashing.
    let source = fresh_source();
    let answers: Vec<u16> = (0..25)
        .map(|n| {
            register(&format!("spammer{n}"))
                .source(source)
                .send(server.port())
                .status
        })
        .collect();
    assert_eq!(answers.iter().filter(|s| **s == 201).count(), 20, "{answers:?}");
    assert!(answers[20..].iter().all(|s| *s == 429), "{answers:?}");
}
