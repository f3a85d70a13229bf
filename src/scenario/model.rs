//! The scenario file model (format 1): what a scenario YAML file may contain, parsed strictly.
//!
//! A scenario is one recorded Okta sequence: metadata, Okta users and groups it provisions,
//! variables, ordered steps and teardown steps. See `docs/scenario-format.md`.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;
use std::fmt;

/// Okta's two wire dialects (docs/okta-reference.md#s1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Dialect {
    /// App Integration Wizard apps: GET then full PUT for every change.
    Put,
    /// OIN catalog templates: PATCH for active, password and group membership.
    Patch,
}

impl Dialect {
    pub const ALL: [Dialect; 2] = [Dialect::Put, Dialect::Patch];

    pub fn as_str(self) -> &'static str {
        match self {
            Dialect::Put => "put",
            Dialect::Patch => "patch",
        }
    }
}

impl fmt::Display for Dialect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An Okta provisioning feature an admin enables on the app (docs/okta-reference.md#s1, docs/okta-reference.md#s3, docs/okta-reference.md#s4, docs/okta-reference.md#s5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Feature {
    ImportUsers,
    ImportGroups,
    PushNewUsers,
    PushProfileUpdates,
    PushGroups,
    DeactivateUsers,
    ReactivateUsers,
    SyncPassword,
    /// Changing the app username after creation ("Update application username on: Create and update").
    UsernameUpdates,
    /// The integration is being submitted to the Okta Integration Network, so Okta's SPEC
    /// certification test must pass (docs/okta-reference.md#s8-1); not an Okta admin switch.
    OinSubmission,
    /// Imports update Okta user profiles from the app (the app is a profile source, or "To Okta"
    /// mappings are applied on import): steady-state drift of a mapped attribute then flows back
    /// into Okta and is pushed again, a sync loop (docs/steady-state.md). No built-in profile
    /// enables it.
    ImportUpdatesProfile,
    /// Profile pushes sent as PATCH instead of GET + PUT. Okta's 2024 SCIM reference says only
    /// activation, deactivation and password sync are PATCH for OIN apps; no built-in profile
    /// enables it.
    PatchProfileUpdates,
}

impl Feature {
    pub const ALL: [Feature; 12] = [
        Feature::ImportUsers,
        Feature::ImportGroups,
        Feature::PushNewUsers,
        Feature::PushProfileUpdates,
        Feature::PushGroups,
        Feature::DeactivateUsers,
        Feature::ReactivateUsers,
        Feature::SyncPassword,
        Feature::UsernameUpdates,
        Feature::OinSubmission,
        Feature::ImportUpdatesProfile,
        Feature::PatchProfileUpdates,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Feature::ImportUsers => "import-users",
            Feature::ImportGroups => "import-groups",
            Feature::PushNewUsers => "push-new-users",
            Feature::PushProfileUpdates => "push-profile-updates",
            Feature::PushGroups => "push-groups",
            Feature::DeactivateUsers => "deactivate-users",
            Feature::ReactivateUsers => "reactivate-users",
            Feature::SyncPassword => "sync-password",
            Feature::UsernameUpdates => "username-updates",
            Feature::OinSubmission => "oin-submission",
            Feature::ImportUpdatesProfile => "import-updates-profile",
            Feature::PatchProfileUpdates => "patch-profile-updates",
        }
    }
}

impl fmt::Display for Feature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One scenario file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioFile {
    /// Format version; must be 1.
    pub format: u32,
    /// Unique name, e.g. `okta/push-new-user`.
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// Where in `docs/okta-reference.md` this sequence is documented, e.g. `docs/okta-reference.md#s4-2, docs/okta-reference.md#s4-3`.
    #[serde(default)]
    pub reference: Option<String>,
    /// Okta features that must be enabled in the profile for this scenario to run.
    #[serde(default)]
    pub features: Vec<Feature>,
    /// Dialects this scenario applies to (default: both).
    #[serde(default = "all_dialects")]
    pub dialects: Vec<Dialect>,
    #[serde(default)]
    pub tags: Vec<String>,
    /// Okta users this scenario provisions; each yields `NAME.*` variables.
    #[serde(default)]
    pub users: BTreeMap<String, UserSpec>,
    /// Okta groups this scenario pushes; each yields `NAME.*` variables.
    #[serde(default)]
    pub groups: BTreeMap<String, GroupSpec>,
    /// Plain variables (templates, rendered in order of declaration after built-ins).
    #[serde(default)]
    pub variables: BTreeMap<String, String>,
    /// Secret variables: rendered like variables but redacted from every output.
    #[serde(default)]
    pub secrets: BTreeMap<String, String>,
    pub steps: Vec<Step>,
    /// Steps that always run after `steps`, even after failures.
    #[serde(default)]
    pub teardown: Vec<Step>,
}

