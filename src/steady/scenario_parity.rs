//! The steady-state pass and the load mode send what the scenarios send: each builder of
//! `crate::okta::requests` they use is held, byte for byte, to the request the YAML scenario
//! renders for the same profile and values.

use crate::okta::requests::{self, NewUser};
use crate::profile::Profile;
use crate::replay::render::{RenderContext, render_request, scenario_vars};
use crate::scenario::template::{Vars, as_text};
use crate::scenario::{Scenario, load_file};
use serde_json::{Map, Value, json};
use std::path::Path;

const BASE: &str = "http://127.0.0.1:1/scim/v2";

fn load(name: &str) -> Scenario {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("scenarios/okta/{name}.yaml"));
    load_file(&path, &|_: &str| true).expect("built-in scenario loads")
}

fn text(vars: &Vars, name: &str) -> String {
    as_text(&vars.get(name).unwrap_or_else(|| panic!("{name} set")).value)
}

/// Renders `step` of `scenario` (echo: `read` for any `body_from`); returns its path and
/// query relative to the base URL, and its body.
fn render(
    scenario: &Scenario,
    profile: &Profile,
    vars: &Vars,
    step: &str,
    read: &Value,
) -> (String, Option<String>) {
    let spec = &scenario
        .def
        .steps
        .iter()
        .find(|s| s.name == step)
        .unwrap_or_else(|| panic!("{step} exists"))
        .request;
    let echo = |_: &str| Some(read.clone());
    let ctx = RenderContext {
        base_url: BASE,
        credentials: None,
        profile,
        scenario,
        echo: &echo,
    };
    let request = render_request(step, spec, vars, &ctx).expect("renders");
    assert_eq!(
        request.headers,
        requests::okta_headers(request.body.is_some()),
        "Okta's headers"
    );
    let target = request.url.strip_prefix(BASE).unwrap().to_string();
    (target, request.body)
}

fn wire(body: &Value) -> Option<String> {
    Some(serde_json::to_string(body).unwrap())
}

/// Alice as the scenario knows her, in the builders' terms.
fn alice<'v>(vars: &'v [String; 10], enterprise: Map<String, Value>) -> NewUser<'v> {
    NewUser {
        user_name: &vars[0],
        given_name: &vars[1],
        family_name: &vars[2],
        middle_name: &vars[3],
        email: &vars[4],
        display_name: &vars[5],
        locale: &vars[6],
        title: &vars[7],
        external_id: &vars[8],
        password: &vars[9],
        enterprise,
    }
}

fn alice_values(vars: &Vars) -> [String; 10] {
    [
        "user_name",
        "given_name",
        "family_name",
        "middle_name",
        "email",
        "display_name",
        "locale",
        "title",
        "external_id",
        "password",
    ]
    .map(|f| text(vars, &format!("alice.{f}")))
}

/// A profile that also maps the enterprise extension, so its shaping is compared too.
fn with_enterprise(mut profile: Profile) -> Profile {
    let urn = crate::profile::ENTERPRISE_USER;
    profile
        .mapped_attributes
        .extend([format!("{urn}:department"), format!("{urn}:employeeNumber")]);
    profile
}

fn profiles() -> Vec<Profile> {
    let mut all = Profile::builtins();
    all.push(with_enterprise(Profile::resolve("okta-aiw").unwrap()));
    all
}

#[test]
fn the_user_create_body_is_the_scenarios() {
    let sc = load("push-new-user");
    for profile in profiles() {
        let vars = scenario_vars(&sc, &profile, "r1").unwrap();
        let (target, body) = render(&sc, &profile, &vars, "create-alice", &Value::Null);
        assert_eq!(target, "/Users");
        let mut enterprise = Map::new();
        enterprise.insert("department".into(), json!(text(&vars, "department")));
        enterprise.insert(
            "employeeNumber".into(),
            json!(text(&vars, "employee_number")),
        );
        let values = alice_values(&vars);
        let built = requests::user_create(&profile, &alice(&values, enterprise));
        assert_eq!(body, wire(&built), "profile {}", profile.name);
        let (filter, _) = render(&sc, &profile, &vars, "check-alice-exists", &Value::Null);
        assert_eq!(filter, requests::user_filter(&values[0]));
    }
}

