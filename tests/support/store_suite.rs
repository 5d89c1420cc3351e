//! The behaviour suite of the credential-lifecycle stores: every implementation of
//! `RefreshStore`, `SessionStore`, `ThrottleStore` and `RevocationStore` runs each function
//! of its trait (the in-memory stores in `tests/it/stores.rs`, `RedisStore` in the
//! `services` binary).
//!
//! Each function takes a fresh, empty store (`Arc<S>`: the concurrency cases share it
//! between tasks, so run them on a multi-threaded runtime) and panics on a deviation. It
//! proves, for each trait: refresh rotation, reuse detection revoking the whole family
//! (the newest token included) by an older generation while a forged hash or a
//! future generation revokes nothing, `revoke_family` (also of an expired family),
//! family expiry and its extension by rotation (spent generations still detected after
//! it) up to the absolute lifetime,
//! `current_grant`; session create/touch/destroy, idle expiry extended by use, absolute
//! expiry, single `take`; throttle counting, a window fixed by the first failure and
//! reset after it, `forgive`; revocation with its expiry; and that concurrent rotations
//! and failures are atomic. `*_cases()` list them
//! by trait, for custom runners.

use std::collections::BTreeSet;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use portcullis::{
    RefreshStore, RevocationStore, Rotation, SecretHash, SessionRecord, SessionStore, ThrottleStore,
};
use tokio::time::sleep;

/// A case of the suite: its name and the function running it on a store.
pub type Case<S> = (
    &'static str,
    fn(Arc<S>) -> Pin<Box<dyn Future<Output = ()> + Send>>,
);

/// The named cases, as [`Case`]s of the store type `S`.
macro_rules! cases {
    ($($name:ident),+ $(,)?) => {
        vec![$((
            stringify!($name),
            (|store| Box::pin($name(store))) as fn(Arc<S>) -> Pin<Box<dyn Future<Output = ()> + Send>>,
        )),+]
    };
}

/// Every `RefreshStore` case.
pub fn refresh_cases<S: RefreshStore>() -> Vec<Case<S>> {
    cases![
        refresh_rotation,
        refresh_reuse_revokes_family,
        refresh_forgery_revokes_nothing,
        refresh_absolute_lifetime,
        refresh_revoke_family,
        refresh_revoke_expired_family,
        refresh_expiry,
        refresh_concurrent_rotation,
        refresh_current_grant,
    ]
}

/// Every `SessionStore` case.
pub fn session_cases<S: SessionStore>() -> Vec<Case<S>> {
    cases![
        session_create_touch_destroy,
        session_idle_expiry,
        session_absolute_expiry,
        session_take_once,
    ]
}

/// Every `ThrottleStore` case.
pub fn throttle_cases<S: ThrottleStore>() -> Vec<Case<S>> {
    cases![
        throttle_counting,
        throttle_window,
        throttle_concurrent_failures,
        throttle_forgive,
    ]
}

/// Every `RevocationStore` case.
pub fn revocation_cases<S: RevocationStore>() -> Vec<Case<S>> {
    cases![
        revocation_revoke,
        revocation_expiry,
        revocation_cut_offs,
        revocation_check
    ]
}

/// Every case of the four traits, for a store implementing them all (`RedisStore`).
pub fn every_case<S: RefreshStore + SessionStore + ThrottleStore + RevocationStore>() -> Vec<Case<S>> {
    [
        refresh_cases(),
        session_cases(),
        throttle_cases(),
        revocation_cases(),
    ]
    .concat()
}

pub fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

fn token(n: u8) -> SecretHash {
    let mut t = [n; 32];
    t[0] = 0xa5; // not all equal bytes: catches a store that truncates or reorders
    t
}

fn rotated(grant: &str, family: &str) -> Rotation {
    Rotation::Rotated {
        grant: grant.into(),
        family: family.into(),
    }
}

// ---- refresh families ----

/// A long absolute lifetime: the cases that do not test it.
const LONG: Duration = Duration::from_secs(3600);

