//! Okta app profiles: what an Okta admin configured for the app (dialect, unique identifier,
//! mapped attributes, enabled features, username policy, auth mode). A profile selects
//! scenarios and shapes the request bodies Okta would send. Built-in profiles live in
//! `profiles/*.yaml` (compiled in); users can pass their own file.

use crate::scenario::{Dialect, Feature};
use crate::server::AuthMode;
use serde::Deserialize;
use serde_json::{Map, Value};
use std::collections::BTreeSet;
use std::path::Path;

/// Which attribute Okta uses as the app username (docs/okta-reference.md#s4-2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum UniqueIdentifier {
    /// The Okta username (login) is the app username.
    UserName,
    /// The email is the app username.
    Email,
}

impl UniqueIdentifier {
    /// The name used in profile files: `userName` or `email`.
    pub fn as_str(self) -> &'static str {
        match self {
            UniqueIdentifier::UserName => "userName",
            UniqueIdentifier::Email => "email",
        }
    }
}

/// How Okta sends credentials (docs/okta-reference.md#s2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Auth {
    /// `Authorization: Bearer <token>`
    Bearer,
    /// `Authorization: <token>` (raw token: OIN "Header" mode)
    Header,
    /// `Authorization: Basic base64(user:password)`; the token is `user:password`
    Basic,
}

impl Auth {
    pub fn as_str(self) -> &'static str {
        match self {
            Auth::Bearer => "bearer",
            Auth::Header => "header",
            Auth::Basic => "basic",
        }
    }

    /// The reference server's matching mode.
    pub fn server_mode(self) -> AuthMode {
        match self {
            Auth::Bearer => AuthMode::Bearer,
            Auth::Header => AuthMode::Header,
            Auth::Basic => AuthMode::Basic,
        }
    }
}

/// A profile file (and the built-ins).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    pub name: String,
    /// One paragraph shown by `scimreplay profiles`.
    pub description: String,
    pub dialect: Dialect,
    pub unique_identifier: UniqueIdentifier,
    /// Okta's authentication mode for the app.
    pub auth: Auth,
    pub features: BTreeSet<Feature>,
    /// SCIM attribute paths Okta maps and sends (`name.givenName`, `emails`, `emails.type`, ...).
    pub mapped_attributes: Vec<String>,
    /// Extra attributes Okta sends on every user push (e.g. GitHub EMU's `roles`).
    #[serde(default)]
    pub extra_user_attributes: Map<String, Value>,
    /// Base path of the embedded reference server for this profile (Pulumi: `/scim/v2/<org>`).
    #[serde(default = "default_base_path")]
    pub base_path: String,
    /// Reference-server quirks that reproduce this vendor's documented behaviour (e.g. rate limits).
    #[serde(default)]
    pub server_quirks: Vec<String>,
    /// Whether Okta sends secondary (non-primary) emails for this app; vendors that document
    /// "no secondary emails" set it to false.
    #[serde(default = "yes")]
    pub secondary_emails: bool,
    /// Where the configuration comes from.
    #[serde(default)]
    pub source: Option<String>,
}

fn yes() -> bool {
    true
}

fn default_base_path() -> String {
    "/scim/v2".into()
}

/// Attributes Okta always sends on a user push, whatever the mappings.
const ALWAYS_SENT: &[&str] = &[
    "schemas",
    "userName",
    "externalId",
    "groups",
    "password",
    "active",
    "id",
    "meta",
];

/// The enterprise User extension (RFC 7643 §4.3), whose attributes Okta nests under this key
/// and lists in `schemas` when any of them is mapped and non-empty.
pub const ENTERPRISE_USER: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

