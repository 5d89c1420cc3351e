//! Throttling that a stranger cannot weaponise (in memory; the same scenarios run on
//! Redis in `tests/services/redis_abuse.rs`): the address is checked before a
//! per-name counter exists, lock-out is per (name, address) with a per-name ceiling,
//! IPv6 counts by /64, and forwarding headers count only from trusted proxies.

use http::Request;
use portcullis::ClientAddr;

use crate::support::abuse_suite;
use crate::support::*;

#[tokio::test]
async fn a_name_flood_from_one_address_stops_at_the_address() {
    abuse_suite::name_flood_from_one_address(builder(users())).await;
}

#[tokio::test]
async fn a_stranger_cannot_lock_out_the_owner() {
    abuse_suite::stranger_cannot_lock_out_the_owner(builder(users())).await;
}

#[tokio::test]
async fn distributed_guessing_hits_the_ceiling_but_not_the_owners_address() {
    abuse_suite::distributed_guessing_hits_the_ceiling(builder(users())).await;
}

#[tokio::test]
async fn ipv6_addresses_of_one_64_are_one_client() {
    abuse_suite::ipv6_addresses_of_one_64_are_one_client(builder(users())).await;
}

fn from(peer: &str, forwarded: Option<(&str, &str)>) -> http::request::Parts {
    let mut request = Request::post("/login");
    if let Some((name, value)) = forwarded {
        request = request.header(name, value);
    }
    let (mut parts, ()) = request.body(()).unwrap().into_parts();
    parts.extensions.insert(ClientAddr(peer.parse().unwrap()));
    parts
}

#[tokio::test]
async fn forwarding_headers_count_only_from_trusted_proxies() {
    let auth = builder(users())
        .trusted_proxies(["10.0.0.0/8", "fd00::/8"])
        .build()
        .unwrap();
    let via_proxy = from("10.0.0.2", Some(("x-forwarded-for", "6.6.6.6, 203.0.113.9")));
    assert_eq!(auth.client_ip(&via_proxy), Some("203.0.113.9".parse().unwrap()));
    let forwarded = from("fd00::2", Some(("forwarded", "for=\"[2001:db8::5]:443\"")));
    assert_eq!(auth.client_ip(&forwarded), Some("2001:db8::5".parse().unwrap()));
    // A client naming its own address: ignored, it is throttled as itself.
    let spoofed = from("198.51.100.7", Some(("x-forwarded-for", "203.0.113.9")));
    assert_eq!(auth.client_ip(&spoofed), Some("198.51.100.7".parse().unwrap()));
    // Without trusted proxies nothing is forwarded.
    let plain = builder(users()).build().unwrap();
    assert_eq!(plain.client_ip(&via_proxy), Some("10.0.0.2".parse().unwrap()));
    assert!(builder(users()).trusted_proxies(["10.0.0.0/33"]).build().is_err());
}

/// Behind a proxy, 20 typos by one client no longer lock out everyone: each client
/// is counted under its forwarded address.
#[tokio::test]
async fn behind_a_proxy_one_client_cannot_lock_out_the_others() {
    let auth = builder(users()).trusted_proxies(["10.0.0.1"]).build().unwrap();
    let client = |address: &str| {
        let parts = from("10.0.0.1", Some(("x-forwarded-for", address)));
        auth.client_ip(&parts)
    };
    for n in 0..25 {
        let _ = auth
            .login(&format!("typo-{n}"), "guess", client("203.0.113.1"))
            .await;
    }
    assert!(matches!(
        auth.login("nobody", "guess", client("203.0.113.1")).await,
        Err(portcullis::AuthError::Throttled { .. })
    ));
    assert!(
        auth.login("alice", ALICE_PASSWORD, client("203.0.113.2"))
            .await
            .is_ok()
    );
}
