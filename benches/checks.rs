//! Declared-role and declared-permission checks (what `#[require(role = "..")]` and
//! `#[permissions("..")]` compile to) against `Vec<String>::contains`, in one run.
//!
//! Run: `cargo bench --bench checks`.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use portcullis::__private::NameCheck;
use portcullis::{AuthUser, Role};

/// Only `Moderator` is used: the others exist to give it a non-zero bit.
#[allow(dead_code)]
#[derive(Debug, Clone, Copy, PartialEq, Role)]
enum Staff {
    Admin,
    Moderator,
    User,
}

/// Roles in a text column, the common database shape.
#[derive(Clone, AuthUser)]
#[auth_user(
    roles("admin", "moderator", "user"),
    permissions("posts:read", "posts:write", "posts:delete", "users:read"),
    grants(
        admin("*"),
        moderator("posts:read", "posts:write", "posts:delete", "users:read"),
        user("posts:read")
    )
)]
struct TextUser {
    #[auth_user(id)]
    id: i64,
    #[auth_user(roles)]
    role: String,
}

/// Roles as an enum.
#[derive(Clone, AuthUser)]
struct TypedUser {
    #[auth_user(id)]
    id: i64,
    #[auth_user(roles)]
    roles: Vec<Staff>,
}

fn bench(c: &mut Criterion) {
    const MODERATOR: NameCheck = NameCheck::role::<TextUser>("moderator");
    const DELETE: NameCheck = NameCheck::permission::<TextUser>("posts:delete");
    let text = TextUser {
        id: 1,
        role: "moderator".into(),
    };
    let typed = TypedUser {
        id: 1,
        roles: vec![Staff::Moderator],
    };
    let strings: Vec<String> = vec!["moderator".into()];
    assert!(MODERATOR.role_held(&text, text.role_mask()));
    assert!(DELETE.permission_held(&text, text.permission_mask()));

    let mut group = c.benchmark_group("role check");
    group.bench_function("declared bit, mask already computed", |b| {
        let mask = text.role_mask();
        b.iter(|| black_box(MODERATOR).role_held(black_box(&text), black_box(mask)))
    });
    group.bench_function("declared bit, mask from a text column", |b| {
        b.iter(|| {
            let user = black_box(&text);
            black_box(MODERATOR).role_held(user, user.role_mask())
        })
    });
    group.bench_function("typed role (Vec<Staff>), mask included", |b| {
        b.iter(|| {
            let user = black_box(&typed);
            user.role_mask() & (1 << portcullis::TypedRole::index(black_box(Staff::Moderator))) != 0
        })
    });
    group.bench_function("Vec<String>::contains(&\"moderator\".to_string())", |b| {
        b.iter(|| black_box(&strings).contains(&black_box("moderator").to_string()))
    });
    group.bench_function("Vec<String> iter().any(== \"moderator\")", |b| {
        b.iter(|| black_box(&strings).iter().any(|r| r == black_box("moderator")))
    });
    group.finish();

    let mut group = c.benchmark_group("permission check");
    group.bench_function("declared bit (role grants), mask already computed", |b| {
        let mask = text.permission_mask();
        b.iter(|| black_box(DELETE).permission_held(black_box(&text), black_box(mask)))
    });
    group.bench_function("declared bit (role grants), mask included", |b| {
        b.iter(|| {
            let user = black_box(&text);
            black_box(DELETE).permission_held(user, user.permission_mask())
        })
    });
    let permissions: Vec<String> = ["posts:read", "posts:write", "posts:delete", "users:read"]
        .map(String::from)
        .to_vec();
    group.bench_function("Vec<String>::contains(&\"posts:delete\".to_string())", |b| {
        b.iter(|| black_box(&permissions).contains(&black_box("posts:delete").to_string()))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
