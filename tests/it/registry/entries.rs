//! What `#[auth]` and `#[public]` register: one entry per handler, with its path as
//! `std::any::type_name` spells the handler, its schemes in order and its requirement.

use portcullis::registry::{HandlerEntry, Rule};
use portcullis::{auth, permissions, public, require};

use crate::support::app::User;

#[auth(jwt, api_key, optional)]
async fn feed(user: Option<User>) -> String {
    user.map_or_else(String::new, |u| u.username)
}

#[auth(session, basic, hide_existence)]
#[require(owner(doc.owner) || (role = "admin" && !fresh))]
#[permissions("p:read")]
async fn read_doc(user: User, doc: Option<Doc>) -> String {
    let _ = doc;
    user.username
}

pub struct Doc {
    owner: i64,
}

impl<S: Send + Sync> axum::extract::OptionalFromRequestParts<S> for Doc {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(
        _: &mut http::request::Parts,
        _: &S,
    ) -> Result<Option<Self>, Self::Rejection> {
        Ok(Some(Doc { owner: 1 }))
    }
}

#[public]
async fn health() -> &'static str {
    "ok"
}

struct Handlers;

impl Handlers {
    #[auth(jwt)]
    async fn method(_user: User) {}

    #[public]
    async fn open() {}
}

fn entry(name: &str) -> &'static HandlerEntry {
    let found: Vec<_> = portcullis::routes()
        .into_iter()
        .filter(|e| e.path().starts_with(module_path!()) && e.name() == name)
        .collect();
    assert_eq!(found.len(), 1, "{name}: {found:#?}");
    found[0]
}

/// The path a handler's type has for `std::any::type_name`, without generic arguments.
fn type_path<H>(_: H) -> String {
    let name = std::any::type_name::<H>();
    name.split('<').next().unwrap().to_owned()
}

#[test]
fn each_handler_has_one_entry_named_as_its_type_is() {
    use crate::support::app::AppState;
    type Via = portcullis::__private::ViaState;
    let feed_entry = entry("feed");
    assert_eq!(feed_entry.path(), type_path(feed::<AppState, Via>));
    assert_eq!(feed_entry.path(), format!("{}::feed", module_path!()));
    assert_eq!(feed_entry.scheme_names(), ["jwt", "api_key"]);
    assert!(feed_entry.is_optional() && !feed_entry.is_public() && !feed_entry.hides_existence());
    assert!(feed_entry.requirement().is_none());
    assert_eq!(feed_entry.user_type(), Some(std::any::TypeId::of::<User>()));
    assert_eq!(feed_entry.user_type_name(), "User");
    assert!(feed_entry.location().0.ends_with("registry/entries.rs"));

    let method = entry("method");
    assert_eq!(method.path(), type_path(Handlers::method::<AppState, Via>));
    let open = entry("open");
    assert_eq!(open.path(), type_path(Handlers::open));
    assert!(open.is_public());

    let open_entry = entry("health");
    assert_eq!(open_entry.path(), type_path(health));
    assert!(open_entry.is_public() && open_entry.schemes().is_empty());
    let found = portcullis::registry::find(std::any::type_name_of_val(&health));
    assert!(found.is_some_and(|e| std::ptr::eq(e, open_entry)));
}

#[test]
fn requirements_are_kept_as_written() {
    let doc = entry("read_doc");
    assert_eq!(doc.scheme_names(), ["session", "basic"]);
    assert!(doc.hides_existence());
    let rule = doc.requirement().unwrap();
    assert_eq!(
        rule.to_string(),
        r#"(owner(doc.owner) || (role = "admin" && !fresh)) && permission = "p:read""#
    );
    let Rule::All([Rule::Any([Rule::Owner(owner), _]), Rule::Permission(p)]) = rule else {
        panic!("{rule:?}");
    };
    assert_eq!((*owner, p.as_str()), ("doc.owner", "p:read"));
    // Still a handler.
    let _: axum::Router<crate::support::app::AppState> =
        axum::Router::new().route("/doc", axum::routing::get(read_doc));
}
