//! The check functions: each judges an exchange (with its step context) against one Okta
//! expectation and answers not-applicable, pass, or fail with what was found.

use crate::replay::exchange::Exchange;
use serde_json::Value;

pub const LIST_URN: &str = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
pub const ERROR_URN: &str = "urn:ietf:params:scim:api:messages:2.0:Error";

/// What a check concluded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    NotApplicable,
    Pass,
    Fail(String),
}

fn verdict(ok: bool, msg: impl FnOnce() -> String) -> Verdict {
    if ok {
        Verdict::Pass
    } else {
        Verdict::Fail(msg())
    }
}

/// Which resource endpoint a request addressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resource {
    Users,
    Groups,
    Other,
}

/// A request classified by method and path.
#[derive(Debug, Clone)]
pub struct RequestKind {
    pub method: String,
    pub resource: Resource,
    /// True for `/Users/{id}` and `/Groups/{id}`.
    pub by_id: bool,
    /// The decoded `filter` query parameter, if any.
    pub filter: Option<String>,
}

impl RequestKind {
    pub fn of(exchange: &Exchange, base_url: &str) -> RequestKind {
        let url = &exchange.request.url;
        let rest = url
            .strip_prefix(base_url.trim_end_matches('/'))
            .unwrap_or(url);
        let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
        let segs: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        let resource = match segs.first().copied() {
            Some("Users") => Resource::Users,
            Some("Groups") => Resource::Groups,
            _ => Resource::Other,
        };
        let filter = query
            .split('&')
            .filter_map(|kv| kv.split_once('='))
            .find(|(k, _)| *k == "filter")
            .map(|(_, v)| decode_query_value(v));
        RequestKind {
            method: exchange.request.method.clone(),
            resource,
            by_id: segs.len() == 2,
            filter,
        }
    }

    fn is_collection_get(&self) -> bool {
        self.method == "GET" && self.resource != Resource::Other && !self.by_id
    }
}

/// Form-urlencoded decoding: `+` is a space, `%XX` a byte.
pub fn decode_query_value(v: &str) -> String {
    let bytes = v.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = bytes
                    .get(i + 1..i + 3)
                    .and_then(|h| std::str::from_utf8(h).ok());
                match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    Some(b) => {
                        out.push(b);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Everything a check may look at.
pub struct CheckInput<'a> {
    /// The judged exchange (the step's last).
    pub exchange: &'a Exchange,
    /// Every exchange of the step (several for pages, repeats, retries).
    pub exchanges: &'a [Exchange],
    pub kind: RequestKind,
    /// The last exchange of the write step this read verifies (`verifies:`).
    pub verified: Option<&'a Exchange>,
}

/// Ids of the checks that apply automatically to this kind of exchange.
pub fn automatic(input: &CheckInput) -> Vec<&'static str> {
    let k = &input.kind;
    let Some(status) = input.exchange.status() else {
        return Vec::new();
    };
    let mut ids = vec!["response.content-type"];
    if input.exchanges.iter().any(|e| e.status() == Some(429)) {
        ids.push("rate-limit.retry-after");
    }
    if status >= 400 {
        ids.extend(["error.scim-schema", "error.status-string"]);
        match k.method.as_str() {
            "PATCH" => ids.extend([
                "patch.no-path-replace",
                "patch.member-filter-remove",
                "patch.rename-with-id",
                "patch.members-display-only",
                "patch.empty-members-replace",
            ]),
            "PUT" => ids.push("put.readonly-echo"),
            "POST" => ids.push("create.okta-body"),
            _ => {}
        }
        return ids;
    }
    ids.push("response.json");
    if k.is_collection_get() {
        if k.filter.is_some() {
            ids.push("filter.exact-match");
        }
        ids.extend([
            "list-response.shape",
            "list-response.integers",
            "list-response.schema-urn",
        ]);
        if k.resource == Resource::Users {
            ids.extend(["user.active-boolean", "user.password-not-returned"]);
        }
        return ids;
    }
    if k.method == "POST" {
        ids.extend([
            "resource.id",
            "create.returns-resource",
            "create.status-201",
            "location.header",
        ]);
    }
    if k.method == "GET" && k.by_id {
        ids.push("get.single-resource");
    }
    let has_body = input.exchange.json().is_some_and(Value::is_object);
    if k.method != "DELETE" && has_body {
        match k.resource {
            Resource::Users => ids.extend([
                "user.shape",
                "user.active-boolean",
                "user.password-not-returned",
            ]),
            Resource::Groups => ids.push("group.shape"),
            Resource::Other => {}
        }
    }
    ids
}

