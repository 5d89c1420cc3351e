//! Token claims and the strict JSON object parser for JOSE headers and payloads.

use std::fmt;
use std::sync::Arc;

use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde_json::{Map, Value};

/// A JSON object whose top-level member names are unique.
///
/// JOSE headers and JWT claim sets with duplicate member names are ambiguous (one
/// parser reads the first `"sub"`, another the last) and are rejected.
pub(crate) struct StrictObject(pub(crate) Map<String, Value>);

impl<'de> Deserialize<'de> for StrictObject {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ObjectVisitor;
        impl<'de> Visitor<'de> for ObjectVisitor {
            type Value = StrictObject;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<StrictObject, A::Error> {
                let mut map = Map::new();
                while let Some(key) = access.next_key::<String>()? {
                    if map.contains_key(&key) {
                        return Err(serde::de::Error::custom("duplicate member"));
                    }
                    let value = access.next_value::<Value>()?;
                    map.insert(key, value);
                }
                Ok(StrictObject(map))
            }
        }
        deserializer.deserialize_map(ObjectVisitor)
    }
}

impl StrictObject {
    pub(crate) fn parse(bytes: &[u8]) -> Option<Map<String, Value>> {
        serde_json::from_slice::<StrictObject>(bytes).ok().map(|o| o.0)
    }
}

/// The verified claims of a JWT.
///
/// Reached through [`AuthInfo::claims`](crate::AuthInfo::claims) in handlers.
///
/// ```
/// use portcullis::Claims;
/// let claims = Claims::from_json(serde_json::json!({
///     "sub": "42", "jti": "t-1", "scope": "read:posts write:posts", "exp": 1
/// })).unwrap();
/// assert_eq!(claims.sub(), Some("42"));
/// assert_eq!(claims.jti(), Some("t-1"));
/// assert!(claims.has_scope("write:posts"));
/// assert_eq!(claims.get("exp"), Some(&serde_json::json!(1)));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Claims {
    // Shared: a verified-token cache hands out the same claims to every request.
    map: Arc<Map<String, Value>>,
}

impl Claims {
    pub(crate) fn new(map: Map<String, Value>) -> Self {
        Claims { map: Arc::new(map) }
    }

    /// Wraps a JSON object (for tests and custom backends); `None` if `value` is not an object.
    pub fn from_json(value: Value) -> Option<Self> {
        match value {
            Value::Object(map) => Some(Claims::new(map)),
            _ => None,
        }
    }

    /// A claim by name.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.map.get(name)
    }

    /// The `sub` claim.
    pub fn sub(&self) -> Option<&str> {
        self.get("sub").and_then(Value::as_str)
    }

    /// The `jti` claim.
    pub fn jti(&self) -> Option<&str> {
        self.get("jti").and_then(Value::as_str)
    }

    /// The `exp` claim, in seconds since the Unix epoch.
    pub fn exp(&self) -> Option<f64> {
        self.get("exp").and_then(Value::as_f64)
    }

    /// OAuth scopes from `scope` or `scp`, each a space-separated string or an array.
    pub fn scopes(&self) -> impl Iterator<Item = &str> {
        self.strings_at("scope").chain(self.strings_at("scp"))
    }

    /// The claim at a dotted path (`realm_access.roles`), through nested objects.
    ///
    /// ```
    /// use portcullis::Claims;
    /// let claims = Claims::from_json(serde_json::json!({ "realm_access": { "roles": ["admin"] } })).unwrap();
    /// assert_eq!(claims.path("realm_access.roles"), Some(&serde_json::json!(["admin"])));
    /// assert_eq!(claims.path("realm_access.missing"), None);
    /// ```
    pub fn path(&self, path: &str) -> Option<&Value> {
        // A claim whose own name has dots (Auth0's `https://example.com/roles`).
        if let Some(value) = self.map.get(path) {
            return Some(value);
        }
        let mut parts = path.split('.');
        let mut value = self.map.get(parts.next()?)?;
        for part in parts {
            value = value.as_object()?.get(part)?;
        }
        Some(value)
    }

    /// The strings at a dotted path: an array's string items, or the words of a
    /// space-separated string (`"read write"`).
    ///
    /// ```
    /// use portcullis::Claims;
    /// let claims = Claims::from_json(serde_json::json!({ "scp": "read write", "groups": ["a", 1, "b"] })).unwrap();
    /// assert_eq!(claims.strings_at("scp").collect::<Vec<_>>(), ["read", "write"]);
    /// assert_eq!(claims.strings_at("groups").collect::<Vec<_>>(), ["a", "b"]);
    /// ```
    pub fn strings_at<'a>(&'a self, path: &str) -> impl Iterator<Item = &'a str> + 'a {
        strings_of(self.path(path))
    }

    /// The claim at exact segments, through nested objects (no dot splitting).
    pub(crate) fn at(&self, segments: &[String]) -> Option<&Value> {
        let (first, rest) = segments.split_first()?;
        let mut value = self.map.get(first)?;
        for segment in rest {
            value = value.as_object()?.get(segment)?;
        }
        Some(value)
    }

    /// Whether the token grants `scope`.
    pub fn has_scope(&self, scope: &str) -> bool {
        self.scopes().any(|s| s == scope)
    }

    /// All claims as a JSON object.
    pub fn as_map(&self) -> &Map<String, Value> {
        &self.map
    }
}

/// The strings of a claim value: an array's string items, or the words of a
/// space-separated string.
pub(crate) fn strings_of(value: Option<&Value>) -> impl Iterator<Item = &str> {
    let words = value
        .and_then(Value::as_str)
        .into_iter()
        .flat_map(str::split_whitespace);
    let items = value
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str);
    words.chain(items)
}