pub async fn refresh_rotation(store: Arc<impl RefreshStore>) {
    let ttl = Duration::from_secs(60);
    store.start("fam-a", "42", &token(1), ttl, LONG).await.unwrap();
    store.start("fam-b", "7", &token(50), ttl, LONG).await.unwrap();
    for (generation, n) in [(0, 1), (1, 2), (2, 3)] {
        assert_eq!(
            store
                .rotate("fam-a", generation, &token(n), &token(n + 1), ttl)
                .await
                .unwrap(),
            rotated("42", "fam-a")
        );
    }
    // The other family is independent.
    assert_eq!(
        store
            .rotate("fam-b", 0, &token(50), &token(51), ttl)
            .await
            .unwrap(),
        rotated("7", "fam-b")
    );
    // Never issued: invalid, and nothing is revoked by it.
    assert_eq!(
        store
            .rotate("fam-x", 0, &token(99), &token(98), ttl)
            .await
            .unwrap(),
        Rotation::Invalid
    );
    assert_eq!(
        store.rotate("fam-a", 3, &token(4), &token(5), ttl).await.unwrap(),
        rotated("42", "fam-a")
    );
}

pub async fn refresh_reuse_revokes_family(store: Arc<impl RefreshStore>) {
    let ttl = Duration::from_secs(60);
    store.start("fam-a", "42", &token(1), ttl, LONG).await.unwrap();
    store.start("fam-b", "42", &token(50), ttl, LONG).await.unwrap();
    assert_eq!(
        store.rotate("fam-a", 0, &token(1), &token(2), ttl).await.unwrap(),
        rotated("42", "fam-a")
    );
    assert_eq!(
        store.rotate("fam-a", 1, &token(2), &token(3), ttl).await.unwrap(),
        rotated("42", "fam-a")
    );
    // An attacker replays the spent token 1 (generation 0): the family is revoked...
    assert_eq!(
        store
            .rotate("fam-a", 0, &token(1), &token(10), ttl)
            .await
            .unwrap(),
        Rotation::Reused {
            family: "fam-a".into()
        }
    );
    // ...including the newest token (the legitimate client's), which is now refused,
    assert_eq!(
        store.rotate("fam-a", 2, &token(3), &token(4), ttl).await.unwrap(),
        Rotation::Invalid
    );
    // and replaying again is just invalid (the family is already revoked).
    assert_eq!(
        store
            .rotate("fam-a", 0, &token(1), &token(12), ttl)
            .await
            .unwrap(),
        Rotation::Invalid
    );
    assert!(!store.revoke_family("fam-a").await.unwrap(), "already revoked");
    // The user's other family (another device) is untouched.
    assert_eq!(
        store
            .rotate("fam-b", 0, &token(50), &token(51), ttl)
            .await
            .unwrap(),
        rotated("42", "fam-b")
    );
}

/// A wrong hash at the current generation, or a generation not issued yet, is merely
/// invalid: it revokes nothing, and the right token still rotates.
pub async fn refresh_forgery_revokes_nothing(store: Arc<impl RefreshStore>) {
    let ttl = Duration::from_secs(60);
    store.start("fam-a", "42", &token(1), ttl, LONG).await.unwrap();
    assert_eq!(
        store
            .rotate("fam-a", 0, &token(9), &token(10), ttl)
            .await
            .unwrap(),
        Rotation::Invalid
    );
    assert_eq!(
        store
            .rotate("fam-a", 5, &token(1), &token(10), ttl)
            .await
            .unwrap(),
        Rotation::Invalid
    );
    assert_eq!(store.current_grant("fam-a", 1, &token(1)).await.unwrap(), None);
    assert_eq!(
        store.rotate("fam-a", 0, &token(1), &token(2), ttl).await.unwrap(),
        rotated("42", "fam-a")
    );
}