/// The built-in profiles, in display order.
pub const BUILTIN: &[(&str, &str)] = &[
    ("okta-aiw", include_str!("../../profiles/okta-aiw.yaml")),
    ("okta-oin", include_str!("../../profiles/okta-oin.yaml")),
    ("unleash", include_str!("../../profiles/unleash.yaml")),
    ("configcat", include_str!("../../profiles/configcat.yaml")),
    ("github-emu", include_str!("../../profiles/github-emu.yaml")),
    ("pulumi", include_str!("../../profiles/pulumi.yaml")),
];

/// The default profile.
pub const DEFAULT: &str = "okta-aiw";

/// A profile that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ProfileError {
    #[error("unknown profile `{name}`: use one of {known}, or a path to a profile file")]
    Unknown { name: String, known: String },
    #[error("cannot read profile file {path}: {source}")]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "profile file {path} is named `{name}`, like the built-in profile: its reports and snapshot baseline would pass for the built-in's; give it another `name:`"
    )]
    ShadowsBuiltin { path: String, name: String },
    #[error("profile {path}: server_quirks: {message}")]
    Quirk { path: String, message: String },
    #[error("profile {path}:{line}:{column}: {message}")]
    Parse {
        path: String,
        line: usize,
        column: usize,
        message: String,
    },
}

impl Profile {
    /// A built-in profile by name, or a profile file by path.
    pub fn resolve(name_or_path: &str) -> Result<Profile, ProfileError> {
        if let Some((_, text)) = BUILTIN.iter().find(|(n, _)| *n == name_or_path) {
            return Profile::parse(&format!("profiles/{name_or_path}.yaml"), text);
        }
        let path = Path::new(name_or_path);
        if path.is_file() {
            let text = std::fs::read_to_string(path).map_err(|source| ProfileError::Read {
                path: name_or_path.to_string(),
                source,
            })?;
            let profile = Profile::parse(name_or_path, &text)?;
            // A file may repeat a built-in verbatim (`profiles/okta-aiw.yaml`), never redefine it.
            let shadowed = BUILTIN
                .iter()
                .find(|(n, _)| *n == profile.name)
                .is_some_and(|(_, builtin)| builtin.trim() != text.trim());
            if shadowed {
                return Err(ProfileError::ShadowsBuiltin {
                    path: name_or_path.to_string(),
                    name: profile.name,
                });
            }
            return Ok(profile);
        }
        Err(ProfileError::Unknown {
            name: name_or_path.to_string(),
            known: BUILTIN
                .iter()
                .map(|(n, _)| *n)
                .collect::<Vec<_>>()
                .join(", "),
        })
    }

    /// Every built-in profile, each parsed or with its error.
    pub fn builtins_checked() -> Vec<Result<Profile, ProfileError>> {
        BUILTIN
            .iter()
            .map(|(n, t)| Profile::parse(&format!("profiles/{n}.yaml"), t))
            .collect()
    }

    /// Every built-in profile.
    pub fn builtins() -> Vec<Profile> {
        BUILTIN
            .iter()
            .map(|(n, t)| {
                Profile::parse(&format!("profiles/{n}.yaml"), t).expect("built-in profiles parse")
            })
            .collect()
    }

    fn parse(path: &str, text: &str) -> Result<Profile, ProfileError> {
        let mut options = serde_saphyr::Options::default();
        options.strict_booleans = true;
        options.duplicate_keys = serde_saphyr::DuplicateKeyPolicy::Error;
        let profile: Profile = serde_saphyr::from_str_with_options(text, options).map_err(|e| {
            let (line, column) = e
                .location()
                .map(|l| (l.line() as usize, l.column() as usize))
                .unwrap_or((0, 0));
            ProfileError::Parse {
                path: path.to_string(),
                line,
                column,
                message: crate::scenario::load::yaml_message(&e),
            }
        })?;
        crate::server::check_quirks(&profile.server_quirks).map_err(|message| {
            ProfileError::Quirk {
                path: path.to_string(),
                message,
            }
        })?;
        Ok(profile)
    }

    pub fn enables(&self, feature: Feature) -> bool {
        self.features.contains(&feature)
    }

