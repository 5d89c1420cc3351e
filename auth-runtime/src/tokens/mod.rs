//! Issuing and refreshing tokens: access tokens signed with the server's key,
//! opaque refresh tokens in rotating families with reuse detection, revocation.

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use jsonwebtoken::Header;
use serde::Serialize;
use subtle::ConstantTimeEq;

use crate::audit::{Event, Origin, Record};
use crate::cut_off::CutOffs;
use crate::error::{AuthError, ConfigError, store_down};
use crate::info::AuthInfo;
use crate::jwt::JwtValidator;
use crate::realm::REALM_CLAIM;
use crate::scheme::name::Scheme;
use crate::secret::{RefreshToken, family_revocation_key, hash_secret, random_secret};
use crate::store::{RefreshStore, RevocationStore, Rotation, UserStore};
use crate::user::AuthUser;

mod config;

pub use config::TokenConfig;

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// An access token and a refresh token, as an OAuth token response.
#[derive(Clone, Serialize, PartialEq, Eq)]
///
/// It serializes as the OAuth token response:
///
/// ```
/// let pair = portcullis::TokenPair {
///     access_token: "eyJ...".into(), refresh_token: "r".into(), token_type: "Bearer", expires_in: 900,
/// };
/// let json = serde_json::to_value(&pair).unwrap();
/// assert_eq!(json["token_type"], "Bearer");
/// assert_eq!(json["expires_in"], 900);
/// ```
pub struct TokenPair {
    /// The JWT.
    pub access_token: String,
    /// The opaque refresh token (256 random bits).
    pub refresh_token: String,
    /// Always `"Bearer"`.
    pub token_type: &'static str,
    /// Access-token lifetime in seconds.
    pub expires_in: u64,
}

impl std::fmt::Debug for TokenPair {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenPair")
            .field("token_type", &self.token_type)
            .field("expires_in", &self.expires_in)
            .finish_non_exhaustive()
    }
}

/// What a refresh family grants: the user and the scope of the first issuance (kept
/// across refreshes, RFC 6749 §6). Stored as JSON text by the refresh store.
#[derive(serde::Serialize, serde::Deserialize)]
struct Grant {
    sub: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    scope: Option<String>,
    /// When the family started (ms since the epoch), for "everything issued before";
    /// absent in families started before it was recorded (then refused by any cut-off).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    iat: Option<u64>,
    /// The CSRF token of a family issued into cookies: every access token of the
    /// family carries it (`csrf` claim) and a refresh by cookie must present it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    csrf: Option<String>,
}

impl Grant {
    fn to_text(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    fn parse(text: &str) -> Option<Grant> {
        serde_json::from_str(text).ok()
    }
}

/// What an access token says besides its subject and id.
#[derive(Default)]
struct Extra<'a> {
    fid: Option<&'a str>,
    scope: Option<&'a str>,
    fresh: bool,
    csrf: Option<&'a str>,
}

fn sign_access(
    tokens: &TokenConfig,
    realm: &str,
    sub: &str,
    jti: &str,
    extra: Extra<'_>,
) -> Result<String, AuthError> {
    let Extra {
        fid,
        scope,
        fresh,
        csrf,
    } = extra;
    let now = unix_now();
    let mut claims = serde_json::json!({
        "sub": sub,
        "iat": now,
        "exp": now.saturating_add(tokens.access_ttl.as_secs().max(1)),
        "jti": jti,
        "typ": "access",
        REALM_CLAIM: realm,
    });
    if let Some(fid) = fid {
        claims["fid"] = fid.into();
    }
    if fresh {
        claims["fresh"] = true.into();
    }
    if let Some(iss) = &tokens.issuer {
        claims["iss"] = iss.as_str().into();
    }
    if let Some(aud) = &tokens.audience {
        claims["aud"] = aud.as_str().into();
    }
    if let Some(scope) = scope {
        claims["scope"] = scope.into();
    }
    if let Some(csrf) = csrf {
        claims["csrf"] = csrf.into();
    }
    let mut header = Header::new(tokens.algorithm);
    header.kid = tokens.kid.clone();
    jsonwebtoken::encode(&header, &claims, &tokens.key).map_err(|e| {
        tracing::error!(error = %e, "signing an access token failed");
        AuthError::Unavailable
    })
}

