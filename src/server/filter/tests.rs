//! Unit tests of the filter parser and evaluator, including odd inputs that must never panic.

use super::*;
use serde_json::json;

fn ctx() -> EvalContext {
    EvalContext {
        kind: ResourceKind::User,
        force_case_exact: false,
    }
}

fn user() -> Value {
    json!({
        "id": "abc-123",
        "externalId": "00uXYZ",
        "userName": "Test.User@okta.local",
        "name": {"givenName": "Test", "familyName": "User"},
        "active": true,
        "emails": [{"value": "test@work.example", "type": "work", "primary": true},
                   {"value": "home@home.example", "type": "home"}],
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"department": "R&D"},
        "meta": {"created": "2024-01-02T03:04:05.006Z"}
    })
}

fn m(f: &str) -> bool {
    parse(f)
        .unwrap_or_else(|e| panic!("{f}: {e}"))
        .matches(&user(), &ctx())
}

#[test]
fn operators_and_case_rules() {
    assert!(m(r#"userName eq "test.user@okta.local""#));
    assert!(m(r#"USERNAME EQ "TEST.USER@OKTA.LOCAL""#));
    assert!(!m(r#"externalId eq "00uxyz""#));
    assert!(m(r#"externalId eq "00uXYZ""#));
    assert!(!m(r#"id eq "ABC-123""#));
    assert!(m(r#"userName co "user@""#));
    assert!(m(r#"userName sw "test""#));
    assert!(m(r#"userName ew "LOCAL""#));
    assert!(m(r#"userName ne "x""#));
    assert!(m("title eq null"));
    assert!(m("active eq true"));
    assert!(!m("active eq false"));
    assert!(m("name.givenName pr"));
    assert!(!m("title pr"));
    assert!(m(r#"meta.created gt "2024-01-01T00:00:00Z""#));
    assert!(m(r#"meta.created lt "2024-01-02T03:04:05.007Z""#));
    assert!(m(r#"emails[type eq "work"].value eq "TEST@work.example""#));
    assert!(!m(r#"emails[type eq "home"].value eq "test@work.example""#));
    assert!(m(r#"emails[type eq "work" and value co "@"]"#));
    assert!(m(r#"emails eq "home@home.example""#));
    assert!(m(r#"emails.value eq "home@home.example""#));
    assert!(m(
        r#"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department eq "r&d""#
    ));
    assert!(m(
        r#"urn:ietf:params:scim:schemas:core:2.0:User:userName eq "test.user@okta.local""#
    ));
    assert!(m(
        r#"not (userName eq "x") and (active eq false or name.familyName eq "user")"#
    ));
    assert!(m(r#"userName eq "x" or userName eq "y" or active eq true"#));
    assert!(!m(
        r#"userName eq "x" or active eq true and userName eq "y""#
    ));
}

#[test]
fn escaped_quotes_and_numbers() {
    let f = parse(r#"displayName eq "a \"quoted\" \\ name""#).unwrap();
    assert_eq!(
        f,
        Filter::Compare(
            AttrPath::parse("displayName").unwrap(),
            CompareOp::Eq,
            Literal::Str("a \"quoted\" \\ name".into())
        )
    );
    assert!(parse("x gt -1.5e3").is_ok());
}

#[test]
fn errors_say_where() {
    let e = parse(r#"userName eq"#).unwrap_err();
    assert!(e.message.contains("expected a value"), "{e}");
    let e = parse(r#"userName xx "a""#).unwrap_err();
    assert_eq!(e.position, 10);
    assert!(parse(r#"(userName eq "a""#).is_err());
    assert!(parse(r#"userName eq "a" garbage"#).is_err());
}

#[test]
fn odd_inputs_never_panic() {
    let mut odd: Vec<String> = [
        "",
        " ",
        "(",
        ")",
        "[",
        "]",
        "\"",
        "\\",
        "eq",
        "and",
        "not",
        "not(",
        "not ()",
        "a[",
        "a[]",
        "a[b eq 1",
        "a[b eq 1]]",
        "a[b eq 1].",
        "a[b eq 1].c",
        "a[b eq 1].c eq",
        "a.b.c eq 1",
        "urn:",
        "urn:x",
        "urn:x:",
        "a eq \"\\u12\"",
        "a eq \"\\uZZZZ\"",
        "a eq \"\\q\"",
        "a eq --1",
        "a eq 1e999",
        "é eq 1",
        "a eq \"é\"",
        "a pr pr",
        "a eq 1 and",
        "or",
        "a eq 1 or or",
        "userName eq \"x\u{0}\"",
        "((((((((((a pr))))))))))",
        "a[b[c eq 1] eq 1]",
        "a eq tru",
        "$ref eq \"x\"",
        "a.$ref pr",
        "-",
        ".",
        "..",
        "a..b pr",
        "a eq \"unterminated",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    odd.push("(".repeat(10_000));
    odd.push("not (".repeat(5_000));
    odd.push("a[".repeat(5_000));
    odd.push(format!("{}a pr{}", "(".repeat(40), ")".repeat(40)));
    let bytes: Vec<u8> = (0u32..2000)
        .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8)
        .collect();
    for chunk in bytes.chunks(17) {
        odd.push(String::from_utf8_lossy(chunk).into_owned());
        let mapped: String = chunk
            .iter()
            .map(|b| {
                let a = b" ()[]\"\\.aeqnorpt:$-1";
                a[(*b as usize) % a.len()] as char
            })
            .collect();
        odd.push(mapped);
    }
    for s in &odd {
        if let Ok(f) = parse(s) {
            let _ = f.matches(&user(), &ctx());
        }
    }
    assert!(
        parse(&"(".repeat(10_000))
            .unwrap_err()
            .message
            .contains("deeply")
    );
}