#[test]
fn the_profile_push_body_is_the_scenarios() {
    let sc = load("deactivate");
    for profile in profiles() {
        let mut vars = scenario_vars(&sc, &profile, "r1").unwrap();
        vars.set("alice.id", json!("u-1"));
        let values = alice_values(&vars);
        // What the server answered to the GET: Okta's create as stored, plus its own fields.
        let mut read = requests::user_create(&profile, &alice(&values, Map::new()));
        read["id"] = json!("u-1");
        read["meta"] = json!({"resourceType": "User"});
        read["nickName"] = json!("Al");
        let (target, body) = render(&sc, &profile, &vars, "put-alice-inactive", &read);
        assert_eq!(target, "/Users/u-1");
        let mut changes = Map::new();
        changes.insert("active".into(), json!(false));
        let built = requests::user_push(&profile, read.clone(), changes).unwrap();
        assert_eq!(body, wire(&built), "profile {}", profile.name);
        let (_, patch) = render(&sc, &profile, &vars, "patch-alice-inactive", &read);
        assert_eq!(patch, wire(&requests::set_active(false)));
    }
    let sc = load("reactivate");
    let profile = Profile::resolve("okta-oin").unwrap();
    let mut vars = scenario_vars(&sc, &profile, "r1").unwrap();
    vars.set("alice.id", json!("u-1"));
    let patched = sc
        .def
        .steps
        .iter()
        .filter(|s| s.request.method == crate::scenario::Method::Patch)
        .map(|s| render(&sc, &profile, &vars, &s.name, &Value::Null).1)
        .collect::<Vec<_>>();
    assert!(patched.contains(&wire(&requests::set_active(true))));
}

#[test]
fn group_bodies_are_the_scenarios() {
    let sc = load("group-membership");
    let profile = Profile::resolve("okta-oin").unwrap();
    let mut vars = scenario_vars(&sc, &profile, "r1").unwrap();
    for (user, id) in [("alice", "u-a"), ("bob", "u-b"), ("carol", "u-c")] {
        vars.set(format!("{user}.id"), json!(id));
    }
    vars.set("eng.id", json!("g-1"));
    let member = |user: &str| {
        (
            text(&vars, &format!("{user}.id")),
            text(&vars, &format!("{user}.user_name")),
        )
    };
    let name = text(&vars, "eng.display_name");
    let none = Value::Null;
    let step = |step: &str, read: &Value| render(&sc, &profile, &vars, step, read).1;
    let (filter, _) = render(&sc, &profile, &vars, "check-eng-exists", &none);
    assert_eq!(filter, requests::group_filter(&name));
    assert_eq!(
        step("create-eng-with-alice", &none),
        wire(&requests::group_create(&name, &[member("alice")]))
    );
    assert_eq!(
        step("patch-eng-rename-2", &none),
        wire(&requests::patch(vec![requests::rename_op("g-1", &name)]))
    );
    assert_eq!(
        step("patch-eng-add-bob-carol", &none),
        wire(&requests::patch(vec![requests::add_members_op(&[
            member("bob"),
            member("carol")
        ])]))
    );
    assert_eq!(
        step("patch-eng-remove-and-add", &none),
        wire(&requests::patch(vec![
            requests::remove_member_op("u-a"),
            requests::remove_member_op("u-c"),
            requests::add_members_op(&[member("bob")]),
        ]))
    );
    let read = json!({"schemas": [requests::GROUP_SCHEMA], "id": "g-1", "displayName": name,
        "members": [{"value": "u-a"}], "meta": {"resourceType": "Group"}});
    let all = [member("alice"), member("bob"), member("carol")];
    assert_eq!(
        step("put-eng-2", &read),
        wire(&requests::group_push(read.clone(), &name, &all))
    );
    let push_now = load("group-push-now");
    let mut vars = scenario_vars(&push_now, &profile, "r1").unwrap();
    vars.set("alice.id", json!("u-a"));
    vars.set("bob.id", json!("u-b"));
    vars.set("eng.id", json!("g-1"));
    let pair = |user: &str| {
        (
            text(&vars, &format!("{user}.id")),
            text(&vars, &format!("{user}.user_name")),
        )
    };
    let (_, body) = render(
        &push_now,
        &profile,
        &vars,
        "patch-eng-replace-members",
        &none,
    );
    assert_eq!(
        body,
        wire(&requests::patch(vec![requests::replace_members_op(&[
            pair("alice"),
            pair("bob")
        ])]))
    );
    let empty = load("group-push-create");
    let vars = scenario_vars(&empty, &profile, "r1").unwrap();
    let (_, body) = render(&empty, &profile, &vars, "create-eng", &none);
    assert_eq!(body, wire(&requests::group_create(&name, &[])));
}
