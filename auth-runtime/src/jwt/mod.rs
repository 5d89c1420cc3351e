//! JWT (JWS compact) verification: key selection, signature, claim checks.
//!
//! Signatures are checked by `aws-lc-rs` (the backend `jsonwebtoken` is configured
//! with here) on keys parsed once at start-up; `jsonwebtoken` reads the key formats
//! (PEM, DER, JWK, JWKS) and signs tokens. The claim checks are done here because
//! they are stricter than `jsonwebtoken::Validation` (see `validate`).

pub(crate) mod claims;
pub(crate) mod keys;

use std::str::FromStr;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::Algorithm;
use serde_json::Value;

use crate::error::AuthError;
use crate::error::ConfigError;
use crate::scheme::name::Scheme;
use claims::{Claims, StrictObject};
use keys::{JwtKey, KeySet, MAX_KID_LEN};

/// Default largest accepted token, in bytes.
pub const DEFAULT_MAX_TOKEN_BYTES: usize = 8 * 1024;
/// Largest clock leeway the builder accepts.
pub const MAX_LEEWAY: Duration = Duration::from_secs(60);

/// JWT settings: keys and the claim checks every token must pass.
///
/// ```
/// use portcullis::{Algorithm, JwtConfig, JwtKey};
/// use std::time::Duration;
///
/// let jwt = JwtConfig::new()
///     .key(JwtKey::hmac(b"0123456789abcdef0123456789abcdef", Algorithm::HS256))
///     .issuer("https://auth.example.com")
///     .audience("my-api")
///     .leeway(Duration::from_secs(10))
///     .require_claim("jti");
/// ```
#[derive(Debug, Clone)]
pub struct JwtConfig {
    pub(crate) keys: Vec<JwtKey>,
    issuer: Option<String>,
    audiences: Vec<String>,
    leeway: Duration,
    required_claims: Vec<String>,
    token_type: Option<String>,
    max_token_bytes: usize,
    subject_claim: String,
    cookie: Option<String>,
    query_param: Option<String>,
    max_lifetime: Option<Duration>,
    pub(crate) jwks_errors: Vec<ConfigError>,
}

impl Default for JwtConfig {
    fn default() -> Self {
        JwtConfig {
            keys: Vec::new(),
            issuer: None,
            audiences: Vec::new(),
            leeway: Duration::from_secs(30),
            required_claims: Vec::new(),
            token_type: Some("access".to_owned()),
            max_token_bytes: DEFAULT_MAX_TOKEN_BYTES,
            subject_claim: "sub".to_owned(),
            cookie: None,
            query_param: None,
            max_lifetime: None,
            jwks_errors: Vec::new(),
        }
    }
}

impl JwtConfig {
    /// Defaults: no keys yet, leeway 30 s, claim `typ` must be `"access"`, 8 KiB limit.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a verification key.
    pub fn key(mut self, key: JwtKey) -> Self {
        self.keys.push(key);
        self
    }

    /// Adds every key of a JWKS document (each key needs `kid` and `alg`); a bad
    /// document is reported by [`PortcullisBuilder::build`](crate::PortcullisBuilder::build).
    pub fn jwks(mut self, json: &str) -> Self {
        match JwtKey::jwks_json(json) {
            Ok(keys) => self.keys.extend(keys),
            Err(e) => self.jwks_errors.push(e),
        }
        self
    }

    /// The exact `iss` every token must carry (a single string, compared exactly).
    pub fn issuer(mut self, issuer: impl Into<String>) -> Self {
        self.issuer = Some(issuer.into());
        self
    }

    /// An accepted audience; tokens must name one of the configured audiences in `aud`.
    pub fn audience(mut self, audience: impl Into<String>) -> Self {
        self.audiences.push(audience.into());
        self
    }

    /// Clock leeway for `exp`, `nbf` and `iat` (at most 60 s; default 30 s).
    pub fn leeway(mut self, leeway: Duration) -> Self {
        self.leeway = leeway;
        self
    }

    /// A claim every token must contain (`exp` and `sub` always are).
    pub fn require_claim(mut self, claim: impl Into<String>) -> Self {
        self.required_claims.push(claim.into());
        self
    }

    /// The value the `typ` claim must have (default `"access"`); `None` stops checking it.
    pub fn token_type(mut self, typ: Option<&str>) -> Self {
        self.token_type = typ.map(str::to_owned);
        self
    }

    /// Largest accepted token in bytes (default 8 KiB).
    pub fn max_token_bytes(mut self, bytes: usize) -> Self {
        self.max_token_bytes = bytes;
        self
    }

    /// The claim naming the user (default `sub`; e.g. `oid` for Entra ID). It must be
    /// a non-empty string of at most 256 bytes.
    ///
    /// ```
    /// let entra = portcullis::JwtConfig::new().subject_claim("oid");
    /// ```
    pub fn subject_claim(mut self, claim: impl Into<String>) -> Self {
        self.subject_claim = claim.into();
        self
    }

