//! Two user types in one application (issue 13 item 5), written once over any stores:
//! `tests/it/isolation.rs` runs it on one shared in-memory store, `tests/services/redis_isolation.rs`
//! on one shared Redis store.
//!
//! The application: `Customer` and `Staff`, each with users 1 (`alice`) and 2 (`bob`) —
//! overlapping ids *and* names —, tokens signed with the same HMAC secret, issuer and
//! audience, every lifecycle store shared by both gates, the auth router mounted twice
//! (`/auth/...`, `/me` for customers; `/staff/auth/...`, `/staff/me` for staff) and one
//! protected route per type (`/customer-area`, `/staff-area`). Every credential of one type
//! presented to the other's routes must be refused with 401.

use std::marker::PhantomData;
use std::sync::{Arc, Mutex, OnceLock};

use axum::Router;
use axum::extract::FromRef;
use axum::routing::get;
use http::header::{COOKIE, SET_COOKIE};
use http::{Request, StatusCode};
use portcullis::{
    ApiKeyHash, AuthRouter, AuthUser, EmailStatus, Mailer, NewAccount, Portcullis, RefreshStore, Registrar,
    Rename, RevocationStore, SessionConfig, SessionStore, StoreError, ThrottleStore, UserStore, async_trait,
    auth, hash_api_key,
};
use serde_json::{Value, json};

use super::assertions::expect_error;
use super::requests::{Reply, RequestExt, credentials, post_json, req, send};
use super::tokens::{Tokens, claims, hs256, issued_tokens, payload, tokens_of};

pub const PASSWORD: &str = "same-password-for-both";
pub const CUSTOMER_KEY: &str = "ck_customer_0123456789abcdef";
pub const STAFF_KEY: &str = "sk_staff_0123456789abcdefghij";

#[derive(Debug, Clone, AuthUser)]
pub struct Customer {
    #[auth_user(id)]
    pub id: i64,
    #[auth_user(name)]
    pub name: String,
    #[auth_user(password_hash)]
    pub password_hash: Option<String>,
    #[auth_user(email_verified)]
    pub confirmed: bool,
}

#[derive(Debug, Clone, AuthUser)]
pub struct Staff {
    #[auth_user(id)]
    pub id: i64,
    #[auth_user(name)]
    pub name: String,
    #[auth_user(password_hash)]
    pub password_hash: Option<String>,
    #[auth_user(email_verified)]
    pub confirmed: bool,
}

/// One row of either table.
#[derive(Clone)]
pub struct Row {
    pub id: i64,
    pub name: String,
    pub password_hash: String,
    pub email: String,
    pub confirmed: bool,
    pub api_key: ApiKeyHash,
    /// A disabled row is found by no lookup.
    pub active: bool,
}

/// The user types of the application, made of their rows.
pub trait Person: AuthUser<Id = i64> + Clone {
    fn from_row(row: &Row) -> Self;
}

impl Person for Customer {
    fn from_row(row: &Row) -> Self {
        Customer {
            id: row.id,
            name: row.name.clone(),
            password_hash: Some(row.password_hash.clone()),
            confirmed: row.confirmed,
        }
    }
}

impl Person for Staff {
    fn from_row(row: &Row) -> Self {
        Staff {
            id: row.id,
            name: row.name.clone(),
            password_hash: Some(row.password_hash.clone()),
            confirmed: row.confirmed,
        }
    }
}

/// One table of users of type `U`: its `UserStore` and its `Registrar`.
pub struct Table<U> {
    rows: Arc<Mutex<Vec<Row>>>,
    user: PhantomData<fn() -> U>,
}

impl<U> Clone for Table<U> {
    fn clone(&self) -> Self {
        Table {
            rows: Arc::clone(&self.rows),
            user: PhantomData,
        }
    }
}

impl<U: Person> Table<U> {
    /// alice (1) and bob (2), both with [`PASSWORD`]; bob owns `api_key`.
    fn new(kind: &str, api_key: &str) -> Self {
        static HASH: OnceLock<String> = OnceLock::new();
        let hash = HASH.get_or_init(|| portcullis::hash_password(PASSWORD).unwrap());
        let row = |id: i64, name: &str, key: &str| Row {
            id,
            name: name.to_owned(),
            password_hash: hash.clone(),
            email: format!("{name}@{kind}.example"),
            confirmed: false,
            api_key: hash_api_key(key),
            active: true,
        };
        let rows = vec![row(1, "alice", "-"), row(2, "bob", api_key)];
        Table {
            rows: Arc::new(Mutex::new(rows)),
            user: PhantomData,
        }
    }

