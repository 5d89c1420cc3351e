//! [`Portcullis`]: the gate. It authenticates a request with a route's schemes,
//! resolves the identity into a user, runs the hooks, and renders every refusal.

use std::any::{Any, TypeId};
use std::sync::Arc;

use bytes::Bytes;
use http::request::Parts;

use crate::audit::{self, Event, Origin, Record};
use crate::browser::RouteOptions;
use crate::claims_user::ClaimsUser;
use crate::credentials;
use crate::error::AuthError;
use crate::hooks::{AfterAuthentication, BeforeAuthentication};
use crate::identity::{self, IdentityResolver, ProviderUsers};
use crate::info::AuthInfo;
use crate::login::Login;
use crate::realm::Realm;
use crate::rejection::{Challenge, Refusal, Rejection};
use crate::render::ErrorRenderer;
use crate::scheme::name::Scheme;
use crate::scheme::{AuthScheme, Context, CredentialIn, Verified};
use crate::sessions::Sessions;
use crate::store::UserStore;
use crate::tokens::Tokens;
use crate::user::AuthUser;

/// The authentication engine: built once by [`PortcullisBuilder`](crate::PortcullisBuilder),
/// cloned cheaply (an `Arc`), reached by handlers through the framework's state
/// (axum: `FromRef`).
///
/// ```
/// use axum::{Router, routing::get, extract::FromRef};
/// use portcullis::{auth, AuthUser, InMemoryUserStore, Portcullis};
///
/// #[derive(Clone, AuthUser)]
/// struct User { #[auth_user(id)] id: i64 }
///
/// #[derive(Clone, FromRef)]
/// struct AppState { auth: Portcullis<User> }
///
/// #[auth(api_key)]
/// async fn hello(user: User) -> String { format!("hello {}", user.id) }
///
/// let auth = Portcullis::builder(InMemoryUserStore::<User>::new()).build().unwrap();
/// let app: Router = Router::new().route("/", get(hello)).with_state(AppState { auth });
/// ```
pub struct Portcullis<U: AuthUser> {
    pub(crate) inner: Arc<Inner<U>>,
}

impl<U: AuthUser> Clone for Portcullis<U> {
    fn clone(&self) -> Self {
        Portcullis {
            inner: Arc::clone(&self.inner),
        }
    }
}

impl<U: AuthUser> std::fmt::Debug for Portcullis<U> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<&str> = self
            .inner
            .schemes
            .iter()
            .map(|s| s.challenge.scheme.as_str())
            .collect();
        f.debug_struct("Portcullis")
            .field("realm", &self.inner.realm.marker)
            .field("schemes", &names)
            .finish_non_exhaustive()
    }
}

/// A scheme instance the gate knows, by type (for dispatch) and by name (for challenges).
pub(crate) struct Registered {
    pub(crate) type_id: TypeId,
    pub(crate) instance: Arc<dyn Any + Send + Sync>,
    pub(crate) challenge: Challenge,
    /// Where its credential travels, for API descriptions.
    pub(crate) credential_in: Vec<CredentialIn>,
}

pub(crate) struct Inner<U: AuthUser> {
    pub(crate) users: Arc<dyn UserStore<U>>,
    pub(crate) resolver: Arc<dyn IdentityResolver<U>>,
    /// The limit on one store call, also on the resolver as a whole (`store/timed.rs`).
    pub(crate) store_timeout: std::time::Duration,
    pub(crate) schemes: Vec<Registered>,
    pub(crate) before: Vec<Arc<dyn BeforeAuthentication>>,
    pub(crate) after: Vec<Arc<dyn AfterAuthentication<U>>>,
    pub(crate) renderer: Arc<dyn ErrorRenderer>,
    /// Makes users of identity-provider identities (set with the first provider).
    pub(crate) provider_users: Option<ProviderUsers<U>>,
    pub(crate) realm: Realm,
    pub(crate) login: Login,
    pub(crate) sessions: Arc<Sessions>,
    /// Single-use tokens (confirmation links), apart from the sessions.
    pub(crate) one_time: Arc<dyn crate::store::SessionStore>,
    pub(crate) tokens: Tokens,
    /// Where the auth router puts the tokens it issues, when in cookies.
    pub(crate) token_cookies: Option<crate::token_cookies::TokenCookies>,
    /// A session store or session settings were given (`session` routes need them).
    pub(crate) sessions_configured: bool,
}