pub async fn refresh_revoke_family(store: Arc<impl RefreshStore>) {
    let ttl = Duration::from_secs(60);
    store.start("fam-a", "42", &token(1), ttl, LONG).await.unwrap();
    assert_eq!(
        store.rotate("fam-a", 0, &token(1), &token(2), ttl).await.unwrap(),
        rotated("42", "fam-a")
    );
    assert!(store.revoke_family("fam-a").await.unwrap());
    assert_eq!(
        store.rotate("fam-a", 1, &token(2), &token(3), ttl).await.unwrap(),
        Rotation::Invalid
    );
    assert!(
        !store.revoke_family("fam-a").await.unwrap(),
        "second revocation reports false"
    );
    // Unknown family.
    assert!(!store.revoke_family("fam-x").await.unwrap());
    // Other families keep working.
    store.start("fam-c", "44", &token(30), ttl, LONG).await.unwrap();
    assert_eq!(
        store
            .rotate("fam-c", 0, &token(30), &token(31), ttl)
            .await
            .unwrap(),
        rotated("44", "fam-c")
    );
}

pub async fn refresh_expiry(store: Arc<impl RefreshStore>) {
    // A family left alone expires.
    store
        .start("fam-old", "1", &token(40), ms(300), LONG)
        .await
        .unwrap();
    sleep(ms(500)).await;
    assert_eq!(
        store
            .rotate("fam-old", 0, &token(40), &token(41), ms(300))
            .await
            .unwrap(),
        Rotation::Invalid
    );

    // Each rotation extends the family by `ttl` again: the family outlives its first TTL...
    let ttl = ms(600);
    store.start("fam-a", "42", &token(1), ttl, LONG).await.unwrap();
    sleep(ms(350)).await;
    assert_eq!(
        store.rotate("fam-a", 0, &token(1), &token(2), ttl).await.unwrap(),
        rotated("42", "fam-a")
    );
    sleep(ms(350)).await; // 700 ms after start: only alive because of the rotation
    assert_eq!(
        store.rotate("fam-a", 1, &token(2), &token(3), ttl).await.unwrap(),
        rotated("42", "fam-a")
    );
    // ...and so does reuse detection: generation 0, spent 700 ms ago, is still
    // recognised as a reuse.
    sleep(ms(350)).await;
    assert_eq!(
        store.rotate("fam-a", 0, &token(1), &token(9), ttl).await.unwrap(),
        Rotation::Reused {
            family: "fam-a".into()
        }
    );
    assert_eq!(
        store.rotate("fam-a", 2, &token(3), &token(4), ttl).await.unwrap(),
        Rotation::Invalid
    );
}

/// Rotations extend a family, never past its absolute lifetime.
pub async fn refresh_absolute_lifetime(store: Arc<impl RefreshStore>) {
    let ttl = ms(400);
    store.start("fam-a", "42", &token(1), ttl, ms(900)).await.unwrap();
    let mut n = 1;
    for generation in 0..3u64 {
        sleep(ms(250)).await; // always well within the sliding TTL
        assert_eq!(
            store
                .rotate("fam-a", generation, &token(n), &token(n + 1), ttl)
                .await
                .unwrap(),
            rotated("42", "fam-a"),
            "rotation {generation}"
        );
        n += 1;
    }
    sleep(ms(250)).await; // 1 s after the start: past the lifetime, within the TTL
    assert_eq!(
        store
            .rotate("fam-a", 3, &token(n), &token(n + 1), ttl)
            .await
            .unwrap(),
        Rotation::Invalid,
        "the family slid past its absolute lifetime"
    );
}

/// `revoke_family` of an expired family: there is no family any more, so `false`.
pub async fn refresh_revoke_expired_family(store: Arc<impl RefreshStore>) {
    store
        .start("fam-old", "1", &token(40), ms(300), LONG)
        .await
        .unwrap();
    sleep(ms(500)).await;
    assert!(
        !store.revoke_family("fam-old").await.unwrap(),
        "revoked a family that had expired"
    );
}