    /// Refuses tokens that would stay valid longer than `max` from now (their `exp`
    /// further ahead than `max` plus the leeway): a leaked signing key or a careless
    /// issuer cannot mint tokens that live for years. Off by default.
    ///
    /// ```
    /// use std::time::Duration;
    /// let jwt = portcullis::JwtConfig::new().max_lifetime(Duration::from_secs(24 * 3600));
    /// ```
    pub fn max_lifetime(mut self, max: Duration) -> Self {
        self.max_lifetime = Some(max);
        self
    }

    /// Also read the token from this cookie. Unsafe methods (POST, PUT, ...) then need
    /// a same-site request and an `X-CSRF-Token` header equal to the token's `csrf`
    /// claim, as sessions do.
    ///
    /// ```
    /// let jwt = portcullis::JwtConfig::new().cookie("access_token").query_param("access_token");
    /// ```
    pub fn cookie(mut self, name: impl Into<String>) -> Self {
        self.cookie = Some(name.into());
        self
    }

    /// Also read the token from this query parameter (opt-in: URLs end up in logs; for
    /// WebSocket upgrades and server-sent events, which cannot send headers).
    pub fn query_param(mut self, name: impl Into<String>) -> Self {
        self.query_param = Some(name.into());
        self
    }

    pub(crate) fn build(self) -> Result<JwtValidator, ConfigError> {
        if let Some(e) = self.jwks_errors.into_iter().next() {
            return Err(e);
        }
        if self.leeway > MAX_LEEWAY {
            return Err(ConfigError::LeewayTooLarge(self.leeway));
        }
        if self.max_token_bytes < 64 {
            return Err(ConfigError::Invalid("max_token_bytes must be at least 64"));
        }
        if self.subject_claim.is_empty()
            || self.cookie.as_deref() == Some("")
            || self.query_param.as_deref() == Some("")
        {
            return Err(ConfigError::Invalid(
                "the subject claim, token cookie and token query parameter names must not be empty",
            ));
        }
        Ok(JwtValidator {
            subject_claim: self.subject_claim,
            cookie: self.cookie,
            query_param: self.query_param,
            keys: KeySet::build(&self.keys)?,
            issuer: self.issuer,
            audiences: self.audiences,
            leeway: self.leeway.as_secs_f64(),
            required_claims: self.required_claims,
            token_type: self.token_type,
            max_token_bytes: self.max_token_bytes,
            max_lifetime: self.max_lifetime.map(|d| d.as_secs_f64()),
        })
    }
}

/// The start-up product of [`JwtConfig`]: parsed keys and checks.
pub(crate) struct JwtValidator {
    subject_claim: String,
    cookie: Option<String>,
    query_param: Option<String>,
    keys: KeySet,
    issuer: Option<String>,
    audiences: Vec<String>,
    leeway: f64,
    required_claims: Vec<String>,
    token_type: Option<String>,
    max_token_bytes: usize,
    max_lifetime: Option<f64>,
}

const HEADERS_NAMING_KEYS: [&str; 4] = ["jku", "jwk", "x5u", "x5c"];

fn malformed(reason: &'static str) -> AuthError {
    AuthError::invalid_request(Scheme::JWT, reason)
}

fn refused(reason: &'static str) -> AuthError {
    AuthError::invalid(Scheme::JWT, reason)
}

fn numeric_date(claims: &Claims, name: &str) -> Result<Option<f64>, AuthError> {
    match claims.get(name) {
        None => Ok(None),
        Some(Value::Number(n)) => match n.as_f64() {
            Some(v) if v.is_finite() => Ok(Some(v)),
            _ => Err(refused("a time claim is not a valid number")),
        },
        Some(_) => Err(refused("a time claim (exp, nbf, iat) is not a number")),
    }
}

fn now_secs() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0)
}

impl JwtValidator {
    pub(crate) fn subject_claim(&self) -> &str {
        &self.subject_claim
    }

    pub(crate) fn cookie(&self) -> Option<&str> {
        self.cookie.as_deref()
    }

    pub(crate) fn query_param(&self) -> Option<&str> {
        self.query_param.as_deref()
    }

    /// Verifies `token` (signature first, then claims) and returns its claims.
    pub(crate) fn validate(&self, token: &str) -> Result<Claims, AuthError> {
        let claims = self.verify_signature(token)?;
        self.check_claims(&claims, now_secs())?;
        Ok(claims)
    }