/// Token issuing as configured: the signing settings and the stores.
pub(crate) struct Tokens {
    pub(crate) config: Option<TokenConfig>,
    /// The gate's realm marker, stamped into every access token.
    pub(crate) realm: Arc<str>,
    pub(crate) refresh: Arc<dyn RefreshStore>,
    pub(crate) revocations: Arc<dyn RevocationStore>,
    pub(crate) cut_offs: CutOffs,
}

impl Tokens {
    /// Checks the signing settings against the server's own JWT configuration.
    pub(crate) fn check(&self, jwt: Option<&JwtValidator>) -> Result<(), ConfigError> {
        let Some(tokens) = &self.config else {
            return Ok(());
        };
        let Some(jwt) = jwt else {
            return Err(ConfigError::Invalid(
                "issuing tokens needs a JWT configuration that verifies them (PortcullisBuilder::jwt)",
            ));
        };
        if tokens.access_ttl < Duration::from_secs(1)
            || tokens.refresh_ttl < Duration::from_secs(1)
            || tokens.family_lifetime < Duration::from_secs(1)
        {
            return Err(ConfigError::Invalid(
                "token lifetimes must be at least one second",
            ));
        }
        let own = jwt.own_rules();
        if let Some(expected) = &own.issuer
            && tokens.issuer.as_ref() != Some(expected)
        {
            return Err(ConfigError::IssuedTokensRejected(format!(
                "TokenConfig issues tokens with issuer {:?}, but JwtConfig accepts only {expected:?}; give them once with TokenConfig::verification()",
                tokens.issuer
            )));
        }
        if !own.audiences.is_empty()
            && !tokens
                .audience
                .as_ref()
                .is_some_and(|a| own.audiences.contains(a))
        {
            return Err(ConfigError::IssuedTokensRejected(format!(
                "TokenConfig issues tokens with audience {:?}, but JwtConfig accepts only {:?}; give them once with TokenConfig::verification()",
                tokens.audience, own.audiences
            )));
        }
        let probe = sign_access(tokens, &self.realm, "probe", "probe", Extra::default())
            .map_err(|_| ConfigError::Invalid("the token signing key cannot sign"))?;
        jwt.validate(&probe)
            .map_err(|e| ConfigError::IssuedTokensRejected(e.to_string()))?;
        Ok(())
    }

    fn config(&self) -> Result<&TokenConfig, AuthError> {
        self.config.as_ref().ok_or_else(|| {
            tracing::error!("issuing tokens needs PortcullisBuilder::tokens");
            AuthError::Misconfigured {
                reason: "no TokenConfig",
            }
        })
    }

    /// `csrf`: the CSRF token of a pair issued into cookies (kept with the family).
    ///
    /// # Errors
    /// [`AuthError::Unavailable`] when the refresh store fails or no [`TokenConfig`] is set.
    pub(crate) async fn issue<U: AuthUser>(
        &self,
        user: &U,
        scope: Option<&str>,
        csrf: Option<&str>,
    ) -> Result<TokenPair, AuthError> {
        let tokens = self.config()?;
        let family = RefreshToken::new_family()?;
        let refresh = family.text(0)?;
        let fid = family.handle();
        let sub = user.id().to_string();
        let started = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
        let grant = Grant {
            sub: sub.clone(),
            scope: scope.map(str::to_owned),
            iat: u64::try_from(started.as_millis()).ok(),
            csrf: csrf.map(str::to_owned),
        }
        .to_text();
        self.refresh
            .start(
                &fid,
                &grant,
                &hash_secret(&refresh),
                tokens.refresh_ttl,
                tokens.family_lifetime,
            )
            .await
            .map_err(store_down)?;
        let extra = Extra {
            fid: Some(&fid),
            scope,
            fresh: tokens.mark_fresh,
            csrf,
        };
        let access = sign_access(tokens, &self.realm, &sub, &random_secret()?, extra)?;
        tracing::info!(user = %sub, "tokens issued");
        Ok(TokenPair {
            access_token: access,
            refresh_token: refresh,
            token_type: "Bearer",
            expires_in: tokens.access_ttl.as_secs(),
        })
    }

