//! The per-caller prefix: a template such as `/users/{sub}/`, parsed once at
//! cold start into literal text and claim names, then filled from the
//! authorizer's claims on each request.

use std::collections::HashMap;
use std::fmt;

use plumbing::settings::SettingError;

use crate::error::Error;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Literal(String),
    Claim(String),
}

/// A checked `CALLER_PREFIX` template: it starts and ends with `/`, names at
/// least one claim, and every `{…}` is one non-empty, non-nested claim name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallerPrefix {
    parts: Vec<Part>,
}

const EXPECTED: &str = "a prefix naming at least one claim in single braces, such as /users/{sub}/";

impl CallerPrefix {
    /// Refuses what would otherwise fail or refuse everyone on each request:
    /// stray or nested braces, `{{sub}}`, empty names, a malformed prefix.
    pub fn parse(template: &str) -> Result<Self, SettingError> {
        let invalid = || SettingError::invalid("CALLER_PREFIX", EXPECTED);
        let mut parts = Vec::new();
        let mut rest = template;
        while !rest.is_empty() {
            match rest.find(['{', '}']) {
                None => {
                    parts.push(Part::Literal(rest.to_owned()));
                    rest = "";
                }
                Some(at) if rest.as_bytes()[at] == b'}' => return Err(invalid()),
                Some(open) => {
                    if open > 0 {
                        parts.push(Part::Literal(rest[..open].to_owned()));
                    }
                    let after = &rest[open + 1..];
                    let close = after.find(['{', '}']).filter(|&c| after.as_bytes()[c] == b'}').ok_or_else(invalid)?;
                    let name = &after[..close];
                    let plain_name =
                        !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b"_:-.".contains(&b));
                    if !plain_name {
                        return Err(invalid());
                    }
                    parts.push(Part::Claim(name.to_owned()));
                    rest = &after[close + 1..];
                }
            }
        }
        let prefix = Self { parts };
        let has_claim = prefix.parts.iter().any(|p| matches!(p, Part::Claim(_)));
        // Shaped with a stand-in value, the template must be a well-formed prefix.
        let sample = prefix.fill(|_| Some("x"));
        if has_claim && crate::paths::well_formed_prefix(&sample) { Ok(prefix) } else { Err(invalid()) }
    }

    /// This caller's prefix. Claim values must be plain names, or the caller
    /// gets nothing: a claim holding `..` or `/` must not widen the prefix.
    pub fn for_claims(&self, claims: &HashMap<String, String>) -> Result<String, Error> {
        for part in &self.parts {
            if let Part::Claim(name) = part {
                let value =
                    claims.get(name).ok_or_else(|| Error::Forbidden(format!("the caller has no {name} claim")))?;
                let plain = !value.is_empty()
                    && value != "."
                    && value != ".."
                    && value.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'@'));
                if !plain {
                    return Err(Error::Forbidden(format!("the caller's {name} claim cannot form a path prefix")));
                }
            }
        }
        let prefix = self.fill(|name| claims.get(name).map(String::as_str));
        // The checks above already keep out `.`, `..` and `/`; this one makes
        // sure no later loosening of them can widen a prefix unnoticed.
        if crate::paths::well_formed_prefix(&prefix) {
            Ok(prefix)
        } else {
            Err(Error::Forbidden("the caller's claims cannot form a path prefix".into()))
        }
    }

    fn fill<'a>(&self, value: impl Fn(&str) -> Option<&'a str>) -> String {
        let mut prefix = String::new();
        for part in &self.parts {
            match part {
                Part::Literal(text) => prefix.push_str(text),
                Part::Claim(name) => prefix.push_str(value(name).unwrap_or_default()),
            }
        }
        prefix
    }
}

impl fmt::Display for CallerPrefix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for part in &self.parts {
            match part {
                Part::Literal(text) => f.write_str(text)?,
                Part::Claim(name) => write!(f, "{{{name}}}")?,
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    }

    #[test]
    fn templates_that_could_not_work_fail_the_cold_start() {
        for template in [
            "/users/}sub{/",
            "/users/{{sub}}/",
            "/users/{sub/",
            "/users/sub}/",
            "/users/{}/",
            "/users/{s{u}b}/",
            "/users/{sub}}/",
            "/users/{su b}/",
            "/users/",
            "users/{sub}/",
            "/users/{sub}",
            "/users//{sub}/",
            "/users/../{sub}/",
            "/users/./{sub}/",
            "/users/{sub}*/",
        ] {
            let error = CallerPrefix::parse(template).unwrap_err();
            assert_eq!(error.name, "CALLER_PREFIX", "{template}: {error:?}");
        }
    }

    #[test]
    fn a_template_fills_each_claim_in_place() {
        let prefix = CallerPrefix::parse("/tenants/{custom:tenant}/users/u-{sub}/").unwrap();
        assert_eq!(prefix.to_string(), "/tenants/{custom:tenant}/users/u-{sub}/");
        let filled = prefix.for_claims(&claims(&[("sub", "alice"), ("custom:tenant", "acme")])).unwrap();
        assert_eq!(filled, "/tenants/acme/users/u-alice/");
    }

    #[test]
    fn claims_that_could_spell_a_dot_segment_are_refused() {
        // A claim of "." alone is refused before the two could spell "..".
        let dot = Error::Forbidden("the caller's a claim cannot form a path prefix".into());
        let prefix = CallerPrefix::parse("/users/{a}{b}/").unwrap();
        assert_eq!(prefix.for_claims(&claims(&[("a", "."), ("b", ".")])), Err(dot.clone()));
        let prefix = CallerPrefix::parse("/users/.{a}/").unwrap();
        assert_eq!(prefix.for_claims(&claims(&[("a", ".")])), Err(dot));
        assert_eq!(prefix.for_claims(&claims(&[("a", ".x")])).unwrap(), "/users/..x/");
    }
}