/// An ordered list of scheme types, as `#[auth(jwt, custom(Hmac))]` writes it:
/// `(Jwt, Hmac)`. Implemented for tuples of up to eight [`AuthScheme`] types.
///
/// ```
/// use portcullis::{AuthUser, InMemoryUserStore, Portcullis};
/// use portcullis::schemes::{ApiKey, Jwt};
/// # #[derive(Clone, AuthUser)] struct User { #[auth_user(id)] id: i64 }
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// let auth = Portcullis::builder(InMemoryUserStore::<User>::new()).build().unwrap();
/// let (parts, ()) = http::Request::new(()).into_parts();
/// let outcome = auth.authenticate::<(Jwt, ApiKey)>(&parts).await;
/// assert!(matches!(outcome, Ok(None))); // no credentials
/// # });
/// ```
pub trait SchemeSet<U: AuthUser>: Send + Sync + 'static {
    /// The gate's instances' challenges, in order.
    fn challenges(gate: &Portcullis<U>) -> Vec<Challenge>;

    /// Whether one of these schemes is the one named `scheme` (per request under a
    /// layer: no allocation).
    fn accepts(gate: &Portcullis<U>, scheme: Scheme) -> bool;

    /// Authenticates with these schemes: see [`Portcullis::authenticate`].
    fn authenticate<'a>(
        gate: &'a Portcullis<U>,
        parts: &'a Parts,
    ) -> impl Future<Output = Result<Option<(U, AuthInfo)>, AuthError>> + Send + 'a;
}

macro_rules! scheme_set {
    ($($s:ident),+) => {
        impl<U: AuthUser, $($s: AuthScheme<U>),+> SchemeSet<U> for ($($s,)+) {
            fn challenges(gate: &Portcullis<U>) -> Vec<Challenge> {
                let mut out = Vec::new();
                $(out.extend(gate.registered::<$s>().map(|r| r.challenge.clone()));)+
                out
            }

            fn accepts(gate: &Portcullis<U>, scheme: Scheme) -> bool {
                false $(|| gate.registered::<$s>().is_some_and(|r| r.challenge.scheme == scheme))+
            }

            #[allow(non_snake_case)]
            fn authenticate<'a>(
                gate: &'a Portcullis<U>,
                parts: &'a Parts,
            ) -> impl Future<Output = Result<Option<(U, AuthInfo)>, AuthError>> + Send + 'a {
                async move {
                    // The scheme being read or verified, for the audit event of a refusal.
                    let mut trying = None;
                    let outcome = async {
                        gate.before(parts).await?;
                        // Read every credential first: a malformed one refuses the request
                        // before anything is verified.
                        $(let $s = gate.extract::<$s>(parts, &mut trying)?;)+
                        let mut outcome: Option<(U, AuthInfo)> = None;
                        $(
                            if let Some((scheme, credential)) = $s {
                                trying = Some(scheme.name());
                                let found = gate.verify(scheme, parts, credential).await?;
                                Portcullis::merge(&mut outcome, found)?;
                            }
                        )+
                        gate.after(parts, outcome).await
                    }
                    .await;
                    gate.audit(parts, trying, &outcome);
                    outcome
                }
            }
        }
    };
}

scheme_set!(A);
scheme_set!(A, B);
scheme_set!(A, B, C);
scheme_set!(A, B, C, D);
scheme_set!(A, B, C, D, E);
scheme_set!(A, B, C, D, E, F);
scheme_set!(A, B, C, D, E, F, G);
scheme_set!(A, B, C, D, E, F, G, H);