    /// Features in `wanted` that this profile does not enable.
    pub fn missing<'a>(&self, wanted: &'a [Feature]) -> Vec<&'a Feature> {
        wanted.iter().filter(|f| !self.enables(**f)).collect()
    }

    fn maps(&self, path: &str) -> bool {
        self.mapped_attributes
            .iter()
            .any(|m| m.eq_ignore_ascii_case(path))
    }

    /// Shapes a user body as Okta sends it: only mapped, non-empty attributes (plus the
    /// attributes Okta always sends), then the profile's extra attributes.
    pub fn shape_user(&self, body: &Value) -> Value {
        let Value::Object(map) = body else {
            return body.clone();
        };
        let mut out = Map::new();
        for (key, value) in map {
            let always = ALWAYS_SENT.iter().any(|a| a.eq_ignore_ascii_case(key));
            let kept = if always {
                Some(value.clone())
            } else if key.starts_with("urn:") {
                self.shape_extension(key, value)
            } else {
                self.shape_attribute(key, value)
            };
            if let Some(v) = kept.filter(|v| always || !is_empty(v)) {
                out.insert(key.clone(), v);
            }
        }
        for (key, value) in &self.extra_user_attributes {
            out.insert(key.clone(), value.clone());
        }
        list_extension_schemas(&mut out);
        Value::Object(out)
    }

    /// An extension schema's attributes (e.g. the enterprise extension): kept whole when the
    /// profile maps the schema URN itself, otherwise only the attributes it maps as
    /// `<schema URN>:<attribute>` (`...:2.0:User:department`) or, for a complex attribute,
    /// `<schema URN>:<attribute>.<sub-attribute>` (`...:2.0:User:manager.value`); empty values
    /// are dropped.
    fn shape_extension(&self, urn: &str, value: &Value) -> Option<Value> {
        if self.maps(urn) {
            return Some(value.clone());
        }
        let Value::Object(attributes) = value else {
            return None;
        };
        let kept: Map<String, Value> = attributes
            .iter()
            .filter_map(|(k, v)| {
                let v = self.shape_attribute(&format!("{urn}:{k}"), v)?;
                (!is_empty(&v)).then(|| (k.clone(), v))
            })
            .collect();
        (!kept.is_empty()).then_some(Value::Object(kept))
    }

    fn shape_attribute(&self, key: &str, value: &Value) -> Option<Value> {
        match value {
            Value::Object(sub) if !self.maps(key) => {
                let kept: Map<String, Value> = sub
                    .iter()
                    .filter(|(k, v)| self.maps(&format!("{key}.{k}")) && !is_empty(v))
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect();
                (!kept.is_empty()).then_some(Value::Object(kept))
            }
            Value::Array(items) if self.maps(key) => Some(Value::Array(
                items
                    .iter()
                    .map(|item| self.shape_multi_value(key, item))
                    .collect(),
            )),
            _ => self.maps(key).then(|| value.clone()),
        }
    }

    /// Drops sub-attributes of a multi-valued element that are not mapped (e.g. `emails.type`).
    fn shape_multi_value(&self, key: &str, item: &Value) -> Value {
        let Value::Object(sub) = item else {
            return item.clone();
        };
        let kept = sub
            .iter()
            .filter(|(k, _)| {
                matches!(k.as_str(), "value" | "primary") || self.maps(&format!("{key}.{k}"))
            })
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        Value::Object(kept)
    }
}

/// Lists every extension schema the body carries attributes of in its `schemas` (Okta adds the
/// enterprise URN whenever it sends enterprise attributes).
pub fn list_extension_schemas(body: &mut Map<String, Value>) {
    let extensions: Vec<String> = body
        .iter()
        .filter(|(k, v)| k.starts_with("urn:") && !is_empty(v))
        .map(|(k, _)| k.clone())
        .collect();
    if let Some(Value::Array(schemas)) = body.get_mut("schemas") {
        for urn in extensions {
            if !schemas.iter().any(|s| s.as_str() == Some(urn.as_str())) {
                schemas.push(Value::String(urn));
            }
        }
    }
}

