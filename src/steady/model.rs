//! Okta's side of the steady state: the app-user profiles Okta keeps for the users and the group
//! it provisions during a steady-state run, built from the profile's mappings exactly as Okta
//! would send them, plus the Okta-side changes the run pushes.
//!
//! The modeled users are chosen so that every storage bug shows: user1 has a mixed-case email,
//! a `displayName` that is a nickname (not `givenName familyName`), a locale and (where the
//! profile allows it) a secondary email, so re-ordering is visible; user2 is plain.

use crate::okta::requests::{self, NewUser};
use crate::profile::Profile;
use crate::replay::render::random_alnum;
use serde_json::{Map, Value, json};

/// Keys of a user body that are never part of Okta's app-user profile comparison.
const NOT_PROFILE: &[&str] = &["schemas", "groups", "password", "id", "meta"];

/// One user as Okta knows it.
#[derive(Debug, Clone)]
pub struct OktaUser {
    /// Short label used in reports (`user1`).
    pub key: String,
    /// The POST body Okta sends (shaped by the profile's mappings).
    pub create_body: Value,
    /// The server's id, once created.
    pub id: Option<String>,
    /// Notes on shapes the harness inferred rather than took from a capture.
    pub inferred: Vec<String>,
}

impl OktaUser {
    /// Okta's app-user profile: the attributes Okta compares and pushes (no password, groups,
    /// schemas).
    pub fn profile(&self) -> Value {
        let mut out = self.create_body.clone();
        if let Value::Object(map) = &mut out {
            map.retain(|k, _| !NOT_PROFILE.iter().any(|n| n.eq_ignore_ascii_case(k)));
        }
        out
    }

    /// Applies an Okta-side change to a profile attribute (`name.givenName`), when mapped.
    pub fn change(&mut self, path: &str, value: Value) -> bool {
        let Some((top, sub)) = path.split_once('.') else {
            return set_if_present(&mut self.create_body, path, value);
        };
        match self.create_body.get_mut(top) {
            Some(inner) => set_if_present(inner, sub, value),
            None => false,
        }
    }

    pub fn user_name(&self) -> &str {
        self.create_body
            .get("userName")
            .and_then(Value::as_str)
            .unwrap_or_default()
    }
}

fn set_if_present(target: &mut Value, key: &str, value: Value) -> bool {
    match target.get_mut(key) {
        Some(slot) => {
            *slot = value;
            true
        }
        None => false,
    }
}

/// One group as Okta pushes it.
#[derive(Debug, Clone)]
pub struct OktaGroup {
    pub key: String,
    pub display_name: String,
    /// Member user keys.
    pub members: Vec<String>,
    pub id: Option<String>,
}

/// Okta's model of the run's users and groups.
#[derive(Debug, Clone)]
pub struct Model {
    /// The app profile that shapes every request Okta sends.
    pub profile: Profile,
    pub users: Vec<OktaUser>,
    pub groups: Vec<OktaGroup>,
}

impl Model {
    /// The modeled users and group for `profile`; `run_id` keeps names unique per run.
    pub fn new(profile: &Profile, run_id: &str) -> Model {
        let users = vec![nickname_user(profile, run_id), plain_user(profile, run_id)];
        let group = OktaGroup {
            key: "group1".into(),
            display_name: format!("Steady State {run_id}"),
            members: users.iter().map(|u| u.key.clone()).collect(),
            id: None,
        };
        Model {
            profile: profile.clone(),
            users,
            groups: vec![group],
        }
    }

    pub fn user(&self, key: &str) -> Option<&OktaUser> {
        self.users.iter().find(|u| u.key == key)
    }

    pub fn user_mut(&mut self, key: &str) -> Option<&mut OktaUser> {
        self.users.iter_mut().find(|u| u.key == key)
    }

    /// Server ids of a group's members (those created).
    pub fn member_ids(&self, group: &OktaGroup) -> Vec<(String, String)> {
        group
            .members
            .iter()
            .filter_map(|k| self.user(k))
            .filter_map(|u| u.id.clone().map(|id| (id, u.user_name().to_string())))
            .collect()
    }

    /// Every inferred-shape note, once.
    pub fn inferred(&self) -> Vec<String> {
        let mut out: Vec<String> = self
            .users
            .iter()
            .flat_map(|u| u.inferred.iter().cloned())
            .collect();
        out.dedup();
        out
    }
}

/// Okta's POST body for a group (`crate::okta::requests::group_create`).
pub fn group_body(model: &Model, group: &OktaGroup) -> Value {
    requests::group_create(&group.display_name, &model.member_ids(group))
}

