//! Signed cookies and their Set-Cookie rendering.

use std::fmt;

use crate::error::{Error, Result};

/// The cookie set CloudFront reads: `CloudFront-Expires` or `CloudFront-Policy`,
/// `CloudFront-Signature`, `CloudFront-Key-Pair-Id`, and
/// `CloudFront-Hash-Algorithm` when SHA-256 is used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedCookies {
    cookies: Vec<(&'static str, String)>,
}

impl SignedCookies {
    pub(crate) fn new(cookies: Vec<(&'static str, String)>) -> Self {
        Self { cookies }
    }

    pub fn iter(&self) -> impl Iterator<Item = (&'static str, &str)> {
        self.cookies.iter().map(|(name, value)| (*name, value.as_str()))
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.iter().find(|(n, _)| *n == name).map(|(_, v)| v)
    }

    /// One `Set-Cookie` header value per cookie.
    pub fn set_cookie_headers(&self, attributes: &CookieAttributes) -> Vec<String> {
        self.iter().map(|(name, value)| format!("{name}={value}{attributes}")).collect()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SameSite {
    Strict,
    Lax,
    None,
}

impl std::str::FromStr for SameSite {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "strict" => Ok(SameSite::Strict),
            "lax" => Ok(SameSite::Lax),
            "none" => Ok(SameSite::None),
            _ => Err(format!("unknown SameSite value {s:?}: expected Strict, Lax or None")),
        }
    }
}

/// Attributes of the rendered cookies. Secure and HttpOnly are on unless turned
/// off, as AWS recommends for signed cookies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CookieAttributes {
    domain: Option<String>,
    path: Option<String>,
    secure: bool,
    http_only: bool,
    same_site: Option<SameSite>,
    max_age: Option<u64>,
}

impl Default for CookieAttributes {
    fn default() -> Self {
        Self { domain: None, path: None, secure: true, http_only: true, same_site: None, max_age: None }
    }
}

impl CookieAttributes {
    pub fn domain(mut self, domain: impl Into<String>) -> Result<Self> {
        self.domain = Some(attribute_value("Domain", domain.into())?);
        Ok(self)
    }

    pub fn path(mut self, path: impl Into<String>) -> Result<Self> {
        let path = attribute_value("Path", path.into())?;
        if !path.starts_with('/') {
            return Err(Error::InvalidCookieAttribute(format!("Path {path:?} must start with /")));
        }
        self.path = Some(path);
        Ok(self)
    }

    /// Refused when turning Secure off under `SameSite=None`, whichever was set first.
    pub fn secure(mut self, secure: bool) -> Result<Self> {
        if !secure && self.same_site == Some(SameSite::None) {
            return Err(Error::InvalidCookieAttribute("SameSite=None requires Secure".into()));
        }
        self.secure = secure;
        Ok(self)
    }

    pub fn http_only(mut self, http_only: bool) -> Self {
        self.http_only = http_only;
        self
    }

    /// Lets the browser drop the cookies when the policy expires rather than
    /// at the end of the session.
    pub fn max_age(mut self, seconds: u64) -> Self {
        self.max_age = Some(seconds);
        self
    }

    /// `SameSite=None` is only honoured by browsers on Secure cookies.
    pub fn same_site(mut self, same_site: SameSite) -> Result<Self> {
        if same_site == SameSite::None && !self.secure {
            return Err(Error::InvalidCookieAttribute("SameSite=None requires Secure".into()));
        }
        self.same_site = Some(same_site);
        Ok(self)
    }
}

fn attribute_value(name: &str, value: String) -> Result<String> {
    let bad = value.chars().find(|c| c.is_control() || matches!(c, ';' | ',' | ' ') || !c.is_ascii());
    match (value.is_empty(), bad) {
        (true, _) => Err(Error::InvalidCookieAttribute(format!("{name} is empty"))),
        (false, Some(c)) => Err(Error::InvalidCookieAttribute(format!("{name} {value:?} holds the character {c:?}"))),
        (false, None) => Ok(value),
    }
}

impl fmt::Display for CookieAttributes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(domain) = &self.domain {
            write!(f, "; Domain={domain}")?;
        }
        if let Some(path) = &self.path {
            write!(f, "; Path={path}")?;
        }
        if let Some(seconds) = self.max_age {
            write!(f, "; Max-Age={seconds}")?;
        }
        if self.secure {
            f.write_str("; Secure")?;
        }
        if self.http_only {
            f.write_str("; HttpOnly")?;
        }
        match self.same_site {
            Some(SameSite::Strict) => f.write_str("; SameSite=Strict"),
            Some(SameSite::Lax) => f.write_str("; SameSite=Lax"),
            Some(SameSite::None) => f.write_str("; SameSite=None"),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cookies() -> SignedCookies {
        SignedCookies::new(vec![("CloudFront-Expires", "9".into()), ("CloudFront-Key-Pair-Id", "K1".into())])
    }

    #[test]
    fn secure_and_http_only_by_default() {
        assert_eq!(
            cookies().set_cookie_headers(&CookieAttributes::default()),
            ["CloudFront-Expires=9; Secure; HttpOnly", "CloudFront-Key-Pair-Id=K1; Secure; HttpOnly"]
        );
    }

    #[test]
    fn renders_every_attribute() {
        let attributes = CookieAttributes::default()
            .domain("cdn.example.com")
            .unwrap()
            .path("/images/")
            .unwrap()
            .same_site(SameSite::Lax)
            .unwrap()
            .max_age(600);
        assert_eq!(
            cookies().set_cookie_headers(&attributes)[0],
            "CloudFront-Expires=9; Domain=cdn.example.com; Path=/images/; Max-Age=600; Secure; HttpOnly; SameSite=Lax"
        );
        let plain = CookieAttributes::default().secure(false).unwrap().http_only(false);
        assert_eq!(cookies().set_cookie_headers(&plain)[0], "CloudFront-Expires=9");
    }

    #[test]
    fn refuses_attribute_injection() {
        let refused = |result: Result<CookieAttributes>| match result {
            Err(Error::InvalidCookieAttribute(message)) => message,
            other => panic!("{other:?}"),
        };
        assert_eq!(
            refused(CookieAttributes::default().domain("a.com; Secure")),
            "Domain \"a.com; Secure\" holds the character ';'"
        );
        assert_eq!(refused(CookieAttributes::default().path("images")), "Path \"images\" must start with /");
        assert_eq!(
            refused(CookieAttributes::default().path("/a\r\nSet-Cookie: x")),
            "Path \"/a\\r\\nSet-Cookie: x\" holds the character '\\r'"
        );
        assert_eq!(
            refused(CookieAttributes::default().secure(false).unwrap().same_site(SameSite::None)),
            "SameSite=None requires Secure"
        );
    }

    #[test]
    fn same_site_none_keeps_secure_whatever_the_order() {
        let none = CookieAttributes::default().same_site(SameSite::None).unwrap();
        assert_eq!(
            none.clone().secure(false),
            Err(Error::InvalidCookieAttribute("SameSite=None requires Secure".into()))
        );
        assert_eq!(
            cookies().set_cookie_headers(&none.secure(true).unwrap())[0],
            "CloudFront-Expires=9; Secure; HttpOnly; SameSite=None"
        );
        let lax = CookieAttributes::default().same_site(SameSite::Lax).unwrap();
        assert!(!lax.secure(false).unwrap().to_string().contains("Secure"));
    }
}
