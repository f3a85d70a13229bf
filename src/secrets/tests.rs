//! Unit and property tests of the scrubber and the write guard's leak test.

use super::*;
use proptest::prelude::*;

fn token(value: &str) -> Vec<Secret> {
    vec![Secret::new("token", value)]
}

#[test]
fn scrubs_every_occurrence() {
    assert_eq!(
        scrub("Bearer abc123 and abc123!", &token("abc123")),
        "Bearer [secret:token] and [secret:token]!"
    );
}

#[test]
fn short_secrets_match_only_whole_words() {
    let secrets = token("T");
    assert_eq!(
        scrub("GET /Users at 2024-05-01T10:00Z; Bearer T, \"T\"", &secrets),
        "GET /Users at 2024-05-01T10:00Z; Bearer [secret:token], \"[secret:token]\""
    );
    assert_eq!(
        scrub("xxabcdefgh12yy", &token("abcdefgh12")),
        "xx[secret:token]yy",
        "long secrets match anywhere"
    );
}

#[test]
fn longest_secret_wins() {
    let secrets = vec![
        Secret::new("short", "pass"),
        Secret::new("long", "password1"),
    ];
    assert_eq!(
        scrub("password1 pass", &secrets),
        "[secret:long] [secret:short]"
    );
}

#[test]
fn empty_secret_values_are_ignored() {
    assert_eq!(scrub("unchanged", &token("")), "unchanged");
    assert_eq!(find_leak("unchanged", &token("")), None);
}

#[test]
fn handles_multibyte_text() {
    assert_eq!(scrub("aéé€€b€", &token("éé€€")), "a[secret:token]b€");
    assert_eq!(scrub("é aéb", &token("é")), "[secret:token] aéb");
}

#[test]
fn scrubs_escaped_and_encoded_echoes() {
    let secrets = token("ab/cd+ef=gh");
    let echoes = [
        r#"{"detail":"bad token ab\/cd\u002bef\u003dgh"}"#,
        "GET /x?t=ab%2Fcd%2Bef%3Dgh",
        "ab%2fcd%2bef%3dgh",
        r#"{"nested":"{\"t\":\"ab\\\/cd+ef=gh\"}"}"#,
        "<p>ab/cd&#43;ef&#x3D;gh</p>",
    ];
    for echo in echoes {
        let scrubbed = scrub(echo, &secrets);
        assert!(scrubbed.contains("[secret:token]"), "{echo} -> {scrubbed}");
        assert_eq!(find_leak(&scrubbed, &secrets), None, "{scrubbed}");
        assert!(find_leak(echo, &secrets).is_some(), "{echo}");
    }
}

#[test]
fn scrubbed_json_stays_json() {
    let secrets = token("ab\"cd\\ef/gh");
    let body = serde_json::json!({ "echo": "ab\"cd\\ef/gh", "n": 1 }).to_string();
    let scrubbed = scrub(&body, &secrets);
    let parsed: serde_json::Value = serde_json::from_str(&scrubbed).unwrap();
    assert_eq!(parsed["echo"], "[secret:token]");
}

#[test]
fn the_guard_ignores_markers_and_short_secrets() {
    for short in ["secret", "test", "token", "okta", "Users"] {
        let secrets = token(short);
        let report = "step test: GET /Users (okta profile) token [secret:token] secret";
        assert_eq!(find_leak(report, &secrets), None, "{short}");
    }
    let long = vec![Secret::new("token", "tokentoken")];
    assert_eq!(find_leak("[secret:token] [secret:token]", &long), None);
    assert!(find_leak("leaked tokentoken", &long).is_some());
}

#[test]
fn warns_only_for_short_secrets() {
    let warning = short_secret_warning(&Secret::new("token", "okta")).unwrap();
    assert!(
        warning.contains("4 characters") && warning.contains("cannot be fully redacted"),
        "{warning}"
    );
    assert_eq!(
        short_secret_warning(&Secret::new("token", "s3cr3t-value")),
        None
    );
}

#[test]
fn debug_never_shows_the_value() {
    let shown = format!("{:?}", Secret::new("token", "s3cr3t-value"));
    assert!(!shown.contains("s3cr3t"), "{shown}");
}

/// Every form a server may echo `value` in, as whole strings.
fn echoes(value: &str) -> Vec<String> {
    let json = serde_json::to_string(value).unwrap();
    let json = json[1..json.len() - 1].to_string();
    let slashes = json.replace('/', "\\/");
    let unicode: String = value
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_string()
            } else {
                format!("\\u{:04X}", c as u32)
            }
        })
        .collect();
    let percent: String = value.bytes().map(|b| format!("%{b:02x}")).collect();
    let form = value
        .replace('%', "%25")
        .replace('+', "%2B")
        .replace(' ', "+");
    let nested = serde_json::to_string(&json).unwrap();
    let nested = nested[1..nested.len() - 1].to_string();
    vec![
        value.to_string(),
        json,
        slashes,
        unicode,
        percent,
        form,
        nested,
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// No form of a random token with `/ + = " \` characters survives scrubbing, wherever the
    /// server puts it, and the write guard finds each form before scrubbing.
    #[test]
    fn no_form_of_a_token_survives(
        value in "[A-Za-z0-9/+=\"\\\\ ]{8,24}",
        before in "[a-z {}\":,]{0,8}",
        after in "[a-z {}\":,]{0,8}",
    ) {
        let secrets = token(&value);
        for echo in echoes(&value) {
            let text = format!("{before}{echo}{after}");
            prop_assert!(find_leak(&text, &secrets).is_some(), "guard missed {text:?}");
            let scrubbed = scrub(&text, &secrets);
            prop_assert_eq!(find_leak(&scrubbed, &secrets), None, "{:?} -> {:?}", text, scrubbed);
            for form in echoes(&value) {
                prop_assert!(!scrubbed.contains(&form), "{:?} left {:?} in {:?}", text, form, scrubbed);
            }
        }
    }

    /// Scrubbing never panics and leaves nothing for the guard to find, whatever the text.
    #[test]
    fn scrubbing_is_total(text in "\\PC{0,64}", value in "\\PC{8,12}") {
        let secrets = token(&value);
        let text = format!("{text}{value}{text}");
        let scrubbed = scrub(&text, &secrets);
        prop_assert_eq!(find_leak(&scrubbed, &secrets), None, "{:?}", scrubbed);
    }
}