impl<U: AuthUser> Portcullis<U> {
    /// Where the credential of the scheme named `scheme` travels, as configured (the
    /// API-key header, the session cookie, ...): what API descriptions state. `None`
    /// for a scheme this gate does not know.
    ///
    /// ```
    /// use portcullis::{ApiKeyConfig, AuthUser, InMemoryUserStore, Portcullis, Scheme};
    /// use portcullis::schemes::CredentialIn;
    /// # #[derive(Clone, AuthUser)] struct User { #[auth_user(id)] id: i64 }
    /// let auth = Portcullis::builder(InMemoryUserStore::<User>::new())
    ///     .api_key(ApiKeyConfig::new().header("X-Key"))
    ///     .build()
    ///     .unwrap();
    /// assert_eq!(auth.credential_in(Scheme::API_KEY), Some(&[CredentialIn::Header("X-Key".into())][..]));
    /// assert_eq!(auth.credential_in(Scheme::custom("hmac")), None);
    /// ```
    pub fn credential_in(&self, scheme: Scheme) -> Option<&[CredentialIn]> {
        let registered = self.inner.schemes.iter().find(|s| s.challenge.scheme == scheme);
        registered.map(|s| s.credential_in.as_slice())
    }

    /// The user store.
    pub fn users(&self) -> &dyn UserStore<U> {
        &*self.inner.users
    }

    /// The realm that keeps this user type's credentials apart from another's: the one
    /// given to [`PortcullisBuilder::realm`](crate::PortcullisBuilder::realm), or else one
    /// derived from the user type (`type:` and 16 hex digits). Issued tokens carry it in
    /// their `realm` claim.
    ///
    /// ```
    /// use portcullis::{Algorithm, AuthUser, InMemoryUserStore, Portcullis, TokenConfig};
    /// # #[derive(Clone, AuthUser)] struct Staff { #[auth_user(id)] id: i64 }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let users = InMemoryUserStore::<Staff>::new();
    /// users.insert(Staff { id: 1 });
    /// let staff = Portcullis::builder(users)
    ///     .realm("staff")
    ///     .tokens(TokenConfig::hmac(b"kD8#vR2qLx9!mZ4wT7pQ1sF6yH3nJ0cB", Algorithm::HS256))
    ///     .build()
    ///     .unwrap();
    /// assert_eq!(staff.realm(), "staff");
    /// let pair = staff.issue_tokens(&Staff { id: 1 }, None).await.unwrap();
    /// # use base64::Engine;
    /// let payload = pair.access_token.split('.').nth(1).unwrap();
    /// let claims: serde_json::Value =
    ///     serde_json::from_slice(&base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap();
    /// assert_eq!(claims["realm"], "staff");
    /// # });
    /// ```
    pub fn realm(&self) -> &str {
        &self.inner.realm.marker
    }

    /// The token cookies, when [`PortcullisBuilder::token_cookies`](crate::PortcullisBuilder::token_cookies)
    /// set them.
    ///
    /// ```
    /// use portcullis::{AuthUser, InMemoryUserStore, Portcullis};
    /// # #[derive(Clone, AuthUser)] struct User { #[auth_user(id)] id: i64 }
    /// let auth = Portcullis::builder(InMemoryUserStore::<User>::new()).build().unwrap();
    /// assert!(auth.token_cookies().is_none()); // tokens travel in JSON bodies
    /// ```
    pub fn token_cookies(&self) -> Option<&crate::token_cookies::TokenCookies> {
        self.inner.token_cookies.as_ref()
    }

