//! The `api_key` scheme: a key in a header or (opt-in) a query parameter, looked up
//! by its SHA-256 or handed to the application's validator.

use std::sync::Arc;

use async_trait::async_trait;
use http::HeaderName;
use http::request::Parts;
use subtle::ConstantTimeEq;

use super::{AuthScheme, Context, CredentialIn, Identity, Verified};
use crate::credentials::{self, MAX_API_KEY_BYTES};
use crate::error::{AuthError, ConfigError, StoreError, store_down};
use crate::scheme::name::Scheme;
use crate::secret::{ApiKeyHash, hash_api_key};
use crate::user::AuthUser;

/// Checks a raw API key the application's way (a prefix lookup plus a slow hash, a
/// call to a key service) instead of the user store's SHA-256 lookup. Returns the
/// subject (user id) the key belongs to, which the identity resolver then loads.
///
/// ```
/// use portcullis::{async_trait, ApiKeyValidator, StoreError};
/// struct Prefixed;
/// #[async_trait]
/// impl ApiKeyValidator for Prefixed {
///     async fn validate(&self, key: &str) -> Result<Option<String>, StoreError> {
///         // look the prefix up, then verify the rest with argon2 ...
///         Ok(key.strip_prefix("pk_7_").map(|_| "7".to_owned()))
///     }
/// }
/// ```
#[async_trait]
pub trait ApiKeyValidator: Send + Sync + 'static {
    /// The subject of a valid key, `None` for an unknown one.
    ///
    /// # Errors
    /// The validator's store could not answer (503).
    async fn validate(&self, key: &str) -> Result<Option<String>, StoreError>;
}

/// API-key settings.
///
/// ```
/// use portcullis::ApiKeyConfig;
/// let keys = ApiKeyConfig::new()
///     .header("X-Service-Key")
///     .query_param("api_key")          // off unless enabled
///     .static_key("svc_0123456789abcdefghijklmn", 1);
/// ```
#[derive(Clone)]
pub struct ApiKeyConfig {
    header: String,
    query_param: Option<String>,
    static_keys: Vec<(ApiKeyHash, String, bool)>,
    validator: Option<Arc<dyn ApiKeyValidator>>,
}

impl std::fmt::Debug for ApiKeyConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApiKeyConfig")
            .field("header", &self.header)
            .field("query_param", &self.query_param)
            .field("static_keys", &self.static_keys.len())
            .field("validator", &self.validator.is_some())
            .finish()
    }
}

impl Default for ApiKeyConfig {
    fn default() -> Self {
        ApiKeyConfig {
            header: "X-API-Key".to_owned(),
            query_param: None,
            static_keys: Vec::new(),
            validator: None,
        }
    }
}

impl ApiKeyConfig {
    /// Header `X-API-Key`, no query parameter, keys looked up in the user store.
    pub fn new() -> Self {
        Self::default()
    }

    /// The header carrying the key.
    pub fn header(mut self, name: impl Into<String>) -> Self {
        self.header = name.into();
        self
    }

    /// Also accept the key in this query parameter (off by default: URLs end up in logs).
    pub fn query_param(mut self, name: impl Into<String>) -> Self {
        self.query_param = Some(name.into());
        self
    }

    /// A key fixed at start-up for the user `user_id` (a service account). Only its
    /// SHA-256 is kept; presented keys are compared in constant time.
    pub fn static_key(mut self, key: &str, user_id: impl ToString) -> Self {
        let valid =
            (24..=MAX_API_KEY_BYTES).contains(&key.len()) && key.bytes().all(|b| b.is_ascii_graphic());
        self.static_keys
            .push((hash_api_key(key), user_id.to_string(), valid));
        self
    }

    /// Hands every presented key to `validator` instead of the user store's
    /// `find_by_api_key_hash` (static keys are still checked first). See
    /// [`ApiKeyValidator`] for an implementation.
    /// For example: `let keys = ApiKeyConfig::new().validator(PrefixedKeys::new(pool));`.
    pub fn validator(mut self, validator: impl ApiKeyValidator) -> Self {
        self.validator = Some(Arc::new(validator));
        self
    }