    fn find(&self, test: impl Fn(&Row) -> bool) -> Option<U> {
        self.rows
            .lock()
            .unwrap()
            .iter()
            .find(|r| r.active && test(r))
            .map(U::from_row)
    }

    pub fn confirmed(&self, id: i64) -> bool {
        self.rows
            .lock()
            .unwrap()
            .iter()
            .any(|r| r.id == id && r.confirmed)
    }
}

#[async_trait]
impl<U: Person> UserStore<U> for Table<U> {
    async fn find_by_id(&self, id: &i64) -> Result<Option<U>, StoreError> {
        Ok(self.find(|r| r.id == *id))
    }
    async fn find_by_username(&self, name: &str) -> Result<Option<U>, StoreError> {
        Ok(self.find(|r| r.name == name))
    }
    async fn find_by_api_key_hash(&self, hash: &ApiKeyHash) -> Result<Option<U>, StoreError> {
        Ok(self.find(|r| r.api_key == *hash))
    }
}

#[async_trait]
impl<U: Person> Registrar<U> for Table<U> {
    async fn register(&self, _: &NewAccount) -> Result<Option<U>, StoreError> {
        Ok(None)
    }
    async fn rename(&self, _: &i64, _: &str) -> Result<Rename<U>, StoreError> {
        Ok(Rename::NotFound)
    }
    async fn email(&self, id: &i64) -> Result<Option<EmailStatus>, StoreError> {
        let rows = self.rows.lock().unwrap();
        Ok(rows.iter().find(|r| r.id == *id).map(|r| EmailStatus {
            email: r.email.clone(),
            confirmed: r.confirmed,
        }))
    }
    async fn confirm_email(&self, id: &i64) -> Result<(), StoreError> {
        let mut rows = self.rows.lock().unwrap();
        rows.iter_mut()
            .filter(|r| r.id == *id)
            .for_each(|r| r.confirmed = true);
        Ok(())
    }
    async fn set_active(&self, id: &i64, active: bool) -> Result<bool, StoreError> {
        let mut rows = self.rows.lock().unwrap();
        let found = rows.iter_mut().find(|r| r.id == *id);
        Ok(found.map(|r| r.active = active).is_some())
    }
    async fn set_password_hash(&self, id: &i64, hash: &str) -> Result<(), StoreError> {
        let mut rows = self.rows.lock().unwrap();
        rows.iter_mut()
            .filter(|r| r.id == *id)
            .for_each(|r| r.password_hash = hash.to_owned());
        Ok(())
    }
}

/// The mails sent, as (recipient, body).
#[derive(Clone, Default)]
pub struct Outbox(Arc<Mutex<Vec<(String, String)>>>);

#[async_trait]
impl Mailer for Outbox {
    async fn send(&self, to: &str, _: &str, body: &str) -> Result<(), StoreError> {
        self.0.lock().unwrap().push((to.to_owned(), body.to_owned()));
        Ok(())
    }
}

impl Outbox {
    /// The path of the last link mailed to `to`.
    pub fn link_to(&self, to: &str) -> String {
        let mails = self.0.lock().unwrap();
        let (_, body) = mails.iter().rev().find(|(t, _)| t == to).expect("a mail");
        let link = body
            .split_whitespace()
            .find(|w| w.starts_with('/'))
            .expect("a link");
        link.to_owned()
    }
}

#[derive(Clone, FromRef)]
pub struct AppState {
    pub customers: Portcullis<Customer>,
    pub staff: Portcullis<Staff>,
}

#[auth(jwt, api_key, session)]
async fn customer_area(user: Customer) -> String {
    format!("customer {}", user.id)
}

#[auth(jwt, api_key, session)]
async fn staff_area(user: Staff) -> String {
    format!("staff {}", user.id)
}

/// How the two gates name their realms.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Realms {
    /// Neither names one: both derive theirs from the user type.
    Derived,
    /// `customers` and `staff`.
    Named,
}

