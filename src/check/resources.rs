//! Checks on the shape of User and Group resources and on rate-limit answers.

use super::rules::{Verdict, kind_of};
use crate::replay::exchange::Exchange;
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

pub fn group_shape(body: Option<&Value>, is_read: bool) -> Verdict {
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
        None | Some(Value::Null) if !is_read => {}
        None | Some(Value::Null) => {
            bad.push("no `members` array (Okta reads members before PUT-dialect writes)".into())
        }
        Some(v) => bad.push(format!("`members` is {}", kind_of(v))),
    }
    if bad.is_empty() {
        Verdict::Pass
    } else {
        Verdict::Fail(format!("the Group has {}", bad.join(", ")))
    }
}

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