    pub(crate) fn build<U: AuthUser>(self) -> Result<ApiKey, ConfigError> {
        let header = HeaderName::try_from(self.header.as_str())
            .map_err(|_| ConfigError::Invalid("the API-key header name is not a valid header name"))?;
        let mut static_keys = Vec::new();
        for (hash, id, valid) in self.static_keys {
            if !valid {
                return Err(ConfigError::WeakApiKey);
            }
            if id.parse::<U::Id>().is_err() {
                return Err(ConfigError::InvalidUserId(id));
            }
            static_keys.push((hash, id));
        }
        Ok(ApiKey {
            header,
            header_text: self.header,
            query_param: self.query_param,
            static_keys,
            validator: self.validator,
        })
    }
}

/// The built-in `api_key` scheme (configured with [`PortcullisBuilder::api_key`](crate::PortcullisBuilder::api_key)).
///
/// ```
/// use portcullis::{Authenticated, identity::ClaimsUser, schemes::{ApiKey, Jwt}};
/// async fn handler(auth: Authenticated<ClaimsUser, (Jwt, ApiKey)>) -> String {
///     auth.info.scheme().to_string()
/// }
/// ```
pub struct ApiKey {
    header: HeaderName,
    header_text: String,
    query_param: Option<String>,
    static_keys: Vec<(ApiKeyHash, String)>,
    validator: Option<Arc<dyn ApiKeyValidator>>,
}

#[async_trait]
impl<U: AuthUser> AuthScheme<U> for ApiKey {
    type Credential = String;

    fn name(&self) -> Scheme {
        Scheme::API_KEY
    }

    fn extract(&self, parts: &Parts) -> Result<Option<String>, AuthError> {
        credentials::api_key(
            &parts.headers,
            parts.uri.query(),
            &self.header,
            self.query_param.as_deref(),
        )
    }

    async fn verify(
        &self,
        _: &Parts,
        key: String,
        context: &Context<'_, U>,
    ) -> Result<Verified<U>, AuthError> {
        let refused = || AuthError::invalid(Scheme::API_KEY, "the API key is not valid");
        let hash = hash_api_key(&key);
        // Constant time over all static keys: no early exit, no data-dependent branch.
        let mut matched: Option<&str> = None;
        for (stored, id) in &self.static_keys {
            let equal: bool = stored.ct_eq(&hash).into();
            matched = if equal { Some(id) } else { matched };
        }
        if let Some(id) = matched {
            let parsed = id.parse::<U::Id>().map_err(|_| refused())?;
            let user = context
                .users
                .find_by_id(&parsed)
                .await
                .map_err(store_down)?
                .ok_or_else(refused)?;
            return Ok(Verified::user(Identity::new(Scheme::API_KEY, id), user));
        }
        if let Some(validator) = &self.validator {
            let subject = validator
                .validate(&key)
                .await
                .map_err(store_down)?
                .ok_or_else(refused)?;
            return Ok(Verified::identity(Identity::new(Scheme::API_KEY, subject)));
        }
        let user = context
            .users
            .find_by_api_key_hash(&hash)
            .await
            .map_err(store_down)?
            .ok_or_else(refused)?;
        Ok(Verified::user(
            Identity::new(Scheme::API_KEY, user.id().to_string()),
            user,
        ))
    }

    fn challenge(&self, realm: &str) -> String {
        format!("ApiKey realm=\"{realm}\", header=\"{}\"", self.header_text)
    }

    fn credential_in(&self) -> Vec<CredentialIn> {
        let header = CredentialIn::Header(self.header_text.clone());
        let query = self
            .query_param
            .iter()
            .map(|name| CredentialIn::Query(name.clone()));
        std::iter::once(header).chain(query).collect()
    }
}