pub struct World {
    pub app: Router,
    pub customers: Portcullis<Customer>,
    pub staff: Portcullis<Staff>,
    pub customer_table: Table<Customer>,
    pub staff_table: Table<Staff>,
    pub outbox: Outbox,
}

/// The application, with `store` as every lifecycle store of both gates.
pub fn world<S>(store: S, realms: Realms) -> World
where
    S: RevocationStore + RefreshStore + SessionStore + ThrottleStore + Clone,
{
    let customer_table = Table::<Customer>::new("customers", CUSTOMER_KEY);
    let staff_table = Table::<Staff>::new("staff", STAFF_KEY);
    let dev = || SessionConfig::new().development(true);
    let mut customers = Portcullis::builder(customer_table.clone())
        .tokens(issued_tokens())
        .sessions(dev())
        .stores(store.clone());
    let mut staff = Portcullis::builder(staff_table.clone())
        .tokens(issued_tokens())
        .sessions(dev())
        .stores(store);
    if realms == Realms::Named {
        customers = customers.realm("customers");
        staff = staff.realm("staff");
    }
    let (customers, staff) = (customers.build().unwrap(), staff.build().unwrap());
    let outbox = Outbox::default();
    let staff_router = AuthRouter::new(staff_table.clone(), outbox.clone())
        .prefix("/staff")
        .unwrap();
    let app = Router::new()
        .merge(AuthRouter::new(customer_table.clone(), outbox.clone()).routes())
        .merge(staff_router.routes())
        .route("/customer-area", get(customer_area))
        .route("/staff-area", get(staff_area))
        .with_state(AppState {
            customers: customers.clone(),
            staff: staff.clone(),
        });
    World {
        app,
        customers,
        staff,
        customer_table,
        staff_table,
        outbox,
    }
}

/// The two sides: the path before the router's routes and the protected route.
#[derive(Clone, Copy)]
pub struct Side {
    pub prefix: &'static str,
    pub area: &'static str,
    pub kind: &'static str,
}

pub const CUSTOMERS: Side = Side {
    prefix: "",
    area: "/customer-area",
    kind: "customer",
};
pub const STAFF: Side = Side {
    prefix: "/staff",
    area: "/staff-area",
    kind: "staff",
};

impl Side {
    fn at(&self, path: &str) -> String {
        format!("{}{path}", self.prefix)
    }

    pub fn other(&self) -> Side {
        match self.prefix {
            "" => STAFF,
            _ => CUSTOMERS,
        }
    }
}

/// The token pair of `name` logged in at `side`'s router.
pub async fn tokens_at(w: &World, side: Side, name: &str) -> Tokens {
    let r = send(
        &w.app,
        post_json(&side.at("/auth/login"), &credentials(name, PASSWORD)),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}: {:?}", side.kind, r.body);
    tokens_of(&r)
}

/// A session of `name` logged in at `side`'s router.
pub struct SessionCookie {
    pub name: String,
    pub id: String,
    pub csrf: String,
}

impl SessionCookie {
    /// `name=id`, or the same id under another cookie name.
    pub fn header(&self, name: &str) -> String {
        format!("{name}={}", self.id)
    }
}

pub async fn session_at(w: &World, side: Side, name: &str) -> SessionCookie {
    let r = send(
        &w.app,
        post_json(&side.at("/session/login"), &credentials(name, PASSWORD)),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}: {:?}", side.kind, r.body);
    let set_cookie = r.header(SET_COOKIE.as_str());
    let (name, rest) = set_cookie.split_once('=').expect("name=value");
    SessionCookie {
        name: name.to_owned(),
        id: rest.split(';').next().unwrap().to_owned(),
        csrf: r.body["csrf_token"].as_str().expect("csrf_token").to_owned(),
    }
}

/// `GET` of `path` with one header.
async fn get_with(w: &World, path: &str, header: (&str, &str)) -> Reply {
    send(&w.app, req(path).header(header.0, header.1).empty()).await
}