    /// Structure, header and signature; returns the (not yet validated) claims.
    pub(crate) fn verify_signature(&self, token: &str) -> Result<Claims, AuthError> {
        if token.len() > self.max_token_bytes {
            return Err(malformed("the token is too large"));
        }
        let mut segments = token.split('.');
        let (Some(header_b64), Some(payload_b64), Some(signature_b64), None) =
            (segments.next(), segments.next(), segments.next(), segments.next())
        else {
            return Err(malformed("a JWT has exactly three dot-separated segments"));
        };
        let decode = |segment: &str| {
            URL_SAFE_NO_PAD
                .decode(segment)
                .map_err(|_| malformed("the token is not valid base64url"))
        };
        let header_bytes = decode(header_b64)?;
        let payload_bytes = decode(payload_b64)?;
        let signature = decode(signature_b64)?;
        let header = StrictObject::parse(&header_bytes)
            .ok_or_else(|| malformed("the token header is not a JSON object with unique members"))?;

        let alg = match header.get("alg") {
            Some(Value::String(name)) if name.eq_ignore_ascii_case("none") => {
                return Err(refused("unsigned tokens are refused"));
            }
            Some(Value::String(name)) => {
                Algorithm::from_str(name).map_err(|_| refused("the token's algorithm is not supported"))?
            }
            _ => return Err(refused("the token header has no algorithm")),
        };
        if HEADERS_NAMING_KEYS.iter().any(|h| header.contains_key(*h)) {
            return Err(refused(
                "tokens naming their own key (jku, jwk, x5u, x5c) are refused",
            ));
        }
        if header.contains_key("crit") {
            return Err(refused(
                "the token requires extensions this server does not support",
            ));
        }
        match header.get("typ") {
            None => {}
            Some(Value::String(t)) if t.eq_ignore_ascii_case("JWT") || t.eq_ignore_ascii_case("at+jwt") => {}
            Some(_) => return Err(refused("the token header's typ is not JWT")),
        }
        let kid = match header.get("kid") {
            None => None,
            Some(Value::String(kid)) if !kid.is_empty() && kid.len() <= MAX_KID_LEN => Some(kid.as_str()),
            Some(_) => return Err(refused("the token's key id is invalid")),
        };
        let key = self
            .keys
            .select(kid)
            .ok_or_else(|| refused("the token names an unknown key"))?;
        if signature.is_empty() {
            return Err(refused("the token is not signed"));
        }
        let signed_len = header_b64.len() + 1 + payload_b64.len();
        match key.verify(alg, &token.as_bytes()[..signed_len], &signature) {
            None => return Err(refused("the token's algorithm is not allowed for its key")),
            Some(false) => return Err(refused("the token's signature is invalid")),
            Some(true) => {}
        }
        let claims = StrictObject::parse(&payload_bytes)
            .ok_or_else(|| refused("the token payload is not a JSON object with unique members"))?;
        Ok(Claims::new(claims))
    }

    /// Time, issuer, audience, type and required-claim checks.
    pub(crate) fn check_claims(&self, claims: &Claims, now: f64) -> Result<(), AuthError> {
        let exp = numeric_date(claims, "exp")?.ok_or_else(|| refused("the token has no expiry (exp)"))?;
        if now > exp + self.leeway {
            return Err(refused("the token has expired"));
        }
        if let Some(max) = self.max_lifetime
            && exp - now > max + self.leeway
        {
            return Err(refused("the token lives longer than this server accepts (exp)"));
        }
        if let Some(nbf) = numeric_date(claims, "nbf")?
            && now + self.leeway < nbf
        {
            return Err(refused("the token is not valid yet (nbf)"));
        }
        if let Some(iat) = numeric_date(claims, "iat")?
            && iat > now + self.leeway
        {
            return Err(refused("the token was issued in the future (iat)"));
        }
        if let Some(issuer) = &self.issuer {
            match claims.get("iss") {
                Some(Value::String(iss)) if iss == issuer => {}
                _ => return Err(refused("the token's issuer is not accepted")),
            }
        }
        if !self.audiences.is_empty() {
            let accepted = |v: &Value| v.as_str().is_some_and(|a| self.audiences.iter().any(|x| x == a));
            let ok = match claims.get("aud") {
                Some(v @ Value::String(_)) => accepted(v),
                Some(Value::Array(list)) => list.iter().all(Value::is_string) && list.iter().any(accepted),
                _ => false,
            };
            if !ok {
                return Err(refused("the token's audience is not accepted"));
            }
        }
        if let Some(expected) = &self.token_type {
            match claims.get("typ") {
                Some(Value::String(typ)) if typ == expected => {}
                _ => return Err(refused("the token is not an access token")),
            }
        }
        match claims.get(&self.subject_claim) {
            Some(Value::String(sub)) if !sub.is_empty() && sub.len() <= 256 => {}
            _ => return Err(refused("the token has no valid subject (sub)")),
        }
        match claims.get("jti") {
            None => {}
            Some(Value::String(jti)) if !jti.is_empty() && jti.len() <= 256 => {}
            Some(_) => return Err(refused("the token's id (jti) is invalid")),
        }
        if self.required_claims.iter().any(|c| claims.get(c).is_none()) {
            return Err(refused("the token lacks a required claim"));
        }
        Ok(())
    }
}