pub async fn refresh_concurrent_rotation<S: RefreshStore>(store: Arc<S>) {
    let ttl = Duration::from_secs(60);
    store.start("fam-race", "42", &token(1), ttl, LONG).await.unwrap();
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..16u8 {
        let store = store.clone();
        tasks.spawn(async move {
            (
                i,
                store
                    .rotate("fam-race", 0, &token(1), &token(100 + i), ttl)
                    .await
                    .unwrap(),
            )
        });
    }
    let mut winners = Vec::new();
    let (mut reused, mut invalid) = (0, 0);
    while let Some(result) = tasks.join_next().await {
        match result.unwrap() {
            (i, Rotation::Rotated { .. }) => winners.push(i),
            (_, Rotation::Reused { .. }) => reused += 1,
            (_, Rotation::Invalid) => invalid += 1,
        }
    }
    // Exactly one rotation wins; the first loser detects the reuse, the rest find the
    // family revoked. A read-modify-write race would let two win.
    assert_eq!(winners.len(), 1, "winners {winners:?}");
    assert_eq!((reused, invalid), (1, 14));
    assert_eq!(
        store
            .rotate("fam-race", 1, &token(100 + winners[0]), &token(200), ttl)
            .await
            .unwrap(),
        Rotation::Invalid
    );
}

// ---- sessions ----

fn record(user_id: &str, created: SystemTime) -> SessionRecord {
    SessionRecord {
        user_id: user_id.into(),
        csrf_token: format!("csrf-of-{user_id}"),
        created,
    }
}

pub async fn session_create_touch_destroy(store: Arc<impl SessionStore>) {
    let (idle, absolute) = (Duration::from_secs(60), Duration::from_secs(3600));
    let alice = record("1", SystemTime::now());
    store.create(&token(1), &alice, idle).await.unwrap();
    // The record comes back exactly (creation time to the nanosecond).
    assert_eq!(
        store.touch(&token(1), idle, absolute).await.unwrap(),
        Some(alice.clone())
    );
    assert_eq!(
        store.touch(&token(1), idle, absolute).await.unwrap(),
        Some(alice.clone())
    );
    assert_eq!(
        store.touch(&token(2), idle, absolute).await.unwrap(),
        None,
        "unknown id"
    );
    // Creating under an existing id replaces the session.
    let bob = record("2", SystemTime::now());
    store.create(&token(3), &bob, idle).await.unwrap();
    let bob2 = SessionRecord {
        csrf_token: "rotated".into(),
        ..bob.clone()
    };
    store.create(&token(3), &bob2, idle).await.unwrap();
    assert_eq!(store.touch(&token(3), idle, absolute).await.unwrap(), Some(bob2));
    // Logout destroys only that session; destroying twice (or an unknown id) is fine.
    store.destroy(&token(1)).await.unwrap();
    assert_eq!(store.touch(&token(1), idle, absolute).await.unwrap(), None);
    store.destroy(&token(1)).await.unwrap();
    store.destroy(&token(9)).await.unwrap();
    assert!(store.touch(&token(3), idle, absolute).await.unwrap().is_some());
}

pub async fn session_idle_expiry(store: Arc<impl SessionStore>) {
    let (idle, absolute) = (ms(600), Duration::from_secs(3600));
    let alice = record("1", SystemTime::now());
    store.create(&token(1), &alice, idle).await.unwrap();
    store.create(&token(2), &alice, idle).await.unwrap();
    sleep(ms(350)).await;
    assert_eq!(
        store.touch(&token(1), idle, absolute).await.unwrap(),
        Some(alice.clone())
    );
    sleep(ms(350)).await;
    // 700 ms after creation: alive only because the touch extended the idle expiry;
    // the untouched twin has expired.
    assert_eq!(
        store.touch(&token(1), idle, absolute).await.unwrap(),
        Some(alice.clone())
    );
    assert_eq!(store.touch(&token(2), idle, absolute).await.unwrap(), None);
    sleep(ms(800)).await;
    assert_eq!(store.touch(&token(1), idle, absolute).await.unwrap(), None);
}

pub async fn session_absolute_expiry(store: Arc<impl SessionStore>) {
    let hour = Duration::from_secs(3600);
    // Created two hours ago, absolute limit one hour: refused at once although idle-fresh,
    let old = record("1", SystemTime::now() - 2 * hour);
    store.create(&token(1), &old, hour).await.unwrap();
    assert_eq!(store.touch(&token(1), hour, hour).await.unwrap(), None);
    // and destroyed, not just hidden: a laxer limit does not bring it back.
    assert_eq!(store.touch(&token(1), hour, 10 * hour).await.unwrap(), None);

    // Touched regularly (idle 800 ms), a session still ends at its absolute limit (900 ms).
    let (idle, absolute) = (ms(800), ms(900));
    let young = record("2", SystemTime::now());
    store.create(&token(2), &young, idle).await.unwrap();
    for _ in 0..3 {
        assert_eq!(
            store.touch(&token(2), idle, absolute).await.unwrap(),
            Some(young.clone())
        );
        sleep(ms(300)).await;
    }
    sleep(ms(200)).await; // 1100 ms: idle would last until ~1400 ms, absolute is over
    assert_eq!(store.touch(&token(2), idle, absolute).await.unwrap(), None);
    assert_eq!(store.touch(&token(2), idle, 10 * hour).await.unwrap(), None);
}

