//! One distribution serving (part of) a bucket, and the viewer path of an object in it.

use serde::Deserialize;

/// One entry of INVALIDATION_TARGETS.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(try_from = "TargetFields")]
pub struct Target {
    bucket: String,
    key_prefix: String,
    distribution_id: String,
    /// The origin's OriginPath as a key prefix: `/prod` becomes `prod/`.
    origin_key_prefix: String,
    /// The path the viewer path starts with, without a trailing `/`.
    path_prefix: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TargetFields {
    bucket: String,
    #[serde(default)]
    key_prefix: String,
    distribution_id: String,
    #[serde(default)]
    origin_path: String,
    #[serde(default)]
    path_prefix: String,
}

impl TryFrom<TargetFields> for Target {
    type Error = String;

    fn try_from(fields: TargetFields) -> Result<Self, String> {
        if fields.bucket.is_empty() || fields.distribution_id.is_empty() {
            return Err("bucket and distribution_id must not be empty".into());
        }
        let origin = fields.origin_path.trim_matches('/');
        let origin_key_prefix = if origin.is_empty() { String::new() } else { format!("{origin}/") };
        // Every key would then be outside what the distribution serves: the
        // target would silently invalidate nothing.
        if !fields.key_prefix.starts_with(&origin_key_prefix) && !origin_key_prefix.starts_with(&fields.key_prefix) {
            return Err(format!(
                "key_prefix {:?} lies outside origin_path {:?}: the distribution serves no key under it",
                fields.key_prefix, fields.origin_path
            ));
        }
        let path_prefix = fields.path_prefix.trim_matches('/');
        Ok(Self {
            bucket: fields.bucket,
            key_prefix: fields.key_prefix,
            distribution_id: fields.distribution_id,
            origin_key_prefix,
            path_prefix: if path_prefix.is_empty() { String::new() } else { format!("/{path_prefix}") },
        })
    }
}

impl Target {
    /// Id of the distribution that serves this target's keys.
    pub fn distribution_id(&self) -> &str {
        &self.distribution_id
    }

    /// The decoded viewer path of `key`, if this target serves it: the key is
    /// in the bucket, under the key prefix and under the origin path.
    pub fn viewer_path(&self, bucket: &str, key: &str) -> Option<String> {
        if bucket != self.bucket || !key.starts_with(&self.key_prefix) {
            return None;
        }
        let below_origin = key.strip_prefix(&self.origin_key_prefix)?;
        Some(format!("{}/{below_origin}", self.path_prefix))
    }
}

#[cfg(test)]
mod tests {
    use super::Target;

    fn target(json: &str) -> Target {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn a_whole_bucket_maps_keys_to_root_paths() {
        let t = target(r#"{"bucket":"assets","distribution_id":"E1"}"#);
        assert_eq!(t.viewer_path("assets", "img/a.jpg").as_deref(), Some("/img/a.jpg"));
        assert_eq!(t.viewer_path("other", "img/a.jpg"), None);
    }

    #[test]
    fn the_origin_path_is_stripped_and_the_path_prefix_added() {
        let t = target(
            r#"{"bucket":"assets","key_prefix":"prod/public/","distribution_id":"E1",
                "origin_path":"/prod","path_prefix":"/static/"}"#,
        );
        assert_eq!(t.viewer_path("assets", "prod/public/a.jpg").as_deref(), Some("/static/public/a.jpg"));
        assert_eq!(t.viewer_path("assets", "prod/private/a.jpg"), None);
    }

    #[test]
    fn keys_outside_the_origin_path_are_not_served() {
        let t = target(r#"{"bucket":"assets","distribution_id":"E1","origin_path":"prod/"}"#);
        assert_eq!(t.viewer_path("assets", "staging/a.jpg"), None);
        assert_eq!(t.viewer_path("assets", "production/a.jpg"), None);
        assert_eq!(t.viewer_path("assets", "prod/a.jpg").as_deref(), Some("/a.jpg"));
    }

    #[test]
    fn a_key_prefix_outside_the_origin_path_is_refused() {
        let with = |key_prefix: &str| {
            let json =
                format!(r#"{{"bucket":"b","distribution_id":"E1","origin_path":"/prod","key_prefix":"{key_prefix}"}}"#);
            serde_json::from_str::<Target>(&json).map(|_| ()).map_err(|e| e.to_string())
        };
        let refused = with("staging/").unwrap_err();
        assert!(refused.contains("lies outside origin_path"), "{refused}");
        let sibling = with("production/").unwrap_err();
        assert!(sibling.contains("lies outside origin_path"), "{sibling}");
        for inside in ["", "pr", "prod/", "prod/img/"] {
            assert_eq!(with(inside), Ok(()), "{inside:?}");
        }
    }

    #[test]
    fn empty_names_and_unknown_fields_are_refused() {
        let empty = serde_json::from_str::<Target>(r#"{"bucket":"","distribution_id":"E1"}"#).unwrap_err().to_string();
        assert!(empty.contains("bucket"), "{empty}");
        let typo = serde_json::from_str::<Target>(r#"{"bucket":"b","distribution_id":"E1","orign_path":"/x"}"#);
        let typo = typo.unwrap_err().to_string();
        assert!(typo.contains("unknown field `orign_path`"), "{typo}");
    }
}