/// Runs one check by id. Unknown ids are not applicable.
pub fn run(id: &str, input: &CheckInput) -> Verdict {
    let ex = input.exchange;
    let Some(resp) = &ex.response else {
        return Verdict::NotApplicable;
    };
    let body = resp.json.as_ref();
    match id {
        "list-response.shape" => list_shape(body),
        "list-response.integers" => list_integers(body),
        "list-response.schema-urn" => verdict(has_urn(body, LIST_URN), || {
            format!("schemas does not contain {LIST_URN}")
        }),
        "error.scim-schema" => error_schema(resp.status, body, &resp.body),
        "error.status-string" => error_status(resp.status, body),
        "resource.id" => resource_id(body),
        "create.returns-resource" => verdict(
            body.is_some_and(|b| b.as_object().is_some_and(|o| !o.is_empty())),
            || {
                format!(
                    "the {} response has no resource body ({} bytes)",
                    resp.status,
                    resp.body.len()
                )
            },
        ),
        "create.status-201" => verdict(resp.status == 201, || {
            format!("create answered {} instead of 201", resp.status)
        }),
        "location.header" => location(resp.header("location"), body),
        "response.content-type" => content_type(resp.header("content-type"), &resp.body),
        "response.json" => verdict(resp.body.trim().is_empty() || resp.json.is_some(), || {
            format!("the body is not JSON: {}", preview(&resp.body))
        }),
        "user.shape" => super::resources::user_shape(body),
        "user.active-boolean" => super::resources::active_boolean(body),
        "user.password-not-returned" => super::resources::no_password(body),
        "group.shape" => super::resources::group_shape(body, input.kind.method == "GET"),
        "get.single-resource" => verdict(
            !(has_urn(body, LIST_URN) || body.is_some_and(|b| b.get("Resources").is_some())),
            || "GET by id answered a ListResponse instead of the resource".into(),
        ),
        "rate-limit.retry-after" => super::resources::retry_after(input.exchanges),
        "filter.exact-match" => super::filters::exact_match(input),
        "filter.case-insensitive" => super::filters::case_insensitive(input),
        "filter.miss" => super::filters::miss(resp.status, body),
        "duplicate.conflict" => verdict(resp.status == 409, || {
            format!("a duplicate create answered {} instead of 409", resp.status)
        }),
        "paging.complete" => super::filters::paging_complete(input.exchanges),
        "deactivate.keeps-user" => verdict(
            resp.status == 200 && body.and_then(|b| b.get("active")) == Some(&Value::Bool(false)),
            || {
                format!(
                    "after deactivation the user read answered {} with active = {}",
                    resp.status,
                    body.and_then(|b| b.get("active"))
                        .map_or("(absent)".into(), |v| v.to_string())
                )
            },
        ),
        "read-after-write" => super::write_effects::read_after_write(input),
        "steady-state.fidelity" => super::write_effects::fidelity(input),
        "patch.no-path-replace"
        | "patch.member-filter-remove"
        | "patch.rename-with-id"
        | "patch.members-display-only"
        | "patch.empty-members-replace" => {
            super::write_effects::rejected_patch_shape(id, ex, input.kind.resource)
        }
        "put.readonly-echo" => super::write_effects::rejected_echo(ex, &["id", "meta", "groups"]),
        "create.okta-body" => super::write_effects::rejected_echo(ex, &["groups", "password"]),
        _ => Verdict::NotApplicable,
    }
}

pub(super) fn has_urn(body: Option<&Value>, urn: &str) -> bool {
    body.and_then(|b| b.get("schemas"))
        .and_then(Value::as_array)
        .is_some_and(|a| a.iter().any(|s| s.as_str() == Some(urn)))
}

pub(super) fn preview(text: &str) -> String {
    let t: String = text.chars().take(80).collect();
    if text.chars().count() > 80 {
        format!("{t:?}…")
    } else {
        format!("{t:?}")
    }
}