fn is_empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Mapped enterprise attributes are nested under the extension URN, which joins `schemas`;
    /// unmapped and empty ones are dropped, and without any the URN is absent.
    #[test]
    fn shapes_the_enterprise_extension_to_its_mapped_attributes() {
        let mut p = Profile::resolve("pulumi").unwrap();
        p.mapped_attributes.extend([
            format!("{ENTERPRISE_USER}:department"),
            format!("{ENTERPRISE_USER}:manager.value"),
        ]);
        let body = json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "u",
            ENTERPRISE_USER: {"department": "R&D", "employeeNumber": "42", "costCenter": "",
                              "manager": {"value": "m1", "displayName": "Boss"}}
        });
        let shaped = p.shape_user(&body);
        assert_eq!(
            shaped[ENTERPRISE_USER],
            json!({"department": "R&D", "manager": {"value": "m1"}})
        );
        assert_eq!(shaped["schemas"][1], json!(ENTERPRISE_USER));
        let unmapped = Profile::resolve("pulumi").unwrap().shape_user(&body);
        assert!(unmapped.get(ENTERPRISE_USER).is_none());
        assert_eq!(unmapped["schemas"].as_array().unwrap().len(), 1);
    }

    #[test]
    fn a_misspelled_server_quirk_fails_at_load() {
        let text = format!("{}\nserver_quirks: [rate-limt]\n", BUILTIN[0].1);
        let err = Profile::parse("mine.yaml", &text).unwrap_err();
        assert!(matches!(err, ProfileError::Quirk { .. }), "{err}");
        assert!(
            err.to_string().contains("unknown quirk 'rate-limt'"),
            "{err}"
        );
        let good = format!("{}\nserver_quirks: [rate-limit=3]\n", BUILTIN[0].1);
        assert_eq!(
            Profile::parse("mine.yaml", &good).unwrap().server_quirks,
            ["rate-limit=3"]
        );
    }

    #[test]
    fn builtins_parse() {
        let all = Profile::builtins();
        assert_eq!(all.len(), 6);
        assert_eq!(
            Profile::resolve("okta-oin").unwrap().dialect,
            Dialect::Patch
        );
        assert!(matches!(
            Profile::resolve("nope"),
            Err(ProfileError::Unknown { .. })
        ));
    }

    /// Okta's 2024 reference: for OIN apps only activation, deactivation and password sync are
    /// PATCH; profile pushes are PUT. No built-in profile may fail a server for lacking PATCH
    /// profile updates.
    #[test]
    fn no_builtin_profile_sends_profile_pushes_as_patch() {
        for p in Profile::builtins() {
            assert!(!p.enables(Feature::PatchProfileUpdates), "{}", p.name);
        }
    }

    #[test]
    fn shapes_user_bodies_to_mapped_attributes() {
        let p = Profile::resolve("pulumi").unwrap();
        let body = json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
            "userName": "u", "name": {"givenName": "A", "familyName": "B", "middleName": "C"},
            "emails": [{"primary": true, "value": "u@x", "type": "work"}],
            "displayName": "A B", "locale": "en-US", "title": "", "groups": [], "password": "p", "active": true
        });
        let shaped = p.shape_user(&body);
        assert_eq!(shaped["name"], json!({"givenName": "A", "familyName": "B"}));
        assert!(shaped.get("locale").is_none());
        assert!(shaped.get("title").is_none());
        assert_eq!(shaped["groups"], json!([]));
        assert!(
            shaped.get(ENTERPRISE_USER).is_none(),
            "no enterprise attribute in the body"
        );
        let unleash = Profile::resolve("unleash").unwrap();
        assert_eq!(
            unleash.shape_user(&body)["emails"][0]["type"],
            json!("work")
        );
    }
}
