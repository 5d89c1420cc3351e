//! smoke
mod support;

use axum::extract::{FromRequestParts, OptionalFromRequestParts, Path};
use axum::{Router, routing::get};
use http::request::Parts;
use portcullis::{AuthInfo, auth, permissions, require};
use support::*;

#[derive(Clone)]
struct Post { author_id: i64 }

impl<S: Send + Sync> OptionalFromRequestParts<S> for Post {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Option<Self>, Self::Rejection> {
        let Path(id) = <Path<i64> as FromRequestParts<S>>::from_request_parts(parts, state).await.unwrap();
        Ok((id != 404).then_some(Post { author_id: id }))
    }
}

#[auth(jwt)]
#[require(role = "admin")]
async fn admin(user: User) -> String { user.username }

#[require(owner(post.author_id) || role = "admin")]
#[auth(jwt)]
async fn edit(user: User, post: Option<Post>) -> String { format!("{} {}", user.id, post.unwrap().author_id) }

fn staff(user: &User, _info: &AuthInfo) -> bool { user.id == 2 }
async fn staff_async(user: &User, _info: &AuthInfo) -> bool { user.id == 2 }

#[auth(jwt)]
#[require(fn = staff && fn = staff_async && !role = "admin" && scope = "read" && claim(typ = "access"))]
async fn fns(user: User) -> String { user.username }

#[auth(jwt)]
#[permissions(any("x:y"))]
async fn perms(_user: User) -> &'static str { "ok" }

#[tokio::test]
async fn authz() {
    let app = Router::new()
        .route("/admin", get(admin))
        .route("/posts/{id}", get(edit))
        .route("/fns", get(fns))
        .with_state(AppState { auth: portcullis() });
    let r = send(&app, bearer("/admin", &hs256(&claims("1")))).await;
    assert_eq!(r.status, 200);
    let r = send(&app, bearer("/admin", &hs256(&claims("2")))).await;
    assert_eq!(r.status, 403, "{:?}", r.body);
    println!("{:?} {:?}", r.challenges(), r.body);
    let r = send(&app, bearer("/posts/2", &hs256(&claims("2")))).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let r = send(&app, bearer("/posts/5", &hs256(&claims("2")))).await;
    assert_eq!(r.status, 403, "{:?}", r.body);
    println!("{:?}", r.body);
    let r = send(&app, bearer("/posts/404", &hs256(&claims("2")))).await;
    assert_eq!(r.status, 404, "{:?}", r.body);
    let r = send(&app, bearer("/posts/404", "bad")).await;
    assert_eq!(r.status, 401, "{:?}", r.body);
    let mut c = claims("2"); c["scope"] = "read write".into();
    let r = send(&app, bearer("/fns", &hs256(&c))).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let r = send(&app, bearer("/fns", &hs256(&claims("2")))).await;
    assert_eq!(r.status, 403, "{:?}", r.body);
    println!("{:?}", r.body);
}
