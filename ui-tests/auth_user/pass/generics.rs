//! A generic user struct derives `AuthUser` when its parameters meet the trait's bounds,
//! including a generic id type.

use std::fmt::Display;
use std::hash::Hash;
use std::str::FromStr;

use portcullis::AuthUser;

#[derive(Clone, AuthUser)]
struct WithExtra<T: Clone + Send + Sync + 'static> {
    #[auth_user(id)]
    id: i64,
    #[allow(dead_code)]
    extra: T,
}

#[derive(Clone, AuthUser)]
struct WithId<I>
where
    I: Clone + Eq + Hash + Display + FromStr + serde::Serialize + Send + Sync + 'static,
{
    #[auth_user(id)]
    id: I,
    #[auth_user(name)]
    name: String,
}

fn main() {
    let a = WithExtra {
        id: 1,
        extra: vec![1_u8],
    };
    assert_eq!(*a.id(), 1);
    let b = WithId {
        id: "u-1".to_owned(),
        name: "bo".into(),
    };
    assert_eq!(b.id(), "u-1");
    assert_eq!(b.name(), Some("bo"));
}
