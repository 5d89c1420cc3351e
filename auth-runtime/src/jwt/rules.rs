//! The claim checks a verified token must pass, per issuer: the application's own
//! tokens (`typ: "access"`, its issuer and audiences) and each identity provider's
//! (RFC 9068: `iss` and `aud` required, no `typ` claim).

use serde_json::Value;

use super::claims::Claims;
use super::refused;
use crate::error::AuthError;
use crate::realm::REALM_CLAIM;

/// Which claim names the audience: `aud`, or `client_id` (AWS Cognito's access
/// tokens carry no `aud`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(not(feature = "oidc"), allow(dead_code))] // `ClientId`: provider presets only
pub(crate) enum AudienceClaim {
    Aud,
    ClientId,
}

/// Checks on time, issuer, audience, type, subject and required claims.
#[derive(Debug, Clone)]
pub(crate) struct ClaimRules {
    pub(crate) issuer: Option<String>,
    pub(crate) audiences: Vec<String>,
    pub(crate) audience_claim: AudienceClaim,
    pub(crate) leeway: f64,
    pub(crate) required_claims: Vec<String>,
    /// The value the `typ` claim must have; `None`: not checked.
    pub(crate) token_type: Option<String>,
    pub(crate) subject_claim: String,
    pub(crate) max_lifetime: Option<f64>,
    /// Claims that must have exactly this string value (Cognito's `token_use`).
    pub(crate) fixed: Vec<(String, String)>,
    /// When not empty, the client the token was issued to (`azp`, `client_id` or
    /// Entra's v1 `appid`) must be one of these.
    pub(crate) authorized_parties: Vec<String>,
    /// The gate's realm marker: a token whose `realm` claim names another realm is
    /// refused (a token without the claim was not issued by a gate: it is left to the
    /// issuer and audience checks). `None`: not checked (identity providers' tokens).
    pub(crate) realm: Option<String>,
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

impl ClaimRules {
    /// Whether `claims` pass every check at `now` (seconds since the epoch).
    pub(crate) fn check(&self, claims: &Claims, now: f64) -> Result<(), AuthError> {
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
        if !self.audiences.is_empty() && !self.audience_accepted(claims) {
            return Err(refused("the token's audience is not accepted"));
        }
        if let Some(expected) = &self.token_type {
            match claims.get("typ") {
                Some(Value::String(typ)) if typ == expected => {}
                _ => return Err(refused("the token is not an access token")),
            }
        }
        if let Some(realm) = &self.realm {
            match claims.get(REALM_CLAIM) {
                None => {}
                Some(Value::String(claimed)) if claimed == realm => {}
                Some(_) => return Err(refused("the token was issued for another realm (user type)")),
            }
        }
        for (name, expected) in &self.fixed {
            if claims.get(name).and_then(Value::as_str) != Some(expected) {
                return Err(refused("the token is not an access token of its provider"));
            }
        }
        if !self.authorized_parties.is_empty() {
            let party = ["azp", "client_id", "appid"]
                .iter()
                .find_map(|name| claims.get(name).and_then(Value::as_str));
            if !party.is_some_and(|p| self.authorized_parties.iter().any(|a| a == p)) {
                return Err(refused(
                    "the token was issued to a client this server does not accept (azp)",
                ));
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

    fn audience_accepted(&self, claims: &Claims) -> bool {
        let accepted = |v: &Value| v.as_str().is_some_and(|a| self.audiences.iter().any(|x| x == a));
        let name = match self.audience_claim {
            AudienceClaim::Aud => "aud",
            AudienceClaim::ClientId => "client_id",
        };
        match claims.get(name) {
            Some(v @ Value::String(_)) => accepted(v),
            Some(Value::Array(list)) if self.audience_claim == AudienceClaim::Aud => {
                list.iter().all(Value::is_string) && list.iter().any(accepted)
            }
            _ => false,
        }
    }
}