/// `side`'s `/me` and protected route both accept the header, as user `id`.
async fn accepted(w: &World, side: Side, header: (&str, &str), id: i64, scheme: &str) {
    let r = get_with(w, &side.at("/me"), header).await;
    assert_eq!(r.status, StatusCode::OK, "{} /me: {:?}", side.kind, r.body);
    assert_eq!((&r.body["id"], &r.body["scheme"]), (&json!(id), &json!(scheme)));
    let r = get_with(w, side.area, header).await;
    assert_eq!(r.status, StatusCode::OK, "{}: {:?}", side.area, r.body);
    assert_eq!(r.body, Value::String(format!("{} {id}", side.kind)));
}

/// `side`'s `/me` and protected route both refuse the header with 401 (`invalid_token`
/// for a bearer token, `invalid_credentials` for the other schemes), with the challenges
/// of `side`'s realm.
async fn refused(w: &World, side: Side, header: (&str, &str), realm: &str) {
    let code = match header.0 {
        "authorization" => "invalid_token",
        _ => "invalid_credentials",
    };
    for path in [side.at("/me"), side.area.to_owned()] {
        let r = get_with(w, &path, header).await;
        expect_error(&r, StatusCode::UNAUTHORIZED, code);
        let challenges = r.challenges();
        assert!(
            challenges
                .iter()
                .all(|c| c.contains(&format!("realm=\"{realm}\""))),
            "{path}: {challenges:?}"
        );
    }
}

/// The realm `side`'s challenges name.
fn challenge_realm(side: Side, realms: Realms) -> &'static str {
    match (realms, side.kind) {
        (Realms::Derived, _) => "api",
        (Realms::Named, "customer") => "customers",
        (Realms::Named, _) => "staff",
    }
}

/// Access tokens and refresh tokens of each type work on their own side only, though
/// both are signed with one secret for one issuer and audience and name user 1; a
/// refresh token presented to the other router is refused without being spent.
pub async fn tokens_do_not_cross<S>(store: S, realms: Realms)
where
    S: RevocationStore + RefreshStore + SessionStore + ThrottleStore + Clone,
{
    let w = world(store, realms);
    for side in [CUSTOMERS, STAFF] {
        let own = tokens_at(&w, side, "alice").await;
        let bearer = format!("Bearer {}", own.access);
        accepted(&w, side, ("authorization", &bearer), 1, "jwt").await;
        let other = side.other();
        refused(
            &w,
            other,
            ("authorization", &bearer),
            challenge_realm(other, realms),
        )
        .await;

        // The refresh token: refused by the other router, still good at its own.
        let body = json!({ "refresh_token": own.refresh });
        let r = send(&w.app, post_json(&other.at("/auth/refresh"), &body)).await;
        expect_error(&r, StatusCode::UNAUTHORIZED, "invalid_token");
        let r = send(&w.app, post_json(&side.at("/auth/refresh"), &body)).await;
        assert_eq!(r.status, StatusCode::OK, "{}: {:?}", side.kind, r.body);
        let refreshed = tokens_of(&r);
        accepted(
            &w,
            side,
            ("authorization", &format!("Bearer {}", refreshed.access)),
            1,
            "jwt",
        )
        .await;
        let r = send(
            &w.app,
            post_json(
                &other.at("/auth/refresh"),
                &json!({ "refresh_token": refreshed.refresh }),
            ),
        )
        .await;
        expect_error(&r, StatusCode::UNAUTHORIZED, "invalid_token");
    }
    // The claim that tells them apart.
    let customer = payload(&tokens_at(&w, CUSTOMERS, "bob").await.access);
    let staff = payload(&tokens_at(&w, STAFF, "bob").await.access);
    assert_eq!(customer["realm"], w.customers.realm());
    assert_eq!(staff["realm"], w.staff.realm());
    assert_ne!(w.customers.realm(), w.staff.realm());
    assert_eq!(
        (&customer["sub"], &customer["iss"], &customer["aud"]),
        (&staff["sub"], &staff["iss"], &staff["aud"])
    );
}

