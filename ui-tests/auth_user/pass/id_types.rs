//! The id may be any `Clone + Eq + Hash + Display + FromStr` type: `i64`, `String`, `u32`.

use portcullis::AuthUser;

#[derive(Clone, AuthUser)]
struct ByI64 {
    #[auth_user(id)]
    id: i64,
}

#[derive(Clone, AuthUser)]
struct ByString {
    #[auth_user(id)]
    uuid: String,
}

#[derive(Clone, AuthUser)]
struct ByU32 {
    #[auth_user(id)]
    number: u32,
}

fn main() {
    assert_eq!(*ByI64 { id: -1 }.id(), -1_i64);
    assert_eq!(ByString { uuid: "a-b".into() }.id(), "a-b");
    assert_eq!(*ByU32 { number: 3 }.id(), 3_u32);
}