fn list_shape(body: Option<&Value>) -> Verdict {
    let Some(obj) = body.and_then(Value::as_object) else {
        return Verdict::Fail(match body {
            Some(Value::Array(_)) => {
                "the list response is a bare JSON array, not a ListResponse object".into()
            }
            _ => "the list response is not a JSON object".into(),
        });
    };
    let total = obj.get("totalResults").and_then(Value::as_u64).unwrap_or(0);
    match obj.get("Resources") {
        Some(Value::Array(_)) => Verdict::Pass,
        None if total == 0 && obj.contains_key("totalResults") => Verdict::Pass,
        None if obj.contains_key("resources") => {
            Verdict::Fail("`resources` is lower-case; Okta reads `Resources`".into())
        }
        None => Verdict::Fail("the ListResponse has no `Resources` array".into()),
        Some(other) => Verdict::Fail(format!(
            "`Resources` is {} instead of an array",
            kind_of(other)
        )),
    }
}

fn list_integers(body: Option<&Value>) -> Verdict {
    let Some(obj) = body.and_then(Value::as_object) else {
        return Verdict::NotApplicable;
    };
    let mut bad = Vec::new();
    for key in ["totalResults", "startIndex", "itemsPerPage"] {
        match obj.get(key) {
            Some(v) if v.is_u64() => {}
            None if key != "totalResults" => {}
            None => bad.push(format!("{key} is missing")),
            Some(v) => bad.push(format!("{key} is {} {v}", kind_of(v))),
        }
    }
    verdict(bad.is_empty(), || bad.join("; "))
}

fn error_schema(status: u16, body: Option<&Value>, raw: &str) -> Verdict {
    let Some(obj) = body.and_then(Value::as_object) else {
        return Verdict::Fail(format!(
            "the {status} error body is not a JSON object: {}",
            preview(raw)
        ));
    };
    let mut bad = Vec::new();
    if !has_urn(body, ERROR_URN) {
        bad.push(format!("schemas does not contain {ERROR_URN}"));
    }
    if obj
        .get("detail")
        .and_then(Value::as_str)
        .is_none_or(|d| d.trim().is_empty())
    {
        bad.push("`detail` is missing or empty (Okta shows it to the admin)".into());
    }
    verdict(bad.is_empty(), || bad.join("; "))
}

fn error_status(status: u16, body: Option<&Value>) -> Verdict {
    let Some(v) = body.and_then(|b| b.get("status")) else {
        return Verdict::NotApplicable;
    };
    verdict(v.as_str() == Some(status.to_string().as_str()), || {
        format!("`status` is {v}, expected the string \"{status}\"")
    })
}

fn resource_id(body: Option<&Value>) -> Verdict {
    match body.and_then(|b| b.get("id")) {
        Some(Value::String(s)) if !s.trim().is_empty() && s != "bulkId" => Verdict::Pass,
        Some(v) => Verdict::Fail(format!("`id` is {v}, not a usable server-issued string")),
        None => Verdict::Fail("the created resource has no `id`".into()),
    }
}

fn location(header: Option<&str>, body: Option<&Value>) -> Verdict {
    let meta = body
        .and_then(|b| b.pointer("/meta/location"))
        .and_then(Value::as_str);
    match (header, meta) {
        (None, _) => Verdict::Fail("no Location header".into()),
        (Some(h), _) if !(h.starts_with("http://") || h.starts_with("https://")) => {
            Verdict::Fail(format!("Location {h:?} is not an absolute URL"))
        }
        (Some(h), Some(m)) if h != m => {
            Verdict::Fail(format!("Location {h:?} differs from meta.location {m:?}"))
        }
        _ => Verdict::Pass,
    }
}

fn content_type(header: Option<&str>, body: &str) -> Verdict {
    if body.trim().is_empty() {
        return Verdict::NotApplicable;
    }
    let ok = header.is_some_and(|h| {
        let h = h.to_ascii_lowercase();
        h.starts_with("application/scim+json") || h.starts_with("application/json")
    });
    verdict(ok, || {
        format!(
            "Content-Type is {}",
            header.map_or("absent".into(), |h| format!("{h:?}"))
        )
    })
}

pub(super) fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}