// ---- throttle ----

pub async fn throttle_counting(store: Arc<impl ThrottleStore>) {
    let window = Duration::from_secs(60);
    assert_eq!(store.failures("login:alice").await.unwrap(), (0, Duration::ZERO));
    for expected in 1..=3 {
        let (n, left) = store.record_failure("login:alice", window).await.unwrap();
        assert_eq!(n, expected);
        assert!(left <= window && left > window - ms(2000), "{left:?}");
    }
    let (n, left) = store.failures("login:alice").await.unwrap();
    assert_eq!(n, 3);
    assert!(left <= window && left > window - ms(2000), "{left:?}");
    // Keys are independent (and any string is a key).
    assert_eq!(store.failures("login:bob").await.unwrap(), (0, Duration::ZERO));
    let odd = "ip:::1 \u{e9}\n*?[]".repeat(100);
    assert_eq!(store.record_failure(&odd, window).await.unwrap().0, 1);
    assert_eq!(store.failures(&odd).await.unwrap().0, 1);
    assert_eq!(store.failures("login:alice").await.unwrap().0, 3);
}

pub async fn throttle_window(store: Arc<impl ThrottleStore>) {
    let window = ms(800);
    let (n, left) = store.record_failure("k", window).await.unwrap();
    assert_eq!(n, 1);
    assert!(left <= window && left > ms(600), "{left:?}");
    sleep(ms(300)).await;
    // The window runs from the first failure: a later failure does not extend it,
    // even when it asks for a longer window.
    let (n, left) = store.record_failure("k", Duration::from_secs(60)).await.unwrap();
    assert_eq!(n, 2);
    assert!(left <= ms(510), "window was extended: {left:?} left");
    let (n, left2) = store.failures("k").await.unwrap();
    assert_eq!(n, 2);
    assert!(left2 <= left, "{left2:?} > {left:?}");
    sleep(ms(700)).await;
    // After the window: nothing counted, and the next failure opens a new window.
    assert_eq!(store.failures("k").await.unwrap(), (0, Duration::ZERO));
    let (n, left) = store.record_failure("k", window).await.unwrap();
    assert_eq!(n, 1);
    assert!(left > ms(600), "{left:?}");
}

pub async fn throttle_concurrent_failures<S: ThrottleStore>(store: Arc<S>) {
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..50 {
        let store = store.clone();
        tasks.spawn(async move {
            store
                .record_failure("login:race", Duration::from_secs(60))
                .await
                .unwrap()
                .0
        });
    }
    let mut counts = BTreeSet::new();
    while let Some(n) = tasks.join_next().await {
        assert!(
            counts.insert(n.unwrap()),
            "two failures got the same count: lost update"
        );
    }
    assert_eq!(counts, (1..=50).collect());
    assert_eq!(store.failures("login:race").await.unwrap().0, 50);
}

// ---- revocation ----

pub async fn revocation_revoke(store: Arc<impl RevocationStore>) {
    let until = SystemTime::now() + Duration::from_secs(600);
    assert!(!store.is_revoked("jti-a").await.unwrap());
    store.revoke("jti-a", until).await.unwrap();
    assert!(store.is_revoked("jti-a").await.unwrap());
    assert!(!store.is_revoked("jti-b").await.unwrap());
    assert!(!store.is_revoked("jti-a ").await.unwrap(), "exact ids only");
    store.revoke("jti-a", until).await.unwrap(); // idempotent
    assert!(store.is_revoked("jti-a").await.unwrap());
}