struct Person<'a> {
    key: &'a str,
    given: &'a str,
    family: &'a str,
    middle: &'a str,
    display: &'a str,
    /// Local part of the work email, case kept as Okta has it.
    email_local: String,
    title: &'a str,
}

fn nickname_user(profile: &Profile, run_id: &str) -> OktaUser {
    let mut user = person(
        profile,
        run_id,
        &Person {
            key: "user1",
            given: "Robert",
            family: "Smith",
            middle: "James",
            display: "Bob Smith",
            email_local: format!("Robert.Smith.{run_id}"),
            title: "Site Reliability Engineer",
        },
    );
    let maps_emails = profile.mapped_attributes.iter().any(|m| m == "emails");
    if maps_emails && profile.secondary_emails {
        let mut secondary = Map::new();
        secondary.insert("primary".into(), json!(false));
        secondary.insert("value".into(), json!(format!("bob.{run_id}@Home.example")));
        if profile.mapped_attributes.iter().any(|m| m == "emails.type") {
            secondary.insert("type".into(), json!("home"));
        }
        if let Some(Value::Array(emails)) = user.create_body.get_mut("emails") {
            emails.push(Value::Object(secondary));
        }
        user.inferred.push(
            "user1 carries a secondary email (primary false, type home): Okta sends one when the \
             app-user profile has a secondary email mapped; the shape is inferred, not captured"
                .into(),
        );
    }
    user
}

fn plain_user(profile: &Profile, run_id: &str) -> OktaUser {
    person(
        profile,
        run_id,
        &Person {
            key: "user2",
            given: "Alice",
            family: "Jones",
            middle: "",
            display: "Alice Jones",
            email_local: format!("alice.jones.{run_id}"),
            title: "Analyst",
        },
    )
}

/// The create body of the `i`-th user of a load run (`scimreplay load`), shaped by `profile`.
pub fn load_user(profile: &Profile, run_id: &str, i: usize) -> Value {
    let family = format!("User{i}");
    let display = format!("Load User{i}");
    person(
        profile,
        run_id,
        &Person {
            key: "load",
            given: "Load",
            family: &family,
            middle: "",
            display: &display,
            email_local: format!("load.user{i}.{run_id}"),
            title: "Engineer",
        },
    )
    .create_body
}

fn person(profile: &Profile, run_id: &str, p: &Person) -> OktaUser {
    let email = format!("{}@Example.com", p.email_local);
    let login = format!("{}.{}.{run_id}@okta.example", p.given, p.family).to_lowercase();
    let user_name = match profile.unique_identifier {
        crate::profile::UniqueIdentifier::UserName => login,
        crate::profile::UniqueIdentifier::Email => email.clone(),
    };
    let (external_id, password) = (format!("00u{}", random_alnum(17)), random_alnum(8));
    let user = NewUser {
        user_name: &user_name,
        given_name: p.given,
        family_name: p.family,
        middle_name: p.middle,
        email: &email,
        display_name: p.display,
        locale: "en-US",
        title: p.title,
        external_id: &external_id,
        password: &password,
        enterprise: Map::new(),
    };
    OktaUser {
        key: p.key.to_string(),
        create_body: requests::user_create(profile, &user),
        id: None,
        inferred: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secondary_email_only_where_the_profile_allows_it() {
        let aiw = Model::new(&Profile::resolve("okta-aiw").unwrap(), "r1");
        let emails = aiw.users[0].create_body["emails"].as_array().unwrap();
        assert_eq!(emails.len(), 2);
        assert_eq!(emails[1]["type"], json!("home"));
        assert!(!aiw.inferred().is_empty());
        let pulumi = Model::new(&Profile::resolve("pulumi").unwrap(), "r1");
        assert_eq!(
            pulumi.users[0].create_body["emails"]
                .as_array()
                .unwrap()
                .len(),
            1
        );
        assert!(pulumi.users[0].create_body.get("locale").is_none());
    }

    #[test]
    fn profile_drops_what_okta_does_not_compare() {
        let m = Model::new(&Profile::resolve("okta-aiw").unwrap(), "r1");
        let p = m.users[0].profile();
        assert!(p.get("password").is_none() && p.get("groups").is_none());
        assert_eq!(p["displayName"], json!("Bob Smith"));
        let mut u = m.users[1].clone();
        assert!(u.change("name.givenName", json!("Ali")));
        assert_eq!(u.profile()["name"]["givenName"], json!("Ali"));
        assert!(!u.change("nickName", json!("x")));
    }
}