    /// Authenticates a request with the schemes `S` (a tuple such as `(Jwt, ApiKey)`),
    /// tried in order. This is what `#[auth]` calls; hand-written extractors can too.
    ///
    /// `Ok(None)`: no credentials for any of the schemes. Every presented credential
    /// is verified: one bad credential fails the request even if another is good
    /// (fail closed), and credentials naming different users are refused. Inactive
    /// users get 403; the hooks run before and after.
    ///
    /// # Errors
    /// The [`AuthError`] to answer with.
    pub async fn authenticate<S: SchemeSet<U>>(
        &self,
        parts: &Parts,
    ) -> Result<Option<(U, AuthInfo)>, AuthError> {
        S::authenticate(self, parts).await
    }

    fn registered<S: 'static>(&self) -> Option<&Registered> {
        let id = TypeId::of::<S>();
        self.inner.schemes.iter().find(|r| r.type_id == id)
    }

    /// The registered instance of scheme type `S`.
    pub fn scheme<S: AuthScheme<U>>(&self) -> Option<&S> {
        self.registered::<S>()?.instance.downcast_ref::<S>()
    }

    async fn before(&self, parts: &Parts) -> Result<(), AuthError> {
        for hook in &self.inner.before {
            hook.before(parts).await?;
        }
        Ok(())
    }

    #[allow(clippy::type_complexity)]
    fn extract<'a, S: AuthScheme<U>>(
        &'a self,
        parts: &Parts,
        trying: &mut Option<Scheme>,
    ) -> Result<Option<(&'a S, S::Credential)>, AuthError> {
        let Some(scheme) = self.scheme::<S>() else {
            tracing::error!(
                scheme = std::any::type_name::<S>(),
                "a route lists a scheme that was never registered (PortcullisBuilder::scheme)"
            );
            return Err(AuthError::Misconfigured {
                reason: "a route lists a scheme that was never registered",
            });
        };
        *trying = Some(scheme.name());
        Ok(scheme.extract(parts)?.map(|credential| (scheme, credential)))
    }

    async fn verify<S: AuthScheme<U>>(
        &self,
        scheme: &S,
        parts: &Parts,
        credential: S::Credential,
    ) -> Result<(U, AuthInfo), AuthError> {
        let context = Context {
            users: &*self.inner.users,
            login: &self.inner.login,
        };
        let verified = scheme.verify(parts, credential, &context).await?;
        let Verified { mut identity, user } = verified;
        let mut mapped_scopes = None;
        let user = match (user, identity.mapped.take()) {
            (Some(user), _) => user,
            (None, Some(mapped)) => {
                mapped_scopes = Some(mapped.scopes().to_vec());
                self.provider_user(mapped)?
            }
            (None, None) => {
                let users = &*self.inner.users;
                identity::resolve(&*self.inner.resolver, &identity, users, self.inner.store_timeout).await?
            }
        };
        let (scheme, claims, key_id, provider) = identity.into_parts();
        Ok((
            user,
            AuthInfo::new(scheme, claims)
                .with_key_id(key_id)
                .with_provider(provider)
                .with_mapped_scopes(mapped_scopes),
        ))
    }

    /// The application's user for an identity provider's claims-only user.
    fn provider_user(&self, mapped: ClaimsUser) -> Result<U, AuthError> {
        match &self.inner.provider_users {
            Some(convert) => Ok(convert(mapped)),
            None => Err(AuthError::Misconfigured {
                reason: "an identity provider's user arrived but no provider is registered",
            }),
        }
    }

    fn merge(outcome: &mut Option<(U, AuthInfo)>, found: (U, AuthInfo)) -> Result<(), AuthError> {
        match outcome {
            Some((first, _)) if first.id() != found.0.id() => Err(AuthError::InvalidRequest {
                scheme: None,
                reason: "the credentials name different users",
            }),
            Some(_) => Ok(()),
            None => {
                *outcome = Some(found);
                Ok(())
            }
        }
    }

    async fn after(
        &self,
        parts: &Parts,
        outcome: Option<(U, AuthInfo)>,
    ) -> Result<Option<(U, AuthInfo)>, AuthError> {
        let Some((user, info)) = outcome else {
            return Ok(None);
        };
        if !user.is_active() {
            return Err(AuthError::Forbidden {
                reason: "the account is inactive",
            });
        }
        for hook in &self.inner.after {
            hook.after(parts, &user, &info).await?;
        }
        Ok(Some((user, info)))
    }

    /// The audit event of one authentication (none when no credentials were sent):
    /// `auth.succeeded`, `auth.failed`, or `login.throttled` for a locked-out password.
    fn audit(
        &self,
        parts: &Parts,
        trying: Option<Scheme>,
        outcome: &Result<Option<(U, AuthInfo)>, AuthError>,
    ) {
        let event = match outcome {
            Ok(None) => return,
            Ok(Some(_)) => Event::AuthSucceeded,
            Err(error) => Event::AuthFailed.or_throttled(error),
        };
        if !event.enabled() {
            return;
        }
        // The adapters noted the peer as `ClientAddr`; the trusted proxies name the client.
        let client = self.inner.login.client(parts, credentials::client_addr(parts));
        let origin = Origin::new(client, &parts.headers);
        let record = Record::new(event, &origin);
        match outcome {
            Ok(Some((user, info))) => record.scheme(Some(info.scheme())).user(user.id()).emit(),
            Err(error) => record
                .scheme(audit::scheme_of(error).or(trying))
                .error(error)
                .emit(),
            Ok(None) => {}
        }
    }

    /// Renders `error` for a route accepting the schemes `S`, through the configured
    /// renderer (status, challenges and `Retry-After` imposed).
    pub fn reject<S: SchemeSet<U>>(&self, error: AuthError) -> Refusal {
        self.render(error, S::challenges(self))
    }

    /// Renders `error` for a route accepting the schemes named in `schemes` (the
    /// challenges of those the gate knows, in that order).
    ///
    /// ```
    /// use portcullis::{AuthError, AuthUser, InMemoryUserStore, Portcullis, Scheme};
    /// # #[derive(Clone, AuthUser)] struct User { #[auth_user(id)] id: i64 }
    /// let auth = Portcullis::builder(InMemoryUserStore::<User>::new()).build().unwrap();
    /// let refusal = auth.refuse(AuthError::MissingCredentials, &[Scheme::BASIC]);
    /// assert_eq!(refusal.into_inner().headers()["www-authenticate"], "Basic realm=\"api\", charset=\"UTF-8\"");
    /// ```
    pub fn refuse(&self, error: AuthError, schemes: &[Scheme]) -> Refusal {
        let challenges = schemes
            .iter()
            .filter_map(|name| {
                self.inner
                    .schemes
                    .iter()
                    .find(|r| r.challenge.scheme == *name)
                    .map(|r| r.challenge.clone())
            })
            .collect();
        self.render(error, challenges)
    }

    /// [`reject`](Self::reject) for a route with options `O` (`#[auth(..., redirect,
    /// renderer)]`): a browser's page load (`parts` given) refused with 401 is
    /// redirected to the login page; other refusals go through the route's renderer.
    pub(crate) fn reject_for<S: SchemeSet<U>, O: RouteOptions>(
        &self,
        error: AuthError,
        parts: Option<&Parts>,
    ) -> Refusal {
        if let (Some(parts), Some(login)) = (parts, O::redirect())
            && error.status() == http::StatusCode::UNAUTHORIZED
            && let Some(response) = crate::browser::redirect(parts, &login)
        {
            return Refusal::new(response);
        }
        let rejection = Rejection::new(
            error,
            S::challenges(self),
            Arc::clone(&self.inner.realm.challenge),
        );
        let response = O::render(&rejection).unwrap_or_else(|| self.inner.renderer.render(&rejection));
        Refusal::new(rejection.impose(response))
    }

    fn render(&self, error: AuthError, challenges: Vec<Challenge>) -> Refusal {
        let rejection = Rejection::new(error, challenges, Arc::clone(&self.inner.realm.challenge));
        let response: http::Response<Bytes> = self.inner.renderer.render(&rejection);
        Refusal::new(rejection.impose(response))
    }
}