    /// Exchanges a refresh token for a new pair (rotation). A refresh token that was
    /// already used revokes its whole family (reuse detection) and is refused.
    ///
    /// `csrf`: the `X-CSRF-Token` sent with a refresh token from a cookie, which must
    /// be its family's (checked before the token is spent).
    ///
    /// # Errors
    /// 401 for unknown, spent, revoked or expired tokens and deleted users, 403 for
    /// inactive users and a wrong CSRF token (the token is not spent then), 503 when a
    /// store fails.
    pub(crate) async fn refresh<U: AuthUser>(
        &self,
        users: &dyn UserStore<U>,
        refresh_token: &str,
        csrf: Option<&str>,
        origin: &Origin,
    ) -> Result<(U, TokenPair), AuthError> {
        let tokens = self.config()?;
        let store = &self.refresh;
        let refused = |reason| AuthError::invalid(Scheme::JWT, reason);
        let Some(token) = RefreshToken::parse(refresh_token) else {
            return Err(refused("the refresh token is not valid"));
        };
        let fid = token.handle();
        let presented = hash_secret(refresh_token);
        // Check the user first: a store failure or an inactive account must not spend
        // the client's token (its retry would look like reuse and revoke the family).
        let current = store
            .current_grant(&fid, token.generation, &presented)
            .await
            .map_err(store_down)?;
        let checked = match current {
            Some(grant) => {
                check_csrf(&grant, csrf)?;
                Some((self.grant_user(users, &fid, &grant).await?, grant))
            }
            None => None,
        };
        let generation = token.generation.saturating_add(1);
        let next = token.text(generation)?;
        let rotation = store
            .rotate(
                &fid,
                token.generation,
                &presented,
                &hash_secret(&next),
                tokens.refresh_ttl,
            )
            .await
            .map_err(store_down)?;
        let grant = match rotation {
            Rotation::Rotated { grant, .. } => grant,
            Rotation::Reused { .. } => {
                let reused = refused("the refresh token was already used; its session is revoked");
                let alert = Record::new(Event::TokenReuseDetected, origin);
                alert.scheme(Some(Scheme::JWT)).error(&reused).emit();
                // The family's access tokens end with it.
                self.revoke_family_access(&fid, tokens).await?;
                return Err(reused);
            }
            Rotation::Invalid => return Err(refused("the refresh token is not valid")),
        };
        let user = match checked {
            Some((user, checked_grant)) if checked_grant == grant => user,
            _ => {
                check_csrf(&grant, csrf)?;
                self.grant_user(users, &fid, &grant).await?
            }
        };
        let grant = Grant::parse(&grant);
        let extra = Extra {
            fid: Some(&fid),
            scope: grant.as_ref().and_then(|g| g.scope.as_deref()),
            fresh: false,
            csrf: grant.as_ref().and_then(|g| g.csrf.as_deref()),
        };
        let access = sign_access(
            tokens,
            &self.realm,
            &user.id().to_string(),
            &random_secret()?,
            extra,
        )?;
        let pair = TokenPair {
            access_token: access,
            refresh_token: next,
            token_type: "Bearer",
            expires_in: tokens.access_ttl.as_secs(),
        };
        Ok((user, pair))
    }