/// A token signed with the shared secret that names another realm is refused; one
/// without the claim (not issued by a gate) is left to the issuer and audience checks.
pub async fn foreign_realm_claims_are_refused<S>(store: S, realms: Realms)
where
    S: RevocationStore + RefreshStore + SessionStore + ThrottleStore + Clone,
{
    let w = world(store, realms);
    let mut foreign = claims("1");
    foreign["realm"] = w.customers.realm().into();
    let header = format!("Bearer {}", hs256(&foreign));
    refused(
        &w,
        STAFF,
        ("authorization", &header),
        challenge_realm(STAFF, realms),
    )
    .await;
    accepted(&w, CUSTOMERS, ("authorization", &header), 1, "jwt").await;
    foreign["realm"] = json!(["staff", w.staff.realm()]);
    let header = format!("Bearer {}", hs256(&foreign));
    refused(
        &w,
        STAFF,
        ("authorization", &header),
        challenge_realm(STAFF, realms),
    )
    .await;
    let header = format!("Bearer {}", hs256(&claims("2")));
    accepted(&w, STAFF, ("authorization", &header), 2, "jwt").await;
}

/// A session of one type, its id sent under either cookie name, never authenticates at
/// the other type's routes; logging out on one side leaves the other's session alone.
pub async fn sessions_do_not_cross<S>(store: S, realms: Realms)
where
    S: RevocationStore + RefreshStore + SessionStore + ThrottleStore + Clone,
{
    let w = world(store, realms);
    let customer = session_at(&w, CUSTOMERS, "alice").await;
    let staff = session_at(&w, STAFF, "alice").await;
    assert_eq!(customer.name, w.customers.session_cookie_name());
    assert_eq!(staff.name, w.staff.session_cookie_name());
    match realms {
        Realms::Named => {
            assert_eq!(customer.name, "portcullis_session_customers");
            assert_eq!(staff.name, "portcullis_session_staff");
        }
        // Documented: without realms both keep the one default name.
        Realms::Derived => assert_eq!(customer.name, staff.name),
    }
    let (customer_realm, staff_realm) = (challenge_realm(CUSTOMERS, realms), challenge_realm(STAFF, realms));
    accepted(
        &w,
        CUSTOMERS,
        ("cookie", &customer.header(&customer.name)),
        1,
        "session",
    )
    .await;
    accepted(&w, STAFF, ("cookie", &staff.header(&staff.name)), 1, "session").await;
    // Each session id under the other type's cookie name.
    refused(&w, STAFF, ("cookie", &customer.header(&staff.name)), staff_realm).await;
    refused(
        &w,
        CUSTOMERS,
        ("cookie", &staff.header(&customer.name)),
        customer_realm,
    )
    .await;
    if realms == Realms::Named {
        // The other type's cookie as it is: no credential of the route's own type.
        let r = get_with(&w, "/staff/me", ("cookie", &customer.header(&customer.name))).await;
        expect_error(&r, StatusCode::UNAUTHORIZED, "missing_credentials");
    }
    // The staff session's logout ends it, and leaves the customer's alone.
    let r = send(
        &w.app,
        Request::post("/staff/session/logout")
            .header(COOKIE, staff.header(&staff.name))
            .header("x-csrf-token", &staff.csrf)
            .empty(),
    )
    .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{:?}", r.body);
    refused(&w, STAFF, ("cookie", &staff.header(&staff.name)), staff_realm).await;
    accepted(
        &w,
        CUSTOMERS,
        ("cookie", &customer.header(&customer.name)),
        1,
        "session",
    )
    .await;
    // And the customer's CSRF token never passes with the staff session.
    let staff = session_at(&w, STAFF, "bob").await;
    let r = send(
        &w.app,
        Request::post("/staff/session/logout")
            .header(COOKIE, staff.header(&staff.name))
            .header("x-csrf-token", &customer.csrf)
            .empty(),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{:?}", r.body);
}

/// Each type's API keys are looked up in its own table only.
pub async fn api_keys_do_not_cross<S>(store: S, realms: Realms)
where
    S: RevocationStore + RefreshStore + SessionStore + ThrottleStore + Clone,
{
    let w = world(store, realms);
    accepted(&w, CUSTOMERS, ("x-api-key", CUSTOMER_KEY), 2, "api_key").await;
    accepted(&w, STAFF, ("x-api-key", STAFF_KEY), 2, "api_key").await;
    refused(
        &w,
        STAFF,
        ("x-api-key", CUSTOMER_KEY),
        challenge_realm(STAFF, realms),
    )
    .await;
    refused(
        &w,
        CUSTOMERS,
        ("x-api-key", STAFF_KEY),
        challenge_realm(CUSTOMERS, realms),
    )
    .await;
}

/// The staff router mails links under its prefix; a staff link is refused by the
/// customer router (403) and confirms the staff user only.
pub async fn confirmation_links_follow_the_prefix_and_do_not_cross<S>(store: S, realms: Realms)
where
    S: RevocationStore + RefreshStore + SessionStore + ThrottleStore + Clone,
{
    let w = world(store, realms);
    let staff = tokens_at(&w, STAFF, "alice").await;
    let r = send(
        &w.app,
        Request::post("/staff/auth/confirm").bearer(&staff.access).empty(),
    )
    .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{:?}", r.body);
    let link = w.outbox.link_to("alice@staff.example");
    let token = link
        .strip_prefix("/staff/auth/confirm/")
        .expect("the link has the prefix");
    let r = send(&w.app, Request::post(format!("/auth/confirm/{token}")).empty()).await;
    expect_error(&r, StatusCode::FORBIDDEN, "forbidden");
    assert!(!w.customer_table.confirmed(1) && !w.staff_table.confirmed(1));
    let r = send(&w.app, req(&link).empty()).await;
    assert_eq!(
        (r.status, &r.body),
        (StatusCode::OK, &json!({ "confirmed": true }))
    );
    assert!(w.staff_table.confirmed(1) && !w.customer_table.confirmed(1));

    // The customer router's links stay without a prefix.
    let customer = tokens_at(&w, CUSTOMERS, "alice").await;
    let r = send(
        &w.app,
        Request::post("/auth/confirm").bearer(&customer.access).empty(),
    )
    .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{:?}", r.body);
    let link = w.outbox.link_to("alice@customers.example");
    assert!(link.starts_with("/auth/confirm/"), "{link}");
    let r = send(&w.app, req(&link).empty()).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert!(w.customer_table.confirmed(1));
}

/// Failed logins of one type's `alice` never lock out the other's `alice`, and one
/// type's "log out everywhere" ends only its own user 1's credentials.
pub async fn throttles_and_cut_offs_stay_per_type<S>(store: S, realms: Realms)
where
    S: RevocationStore + RefreshStore + SessionStore + ThrottleStore + Clone,
{
    let w = world(store, realms);
    let staff = tokens_at(&w, STAFF, "alice").await;
    for _ in 0..5 {
        let r = send(
            &w.app,
            post_json("/auth/login", &credentials("alice", "wrong-password-x")),
        )
        .await;
        expect_error(&r, StatusCode::UNAUTHORIZED, "invalid_credentials");
    }
    let r = send(&w.app, post_json("/auth/login", &credentials("alice", PASSWORD))).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{:?}", r.body);
    tokens_at(&w, STAFF, "alice").await;

    // Customer user 1's credentials from before staff user 1 logs out everywhere.
    let customer_alice = w.customers.users().find_by_id(&1).await.unwrap().unwrap();
    let customer = w.customers.issue_tokens(&customer_alice, None).await.unwrap();
    let (parts, ()) = Request::post("/").body(()).unwrap().into_parts();
    let customer_session = w.customers.start_session(&parts, &customer_alice).await.unwrap();
    let customer_cookie = super::requests::cookie_pair(&customer_session.set_cookie);
    let r = send(
        &w.app,
        Request::post("/staff/auth/logout_all")
            .bearer(&staff.access)
            .empty(),
    )
    .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{:?}", r.body);
    let r = send(&w.app, req("/staff/me").bearer(&staff.access).empty()).await;
    expect_error(&r, StatusCode::UNAUTHORIZED, "invalid_token");
    let r = send(
        &w.app,
        post_json("/staff/auth/refresh", &json!({ "refresh_token": staff.refresh })),
    )
    .await;
    expect_error(&r, StatusCode::UNAUTHORIZED, "invalid_token");
    let bearer = format!("Bearer {}", customer.access_token);
    accepted(&w, CUSTOMERS, ("authorization", &bearer), 1, "jwt").await;
    accepted(&w, CUSTOMERS, ("cookie", &customer_cookie), 1, "session").await;
    let body = json!({ "refresh_token": customer.refresh_token });
    let r = send(&w.app, post_json("/auth/refresh", &body)).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
}