fn all_dialects() -> Vec<Dialect> {
    Dialect::ALL.to_vec()
}

/// An Okta user (the Okta-side profile the app user is built from).
#[derive(Debug, Clone, Deserialize, Serialize, Default)]
#[serde(deny_unknown_fields)]
pub struct UserSpec {
    pub given_name: String,
    pub family_name: String,
    #[serde(default)]
    pub middle_name: Option<String>,
    /// Okta's own displayName attribute (default: "given family"); a different value shows a
    /// server that recomputes displayName instead of storing what Okta sent.
    #[serde(default)]
    pub display_name: Option<String>,
    #[serde(default)]
    pub locale: Option<String>,
    #[serde(default)]
    pub title: Option<String>,
}

/// An Okta group pushed to the app.
#[derive(Debug, Clone, Deserialize, Serialize, Default)]
#[serde(deny_unknown_fields)]
pub struct GroupSpec {
    pub name: String,
}

/// One request/response exchange of a scenario, with its expectations.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// Step name, unique in the scenario (used for snapshots and `body_from`).
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
    /// Run this step only under this dialect.
    #[serde(default)]
    pub dialect: Option<Dialect>,
    /// Run this step only when the profile enables all these features.
    #[serde(default)]
    pub features: Vec<Feature>,
    pub request: RequestSpec,
    #[serde(default)]
    pub expect: Expect,
    /// Values taken from the response into variables.
    #[serde(default)]
    pub capture: BTreeMap<String, CaptureSpec>,
    /// Whether the normalized response is compared with a snapshot (default true).
    #[serde(default = "yes")]
    pub snapshot: bool,
    /// Bounded polling for eventually-consistent servers: re-send until expectations pass.
    #[serde(default)]
    pub eventually: Option<Eventually>,
    /// For `read-after-write` and fidelity checks: the earlier write step this read verifies.
    #[serde(default)]
    pub verifies: Option<String>,
    /// Earlier steps whose outcome this step's verdict rests on (e.g. a set-up create that makes
    /// a "does not exist" filter meaningful): when one of them failed, this step is not sent and
    /// is reported as a consequence of that failure, never as passed.
    #[serde(default)]
    pub needs: Vec<String>,
    /// Send the request this many times, with `{{i}}` = 1..=N; captures collect into arrays.
    #[serde(default)]
    pub repeat: Option<u32>,
    /// Send the request once per element of this array variable, with `{{item}}`.
    #[serde(default)]
    pub for_each: Option<String>,
    /// Okta's import paging: send with `{{start_index}}` = 1, 101, 201, ... until past
    /// `totalResults`; captures collect into arrays.
    #[serde(default)]
    pub pages: bool,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Method {
    Get,
    Post,
    Put,
    Patch,
    Delete,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
        }
    }

    pub fn is_write(self) -> bool {
        !matches!(self, Method::Get)
    }

    /// Parses an upper-case HTTP method name.
    pub fn parse(name: &str) -> Option<Method> {
        [
            Method::Get,
            Method::Post,
            Method::Put,
            Method::Patch,
            Method::Delete,
        ]
        .into_iter()
        .find(|m| m.as_str() == name)
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How a step authenticates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum StepAuth {
    /// The run's configured credentials.
    #[default]
    Default,
    /// No Authorization header at all.
    None,
    /// A deliberately wrong credential (for 401 probes).
    Invalid,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequestSpec {
    pub method: Method,
    /// Path relative to the SCIM base URL, e.g. `/Users/{{alice.id}}`.
    pub path: String,
    /// Raw query string, sent byte for byte after templating (no re-encoding).
    #[serde(default)]
    pub query: Option<String>,
    /// Extra or overriding headers. A header set to "" removes a default header.
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// Inline JSON body (templated).
    #[serde(default)]
    pub body: Option<Value>,
    /// Body read from a file under `fixtures/` (templated).
    #[serde(default)]
    pub body_file: Option<String>,
    /// Read-modify-write: the body is an earlier step's response body with changes.
    #[serde(default)]
    pub body_from: Option<BodyFrom>,
    /// Shape the body as Okta would from the profile's attribute mappings.
    #[serde(default)]
    pub shape: Option<BodyShape>,
    #[serde(default)]
    pub auth: StepAuth,
}

/// Which Okta object a body represents, for profile shaping.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum BodyShape {
    /// An Okta user push: only mapped, non-empty attributes are sent.
    User,
}

/// Read-modify-write body: echo an earlier response, with listed changes (Okta's PUT dialect).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BodyFrom {
    /// Name of the earlier step whose response body is echoed.
    pub step: String,
    /// Attribute paths (`name.givenName`, `emails[0].value`, `members`) set to new values.
    #[serde(default)]
    pub set: BTreeMap<String, Value>,
    /// Attribute paths removed from the echoed body.
    #[serde(default)]
    pub remove: Vec<String>,
}

