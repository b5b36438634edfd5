//! Configuration mistakes fail the cold start with the variable's name, rather
//! than a panic, a refusal of everyone, or a 400 for callers later.

use std::collections::HashMap;

use plumbing::settings::{SettingError, Settings};
use url_signer::Config;

fn from(overrides: &[(&str, &str)]) -> Result<Config, SettingError> {
    let mut vars: HashMap<String, String> = [
        ("DISTRIBUTION_DOMAIN", "d111111abcdef8.cloudfront.net"),
        ("KEY_SECRET_ID", "signing-key"),
        ("ALLOWED_PREFIXES", "/images/,/users/"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    for (name, value) in overrides {
        vars.insert((*name).to_owned(), (*value).to_owned());
    }
    Config::from_settings(&Settings::from_pairs(vars))
}

fn refused(overrides: &[(&str, &str)]) -> &'static str {
    match from(overrides) {
        Err(SettingError { name, .. }) => name,
        other => panic!("{overrides:?} gave {other:?}"),
    }
}

#[test]
fn caller_prefix_templates_are_checked_at_start() {
    for template in ["/users/}sub{/", "/users/{{sub}}/", "/users/{sub", "/users/{}/", "/users/", "/users/{sub}"] {
        assert_eq!(refused(&[("CALLER_PREFIX", template)]), "CALLER_PREFIX", "{template}");
    }
    let config = from(&[("CALLER_PREFIX", "/users/{sub}/")]).unwrap();
    assert_eq!(config.caller_prefix.unwrap().to_string(), "/users/{sub}/");
}

#[test]
fn lifetimes_are_bounded() {
    assert_eq!(refused(&[("MAX_LIFETIME_SECONDS", "604801")]), "MAX_LIFETIME_SECONDS");
    assert_eq!(refused(&[("MAX_LIFETIME_SECONDS", "99999999999")]), "MAX_LIFETIME_SECONDS");
    assert_eq!(refused(&[("MAX_LIFETIME_SECONDS", "0")]), "MAX_LIFETIME_SECONDS");
    assert_eq!(
        refused(&[("MAX_LIFETIME_SECONDS", "604800"), ("DEFAULT_LIFETIME_SECONDS", "604801")]),
        "DEFAULT_LIFETIME_SECONDS"
    );
    let config = from(&[("MAX_LIFETIME_SECONDS", "604800"), ("DEFAULT_LIFETIME_SECONDS", "604800")]).unwrap();
    assert_eq!(config.max_lifetime.as_secs(), 604_800);
}

#[test]
fn wildcard_prefixes_must_lie_under_an_allowed_prefix() {
    assert_eq!(refused(&[("WILDCARD_PREFIXES", "/video/")]), "WILDCARD_PREFIXES");
    assert_eq!(refused(&[("WILDCARD_PREFIXES", "/images/,/")]), "WILDCARD_PREFIXES");
    assert_eq!(refused(&[("WILDCARD_PREFIXES", "/imagesX/")]), "WILDCARD_PREFIXES");
    let config = from(&[("WILDCARD_PREFIXES", "/images/gallery/,/users/")]).unwrap();
    assert_eq!(config.wildcard_prefixes, ["/images/gallery/", "/users/"]);
}

#[test]
fn prefixes_hold_no_dot_segments_or_characters_a_path_may_not() {
    for prefix in [
        "/images/./",
        "/./",
        "/images/../",
        "/images/..;/",
        "/images/.;x/",
        "/a//",
        "/a b/",
        "/a{b}/",
        "/a|b/",
        "/a%2e/",
        "/a*/",
        "images/",
    ] {
        assert_eq!(refused(&[("ALLOWED_PREFIXES", prefix)]), "ALLOWED_PREFIXES", "{prefix}");
    }
    assert!(from(&[("ALLOWED_PREFIXES", "/a-b_c~d/e@f:g/")]).is_ok());
}

#[test]
fn cors_origins_are_exact_origins() {
    for origins in
        ["https://app.example.com/", "https://app.example.com/app", "app.example.com", "https://", "ftp://a.b"]
    {
        assert_eq!(refused(&[("CORS_ORIGINS", origins)]), "CORS_ORIGINS", "{origins}");
    }
    let config = from(&[("CORS_ORIGINS", "https://app.example.com, http://localhost:3000")]).unwrap();
    assert_eq!(config.cors_origins, ["https://app.example.com", "http://localhost:3000"]);
}

#[test]
fn the_domain_is_a_host_name_with_a_port_only_for_a_local_edge() {
    for domain in
        ["cdn.example.com", "d111111abcdef8.cloudfront.net", "localhost", "localhost:8443", "LOCALHOST:1", "a.b:65535"]
    {
        let config = from(&[("DISTRIBUTION_DOMAIN", domain)]).unwrap_or_else(|e| panic!("{domain}: {e}"));
        assert_eq!(config.distribution.domain(), domain.to_ascii_lowercase());
    }
    for domain in ["cdn", "a.b:", "a.b:0", "a.b:65536", "a.b:80x", "https://a.b", "a.b/x", "[::1]:80", "a.b:80:80"] {
        assert_eq!(refused(&[("DISTRIBUTION_DOMAIN", domain)]), "DISTRIBUTION_DOMAIN", "{domain}");
    }
}

#[test]
fn cookie_attributes_a_browser_would_not_take_stop_the_cold_start() {
    assert_eq!(refused(&[("COOKIE_DOMAIN", "example.com; Secure")]), "COOKIE_DOMAIN");
    assert_eq!(refused(&[("COOKIE_DOMAIN", "a b.example.com")]), "COOKIE_DOMAIN");
    assert_eq!(refused(&[("COOKIE_PATH", "images/")]), "COOKIE_PATH");
    assert_eq!(refused(&[("COOKIE_PATH", "/images/;x")]), "COOKIE_PATH");
    assert_eq!(refused(&[("COOKIE_SAME_SITE", "Sometimes")]), "COOKIE_SAME_SITE");
    let config =
        from(&[("COOKIE_DOMAIN", "example.com"), ("COOKIE_PATH", "/images/"), ("COOKIE_SAME_SITE", "None")]).unwrap();
    assert!(config.cookie_path_is_set);
    assert!(!from(&[]).unwrap().cookie_path_is_set);
}

#[test]
fn the_expiry_window_lies_within_the_maximum_lifetime() {
    assert_eq!(refused(&[("MAX_LIFETIME_SECONDS", "600"), ("EXPIRY_WINDOW_SECONDS", "601")]), "EXPIRY_WINDOW_SECONDS");
    assert_eq!(refused(&[("EXPIRY_WINDOW_SECONDS", "5m")]), "EXPIRY_WINDOW_SECONDS");
    assert_eq!(from(&[]).unwrap().expiry_window.as_secs(), 300);
    // Unset under a short maximum, the window shrinks to it: such a stack starts as it did before windows.
    let short = from(&[("MAX_LIFETIME_SECONDS", "120"), ("DEFAULT_LIFETIME_SECONDS", "60")]).unwrap();
    assert_eq!(short.expiry_window.as_secs(), 120);
    assert_eq!(from(&[("EXPIRY_WINDOW_SECONDS", "0")]).unwrap().expiry_window.as_secs(), 0);
}

#[test]
fn the_signature_cache_bounds_are_whole_numbers() {
    assert_eq!(refused(&[("SIGNATURE_CACHE_ENTRIES", "-1")]), "SIGNATURE_CACHE_ENTRIES");
    assert_eq!(refused(&[("SIGNATURE_CACHE_BYTES", "16MiB")]), "SIGNATURE_CACHE_BYTES");
    let config = from(&[("SIGNATURE_CACHE_ENTRIES", "0")]).unwrap();
    assert_eq!((config.signature_cache.entries, config.signature_cache.bytes), (0, 16 << 20));
}

#[test]
fn buckets_map_to_their_distributions_and_the_stacks_bucket_to_its_own() {
    let config = from(&[
        ("CONTENT_BUCKET", "content-bucket"),
        ("BUCKET_DISTRIBUTIONS", "media=d2.example.com/assets, logs=d3.example.com"),
    ])
    .unwrap();
    assert_eq!(config.buckets.buckets().collect::<Vec<_>>(), ["content-bucket", "logs", "media"]);
    assert_eq!(config.buckets.get("content-bucket"), Some(&config.distribution));
    assert_eq!(config.buckets.get("media").unwrap().origin_path(), "/assets");
    // Unset, no locator resolves: keys alone are served, by the stack's distribution.
    assert_eq!(from(&[]).unwrap().buckets.buckets().count(), 0);

    for entries in ["media", "media=nodot", "Media=d2.example.com", "media=d2.example.com/a//b", "m=a.b,m=c.d"] {
        assert_eq!(refused(&[("BUCKET_DISTRIBUTIONS", entries)]), "BUCKET_DISTRIBUTIONS", "{entries}");
    }
    assert_eq!(refused(&[("CONTENT_BUCKET", "Content")]), "CONTENT_BUCKET");
    let twice = [("CONTENT_BUCKET", "media"), ("BUCKET_DISTRIBUTIONS", "media=d2.example.com")];
    assert_eq!(refused(&twice), "CONTENT_BUCKET");
}