pub async fn revocation_expiry(store: Arc<impl RevocationStore>) {
    // A revocation outlives its token by 60 s (clock leeway), then expires.
    let now = SystemTime::now();
    store
        .revoke("long-expired", now - Duration::from_secs(61))
        .await
        .unwrap();
    assert!(!store.is_revoked("long-expired").await.unwrap());
    store.revoke("in-leeway", now - ms(59_400)).await.unwrap(); // 600 ms left
    assert!(store.is_revoked("in-leeway").await.unwrap());
    sleep(ms(900)).await;
    assert!(!store.is_revoked("in-leeway").await.unwrap());
}

/// "Everything issued before": per user and for every user, the later one applies;
/// a cut-off only moves forward and expires when it is no longer needed.
pub async fn revocation_cut_offs(store: Arc<impl RevocationStore>) {
    // Whole milliseconds: what every store keeps.
    let at = |secs: u64| std::time::UNIX_EPOCH + Duration::from_secs(1_700_000_000 + secs);
    let kept = SystemTime::now() + Duration::from_secs(600);
    assert_eq!(store.issued_before(Some("7")).await.unwrap(), None);
    assert_eq!(store.issued_before(None).await.unwrap(), None);
    store.revoke_issued_before(Some("7"), at(10), kept).await.unwrap();
    assert_eq!(store.issued_before(Some("7")).await.unwrap(), Some(at(10)));
    assert_eq!(store.issued_before(Some("8")).await.unwrap(), None, "per user");
    assert_eq!(
        store.issued_before(Some("7 ")).await.unwrap(),
        None,
        "exact ids only"
    );
    assert_eq!(
        store.issued_before(None).await.unwrap(),
        None,
        "not for every user"
    );
    // Only forward.
    store.revoke_issued_before(Some("7"), at(5), kept).await.unwrap();
    assert_eq!(store.issued_before(Some("7")).await.unwrap(), Some(at(10)));
    // Every user: applies to all, the later of both wins.
    store.revoke_issued_before(None, at(8), kept).await.unwrap();
    assert_eq!(store.issued_before(Some("7")).await.unwrap(), Some(at(10)));
    assert_eq!(store.issued_before(Some("8")).await.unwrap(), Some(at(8)));
    assert_eq!(store.issued_before(None).await.unwrap(), Some(at(8)));
    store.revoke_issued_before(None, at(20), kept).await.unwrap();
    assert_eq!(store.issued_before(Some("7")).await.unwrap(), Some(at(20)));
    // Kept until `until`, then gone; an `until` already past records nothing.
    let soon = SystemTime::now() + ms(600);
    store.revoke_issued_before(Some("9"), at(30), soon).await.unwrap();
    store
        .revoke_issued_before(Some("10"), at(30), SystemTime::now() - ms(1))
        .await
        .unwrap();
    assert_eq!(store.issued_before(Some("9")).await.unwrap(), Some(at(30)));
    assert_eq!(store.issued_before(Some("10")).await.unwrap(), Some(at(20)));
    sleep(ms(900)).await;
    assert_eq!(store.issued_before(Some("9")).await.unwrap(), Some(at(20)));
}

/// `check`: revoked ids and the subject's cut-off in one call, as the separate methods say.
pub async fn revocation_check(store: Arc<impl RevocationStore>) {
    let at = |secs: u64| std::time::UNIX_EPOCH + Duration::from_secs(1_700_000_000 + secs);
    let kept = SystemTime::now() + Duration::from_secs(600);
    let fine = |issued_before| portcullis::Revocation {
        revoked: false,
        issued_before,
    };
    assert_eq!(store.check(&["a", "b"], Some("7")).await.unwrap(), fine(None));
    assert_eq!(store.check(&[], None).await.unwrap(), fine(None));
    store.revoke("b", kept).await.unwrap();
    assert!(store.check(&["a", "b"], Some("7")).await.unwrap().revoked);
    assert!(store.check(&["b"], None).await.unwrap().revoked);
    assert_eq!(store.check(&["a"], Some("7")).await.unwrap(), fine(None));
    store.revoke_issued_before(Some("7"), at(10), kept).await.unwrap();
    assert_eq!(store.check(&["a"], Some("7")).await.unwrap(), fine(Some(at(10))));
    assert_eq!(store.check(&["a"], Some("8")).await.unwrap(), fine(None));
    assert_eq!(
        store.check(&["a"], None).await.unwrap(),
        fine(None),
        "a user's cut-off is not everyone's"
    );
    store.revoke_issued_before(None, at(20), kept).await.unwrap();
    assert_eq!(store.check(&[], Some("8")).await.unwrap(), fine(Some(at(20))));
    assert_eq!(store.check(&["a"], None).await.unwrap(), fine(Some(at(20))));
    assert_eq!(store.check(&["a"], Some("7")).await.unwrap(), fine(Some(at(20))));
}