/// Expected status: one code or a set of acceptable codes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusSpec(pub Vec<u16>);

impl<'de> Deserialize<'de> for StatusSpec {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = StatusSpec;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an HTTP status code or a list of status codes")
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<StatusSpec, E> {
                status_code(v).map(|c| StatusSpec(vec![c]))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<StatusSpec, E> {
                let v = u64::try_from(v).map_err(|_| E::custom("status codes are positive"))?;
                self.visit_u64(v)
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut a: A,
            ) -> Result<StatusSpec, A::Error> {
                let mut codes = Vec::new();
                while let Some(v) = a.next_element::<u64>()? {
                    codes.push(status_code(v)?);
                }
                if codes.is_empty() {
                    return Err(serde::de::Error::custom("the status list is empty"));
                }
                Ok(StatusSpec(codes))
            }
        }
        d.deserialize_any(V)
    }
}

fn status_code<E: serde::de::Error>(v: u64) -> Result<u16, E> {
    if (100..=599).contains(&v) {
        Ok(v as u16)
    } else {
        Err(E::custom(format!(
            "{v} is not an HTTP status code (100-599)"
        )))
    }
}

#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Expect {
    #[serde(default)]
    pub status: Option<StatusSpec>,
    /// JSONPath assertions on the response body.
    #[serde(default)]
    pub body: Vec<JsonAssertion>,
    /// Assertions on response headers.
    #[serde(default)]
    pub headers: Vec<HeaderAssertion>,
    /// Named Okta checks (see `scimreplay checks`) applied to this step; an unknown name is a
    /// load error at its line and column.
    #[serde(default)]
    pub checks: Vec<crate::check::registry::CheckId>,
}

/// JSON value types for `type:` assertions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum JsonType {
    String,
    Number,
    Integer,
    Boolean,
    Array,
    Object,
    Null,
}

/// One JSONPath assertion; exactly one predicate must be given.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JsonAssertion {
    /// RFC 9535 JSONPath, e.g. `$.Resources[0].id`.
    pub path: String,
    #[serde(default)]
    pub equals: Option<Value>,
    /// `true`: the path matches something; `false`: it matches nothing.
    #[serde(default)]
    pub exists: Option<bool>,
    #[serde(default, rename = "type")]
    pub is_type: Option<JsonType>,
    /// Array contains this element, or string contains this substring.
    #[serde(default)]
    pub contains: Option<Value>,
    /// Regular expression the (string) value matches.
    #[serde(default)]
    pub matches: Option<String>,
    /// Case-insensitive string equality.
    #[serde(default)]
    pub equals_ignore_case: Option<String>,
    /// The value is a number at least this large (e.g. a list's `totalResults`).
    #[serde(default)]
    pub at_least: Option<f64>,
    /// Shown when the assertion fails, and names a check id when it is one.
    #[serde(default)]
    pub check: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HeaderAssertion {
    pub name: String,
    #[serde(default)]
    pub exists: Option<bool>,
    #[serde(default)]
    pub equals: Option<String>,
    #[serde(default)]
    pub matches: Option<String>,
    #[serde(default)]
    pub check: Option<String>,
}

/// Where a captured value comes from: a JSONPath into the body or a response header.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaptureSpec {
    #[serde(default)]
    pub json: Option<String>,
    #[serde(default)]
    pub header: Option<String>,
    /// Treat the captured value as a secret (redacted everywhere).
    #[serde(default)]
    pub secret: bool,
    /// Finding nothing is not an error (e.g. the id of a duplicate a correct server refuses).
    #[serde(default)]
    pub optional: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Eventually {
    /// Give up after this long, e.g. `5s`.
    pub timeout: String,
    /// Wait this long between attempts, e.g. `200ms`.
    #[serde(default = "default_interval")]
    pub interval: String,
}

fn default_interval() -> String {
    "250ms".into()
}