    /// Ends every access token issued in the family `fid` (they all expire within
    /// one access-token lifetime from now, so the entry does too).
    async fn revoke_family_access(&self, fid: &str, tokens: &TokenConfig) -> Result<(), AuthError> {
        let until = SystemTime::now()
            .checked_add(tokens.access_ttl.min(Duration::from_secs(100 * 365 * 24 * 3600)))
            .unwrap_or_else(SystemTime::now);
        self.revocations
            .revoke(&family_revocation_key(fid), until)
            .await
            .map_err(store_down)
    }

    /// The active user the refresh family `fid` was granted to, unless the family was
    /// revoked with every credential of its user (it is then ended for good).
    async fn grant_user<U: AuthUser>(
        &self,
        users: &dyn UserStore<U>,
        fid: &str,
        grant: &str,
    ) -> Result<U, AuthError> {
        let refused = || AuthError::invalid(Scheme::JWT, "the refresh token is not valid");
        let grant = Grant::parse(grant).ok_or_else(refused)?;
        let started = grant.iat.map(|ms| UNIX_EPOCH + Duration::from_millis(ms));
        if let Err(revoked) = self.cut_offs.check(Scheme::JWT, Some(&grant.sub), started).await {
            self.refresh.revoke_family(fid).await.map_err(store_down)?;
            return Err(revoked);
        }
        let id = grant.sub.parse::<U::Id>().map_err(|_| refused())?;
        let user = users
            .find_by_id(&id)
            .await
            .map_err(store_down)?
            .ok_or_else(refused)?;
        if !user.is_active() {
            return Err(AuthError::Forbidden {
                reason: "the account is inactive",
            });
        }
        Ok(user)
    }

    /// Revokes the access token `info` came from (by `jti`, until it expires).
    ///
    /// # Errors
    /// 503 when the revocation store fails.
    pub(crate) async fn revoke_access(&self, info: &AuthInfo) -> Result<(), AuthError> {
        let Some(claims) = info.claims() else {
            return Ok(());
        };
        let (Some(jti), Some(exp)) = (claims.jti(), claims.exp()) else {
            return Ok(());
        };
        // A far-future `exp` is kept until the end of the representable time, not a panic.
        let until = UNIX_EPOCH
            .checked_add(Duration::from_secs_f64(exp.clamp(0.0, 1e11)))
            .unwrap_or(UNIX_EPOCH + Duration::from_secs(100_000_000_000));
        self.revocations.revoke(jti, until).await.map_err(store_down)
    }

    /// Logout: revokes the refresh family of `refresh_token` (if given) and of the
    /// presented access token (its `fid` claim), with every access token issued in
    /// them, and the presented access token itself.
    ///
    /// # Errors
    /// 503 when a store fails.
    pub(crate) async fn logout(&self, refresh_token: Option<&str>, info: &AuthInfo) -> Result<(), AuthError> {
        let mut families = Vec::new();
        if let Some(token) = refresh_token.and_then(RefreshToken::parse) {
            families.push(token.handle());
        }
        if let Some(fid) = info.claims().and_then(|c| c.get("fid")).and_then(|v| v.as_str())
            && !families.iter().any(|f| f == fid)
        {
            families.push(fid.to_owned());
        }
        for fid in &families {
            self.refresh.revoke_family(fid).await.map_err(store_down)?;
            if let Some(tokens) = &self.config {
                self.revoke_family_access(fid, tokens).await?;
            }
        }
        self.revoke_access(info).await
    }
}

/// A refresh token from a cookie (`sent` is then the request's `X-CSRF-Token`, empty
/// when missing) needs its family's CSRF token; one from a body needs none.
fn check_csrf(grant: &str, sent: Option<&str>) -> Result<(), AuthError> {
    let Some(sent) = sent else {
        return Ok(());
    };
    let expected = Grant::parse(grant).and_then(|g| g.csrf).unwrap_or_default();
    let equal: bool = sent.as_bytes().ct_eq(expected.as_bytes()).into();
    if expected.is_empty() || !equal {
        return Err(AuthError::CsrfRejected {
            reason: "the X-CSRF-Token header is missing or does not match the login's",
        });
    }
    Ok(())
}
