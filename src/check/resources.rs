//! Checks on the shape of User and Group resources and on rate-limit answers.

use super::{CheckInput, Verdict, kind_of};
use crate::replay::exchange::Exchange;
use crate::scenario::Method;
use serde_json::Value;

/// The resources a body carries: itself, or the `Resources` of a list response.
fn resources(body: Option<&Value>) -> Vec<&Value> {
    match body {
        Some(b) => match b.get("Resources").and_then(Value::as_array) {
            Some(list) => list.iter().collect(),
            None => vec![b],
        },
        None => Vec::new(),
    }
}

pub fn user_shape(body: Option<&Value>) -> Verdict {
    let Some(user) = body else {
        return Verdict::NotApplicable;
    };
    let mut missing = Vec::new();
    for (pointer, name) in [
        ("/id", "id"),
        ("/userName", "userName"),
        ("/name/givenName", "name.givenName"),
        ("/name/familyName", "name.familyName"),
        ("/active", "active"),
    ] {
        if user.pointer(pointer).is_none_or(Value::is_null) {
            missing.push(name.to_string());
        }
    }
    match user.get("emails") {
        Some(Value::Array(_)) => {}
        None => missing.push("emails".into()),
        Some(v) => missing.push(format!("emails (it is {} instead of an array)", kind_of(v))),
    }
    if missing.is_empty() {
        Verdict::Pass
    } else {
        Verdict::Fail(format!("the User lacks {}", missing.join(", ")))
    }
}

pub fn active_boolean(body: Option<&Value>) -> Verdict {
    let bad: Vec<String> = resources(body)
        .iter()
        .filter_map(|r| {
            r.get("active")
                .filter(|a| !a.is_boolean())
                .map(|a| format!("active is {} {a}", kind_of(a)))
        })
        .collect();
    if bad.is_empty() {
        Verdict::Pass
    } else {
        Verdict::Fail(bad.join("; "))
    }
}

pub fn no_password(body: Option<&Value>) -> Verdict {
    let leaked = resources(body)
        .iter()
        .filter(|r| r.get("password").is_some())
        .count();
    if leaked == 0 {
        Verdict::Pass
    } else {
        Verdict::Fail(format!("{leaked} resource(s) carry a `password` attribute"))
    }
}

/// `members` may be omitted: RFC 7643 §2.5 makes an empty and an unassigned multi-valued
/// attribute the same state, and Okta reads an absent `members` as an empty group.
pub fn group_shape(body: Option<&Value>) -> Verdict {
    let Some(group) = body else {
        return Verdict::NotApplicable;
    };
    let mut bad = Vec::new();
    if !group.get("id").is_some_and(Value::is_string) {
        bad.push("no string `id`".to_string());
    }
    if !group.get("displayName").is_some_and(Value::is_string) {
        bad.push("no string `displayName`".to_string());
    }
    match group.get("members") {
        Some(Value::Array(members)) => {
            if members
                .iter()
                .any(|m| !m.get("value").is_some_and(Value::is_string))
            {
                bad.push("a member has no string `value`".into());
            }
        }
        None | Some(Value::Null) => {}
        Some(v) => bad.push(format!("`members` is {}", kind_of(v))),
    }
    if bad.is_empty() {
        Verdict::Pass
    } else {
        Verdict::Fail(format!("the Group has {}", bad.join(", ")))
    }
}

/// A member listed twice (e.g. after a repeated PATCH add).
pub fn members_unique(body: Option<&Value>) -> Verdict {
    let Some(members) = body
        .and_then(|b| b.get("members"))
        .and_then(Value::as_array)
    else {
        return Verdict::NotApplicable;
    };
    let ids: Vec<&str> = members
        .iter()
        .filter_map(|m| m.get("value").and_then(Value::as_str))
        .collect();
    let twice: Vec<&str> = ids
        .iter()
        .enumerate()
        .filter(|(i, id)| ids[..*i].contains(id) && !ids[i + 1..].contains(id))
        .map(|(_, id)| *id)
        .collect();
    if twice.is_empty() {
        Verdict::Pass
    } else {
        Verdict::Fail(format!(
            "member(s) {} listed more than once ({} entries for {} distinct members)",
            twice.join(", "),
            ids.len(),
            distinct(&ids)
        ))
    }
}

fn distinct(ids: &[&str]) -> usize {
    let mut sorted = ids.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    sorted.len()
}