/// `current_grant` reads without spending: the current token of a live family only.
pub async fn refresh_current_grant(store: Arc<impl RefreshStore>) {
    let ttl = ms(60_000);
    let grant = "{\"sub\":\"7\"}";
    store
        .start("fam-grant", grant, &token(1), ttl, LONG)
        .await
        .unwrap();
    let current = |g, n| {
        let store = store.clone();
        async move { store.current_grant("fam-grant", g, &token(n)).await.unwrap() }
    };
    assert_eq!(current(0, 1).await.as_deref(), Some(grant));
    // Reading twice spends nothing: the token still rotates.
    assert_eq!(current(0, 1).await.as_deref(), Some(grant));
    assert!(matches!(
        store
            .rotate("fam-grant", 0, &token(1), &token(2), ttl)
            .await
            .unwrap(),
        Rotation::Rotated { .. }
    ));
    assert_eq!(current(0, 1).await, None, "a spent token has no current grant");
    assert_eq!(current(1, 2).await.as_deref(), Some(grant));
    assert_eq!(current(1, 9).await, None, "unknown token");
    assert_eq!(
        store.current_grant("fam-none", 0, &token(1)).await.unwrap(),
        None,
        "unknown family"
    );
    assert!(store.revoke_family("fam-grant").await.unwrap());
    assert_eq!(current(1, 2).await, None, "revoked family");
}

/// `forgive` takes back one failure, never below zero, and keeps the window.
pub async fn throttle_forgive(store: Arc<impl ThrottleStore>) {
    let window = ms(60_000);
    store.record_failure("forgive-me", window).await.unwrap();
    store.record_failure("forgive-me", window).await.unwrap();
    store.forgive("forgive-me").await.unwrap();
    let (count, left) = store.failures("forgive-me").await.unwrap();
    assert_eq!(count, 1);
    assert!(left > ms(50_000) && left <= window, "{left:?}");
    store.forgive("forgive-me").await.unwrap();
    store.forgive("forgive-me").await.unwrap();
    assert_eq!(store.failures("forgive-me").await.unwrap().0, 0);
    store.forgive("never-failed").await.unwrap();
    assert_eq!(store.failures("never-failed").await.unwrap().0, 0);
}

/// `take` returns a session once and removes it; an expired one is removed, not returned.
pub async fn session_take_once(store: Arc<impl SessionStore>) {
    let (id, old) = (token(40), token(41));
    store
        .create(&id, &record("9", SystemTime::now()), ms(60_000))
        .await
        .unwrap();
    let (first, second) = tokio::join!(store.take(&id, ms(60_000)), store.take(&id, ms(60_000)));
    let taken: Vec<_> = [first.unwrap(), second.unwrap()].into_iter().flatten().collect();
    assert_eq!(taken.len(), 1, "two racing takes get the record once");
    assert_eq!(taken[0].user_id, "9");
    assert_eq!(
        store.touch(&id, ms(60_000), ms(60_000)).await.unwrap(),
        None,
        "taken means gone"
    );
    store
        .create(&old, &record("9", SystemTime::now() - ms(5_000)), ms(60_000))
        .await
        .unwrap();
    assert_eq!(
        store.take(&old, ms(1_000)).await.unwrap(),
        None,
        "older than absolute"
    );
    assert_eq!(
        store.touch(&old, ms(60_000), ms(60_000)).await.unwrap(),
        None,
        "and removed"
    );
}