/// `meta.location` of a returned resource is present and absolute.
pub fn meta_location(body: Option<&Value>) -> Verdict {
    let Some(resource) = body.filter(|b| b.get("id").is_some()) else {
        return Verdict::NotApplicable;
    };
    match resource.pointer("/meta/location") {
        Some(Value::String(l)) if l.starts_with("https://") || l.starts_with("http://") => {
            Verdict::Pass
        }
        Some(Value::String(l)) => {
            Verdict::Fail(format!("meta.location {l:?} is not an absolute URL"))
        }
        Some(v) => Verdict::Fail(format!("meta.location is {}", kind_of(v))),
        None => Verdict::Fail("the returned resource has no meta.location".into()),
    }
}

/// After a successful PUT that echoed `meta` (Okta builds its PUT from the GET), a verifying read
/// whose `meta.version` moved (the server itself says the resource changed) shows a moved
/// `meta.lastModified` too. Without a version to compare, a PUT that changed nothing could rightly
/// keep the timestamp, so the check does not judge.
pub fn last_modified_moves(input: &CheckInput) -> Verdict {
    let Some(write) = input.verified else {
        return Verdict::NotApplicable;
    };
    if write.request.method != Method::Put
        || !write.status().is_some_and(|s| (200..300).contains(&s))
    {
        return Verdict::NotApplicable;
    }
    let Some(before) = write
        .request
        .body
        .as_deref()
        .and_then(|b| serde_json::from_str::<Value>(b).ok())
        .and_then(|b| b.get("meta").cloned())
    else {
        return Verdict::NotApplicable;
    };
    let Some(after) = input.exchange.json().and_then(|b| b.get("meta")) else {
        return Verdict::NotApplicable;
    };
    let field = |m: &Value, k: &str| m.get(k).filter(|v| !v.is_null()).cloned();
    match (
        field(&before, "version"),
        field(after, "version"),
        field(&before, "lastModified"),
        field(after, "lastModified"),
    ) {
        (Some(v0), Some(v1), Some(t0), Some(t1)) if v0 != v1 && t0 == t1 => {
            frozen_verdict(&t1, write)
        }
        (Some(_), Some(_), Some(_), Some(_)) => Verdict::Pass,
        _ => Verdict::NotApplicable,
    }
}

/// An unchanged `lastModified` is only evidence of a frozen clock once the server's own clock
/// (the write response's `Date`) is at least [`CLOCK_GRANULARITY`] past it: a correct server
/// that stamps whole seconds (or a fast one that wrote within the same millisecond) keeps the
/// same value for writes that close together.
fn frozen_verdict(at: &Value, write: &Exchange) -> Verdict {
    let stamped = at
        .as_str()
        .and_then(|t| humantime::parse_rfc3339_weak(t).ok());
    let server_now = write
        .response
        .as_ref()
        .and_then(|r| r.header("date"))
        .and_then(|d| httpdate::parse_http_date(d).ok());
    let (Some(stamped), Some(server_now)) = (stamped, server_now) else {
        return Verdict::NotApplicable; // no way to tell a frozen clock from a coarse one
    };
    match server_now.duration_since(stamped) {
        Ok(elapsed) if elapsed >= CLOCK_GRANULARITY => Verdict::Fail(format!(
            "meta.version changed but meta.lastModified is still {at} after the {} answered {} (the server's Date says {}s later)",
            write.request.method,
            write.status().unwrap_or(0),
            elapsed.as_secs()
        )),
        _ => Verdict::NotApplicable,
    }
}

/// How far the server's clock must be past an unchanged `lastModified` before it counts as
/// frozen (whole-second timestamps, and an HTTP `Date` that is itself whole seconds).
const CLOCK_GRANULARITY: std::time::Duration = std::time::Duration::from_secs(2);

pub fn retry_after(exchanges: &[Exchange]) -> Verdict {
    for ex in exchanges.iter().filter(|e| e.status() == Some(429)) {
        let header = ex.response.as_ref().and_then(|r| r.header("retry-after"));
        if header.is_none_or(|h| h.trim().parse::<u64>().is_err()) {
            return Verdict::Fail(format!(
                "429 with Retry-After {}: Okta then waits 5 minutes before retrying",
                header.map_or("absent".into(), |h| format!("{h:?}"))
            ));
        }
    }
    Verdict::Pass
}
