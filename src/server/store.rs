//! The in-memory data: stored resources in creation order, the case-insensitive userName and
//! displayName indexes, and the user → groups membership index.

use super::schema::ResourceKind;
use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::time::SystemTime;

/// One stored User or Group. `attrs` holds client-writable attributes under their canonical
/// schema names (extension attributes under their URN), including the write-only `password`.
#[derive(Debug, Clone, PartialEq)]
pub struct Resource {
    pub id: String,
    /// Creation sequence number: list order.
    pub seq: u64,
    pub attrs: Map<String, Value>,
    pub created: SystemTime,
    pub modified: SystemTime,
    pub version: u64,
}

impl Resource {
    /// The string attribute `name`, if set.
    pub fn str_attr(&self, name: &str) -> Option<&str> {
        self.attrs.get(name).and_then(Value::as_str)
    }

    /// Ids of the members of a group (empty for users).
    pub fn member_ids(&self) -> impl Iterator<Item = &str> {
        self.attrs
            .get("members")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|m| m.get("value").and_then(Value::as_str))
    }
}

#[derive(Debug, Default, Clone)]
struct Table {
    by_id: HashMap<String, Resource>,
    order: BTreeMap<u64, String>,
    /// lower-cased userName / displayName → ids (several only under `no-duplicate-409`).
    names: HashMap<String, Vec<String>>,
}

/// Users and groups with their indexes.
#[derive(Debug, Default, Clone)]
pub struct Store {
    users: Table,
    groups: Table,
    /// user id → ids of the groups listing it as a member.
    memberships: HashMap<String, BTreeSet<String>>,
    /// Lower-cased userNames of deleted users that stay taken (`user-delete-reserves-username`).
    reserved: BTreeSet<String>,
    next_seq: u64,
}

/// The attribute indexed for uniqueness.
pub fn name_attr(kind: ResourceKind) -> &'static str {
    match kind {
        ResourceKind::User => "userName",
        ResourceKind::Group => "displayName",
    }
}

impl Store {
    fn table(&self, kind: ResourceKind) -> &Table {
        match kind {
            ResourceKind::User => &self.users,
            ResourceKind::Group => &self.groups,
        }
    }

    fn table_mut(&mut self, kind: ResourceKind) -> &mut Table {
        match kind {
            ResourceKind::User => &mut self.users,
            ResourceKind::Group => &mut self.groups,
        }
    }

    /// Keeps a deleted user's userName taken.
    pub fn reserve(&mut self, user_name: &str) {
        self.reserved.insert(user_name.to_lowercase());
    }

    pub fn is_reserved(&self, user_name: &str) -> bool {
        self.reserved.contains(&user_name.to_lowercase())
    }

    /// A fresh creation sequence number.
    pub fn next_seq(&mut self) -> u64 {
        self.next_seq += 1;
        self.next_seq
    }

    pub fn get(&self, kind: ResourceKind, id: &str) -> Option<&Resource> {
        self.table(kind).by_id.get(id)
    }

    pub fn len(&self, kind: ResourceKind) -> usize {
        self.table(kind).by_id.len()
    }

    /// Resources in creation order.
    pub fn iter(&self, kind: ResourceKind) -> impl Iterator<Item = &Resource> {
        let t = self.table(kind);
        t.order.values().filter_map(|id| t.by_id.get(id))
    }

    /// Ids whose userName/displayName equals `name` case-insensitively, in creation order.
    pub fn ids_by_name(&self, kind: ResourceKind, name: &str) -> Vec<&Resource> {
        let t = self.table(kind);
        let mut v: Vec<&Resource> = t
            .names
            .get(&name.to_lowercase())
            .into_iter()
            .flatten()
            .filter_map(|id| t.by_id.get(id))
            .collect();
        v.sort_by_key(|r| r.seq);
        v
    }

    /// Ids of the groups a user belongs to.
    pub fn groups_of(&self, user_id: &str) -> impl Iterator<Item = &Resource> {
        self.memberships
            .get(user_id)
            .into_iter()
            .flatten()
            .filter_map(|gid| self.groups.by_id.get(gid))
    }

    /// Inserts or replaces a resource, maintaining every index.
    pub fn put(&mut self, kind: ResourceKind, res: Resource) {
        self.remove(kind, &res.id.clone());
        let key = res.str_attr(name_attr(kind)).map(str::to_lowercase);
        if kind == ResourceKind::Group {
            for uid in res.member_ids() {
                self.memberships
                    .entry(uid.to_string())
                    .or_default()
                    .insert(res.id.clone());
            }
        }
        let t = self.table_mut(kind);
        if let Some(key) = key {
            t.names.entry(key).or_default().push(res.id.clone());
        }
        t.order.insert(res.seq, res.id.clone());
        t.by_id.insert(res.id.clone(), res);
    }

    /// Removes a resource from the table and its indexes (memberships pointing at a removed user
    /// are left to the caller, which rewrites the groups).
    pub fn remove(&mut self, kind: ResourceKind, id: &str) -> Option<Resource> {
        let t = self.table_mut(kind);
        let old = t.by_id.remove(id)?;
        t.order.remove(&old.seq);
        if let Some(key) = old.str_attr(name_attr(kind)).map(str::to_lowercase)
            && let Some(ids) = t.names.get_mut(&key)
        {
            ids.retain(|i| i != id);
            if ids.is_empty() {
                t.names.remove(&key);
            }
        }
        if kind == ResourceKind::Group {
            for uid in old.member_ids() {
                if let Some(set) = self.memberships.get_mut(uid) {
                    set.remove(id);
                    if set.is_empty() {
                        self.memberships.remove(uid);
                    }
                }
            }
        }
        Some(old)
    }

    /// Applies a resource-level change: `Some` upserts, `None` deletes.
    pub fn apply(&mut self, kind: ResourceKind, id: &str, res: Option<Resource>) {
        match res {
            Some(r) => self.put(kind, r),
            None => {
                self.remove(kind, id);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn res(id: &str, seq: u64, attrs: Value) -> Resource {
        Resource {
            id: id.into(),
            seq,
            attrs: attrs.as_object().unwrap().clone(),
            created: SystemTime::UNIX_EPOCH,
            modified: SystemTime::UNIX_EPOCH,
            version: 1,
        }
    }

    #[test]
    fn indexes_follow_writes() {
        let mut s = Store::default();
        s.put(
            ResourceKind::User,
            res("u1", 1, json!({"userName": "Alice"})),
        );
        s.put(ResourceKind::User, res("u2", 2, json!({"userName": "bob"})));
        assert_eq!(s.ids_by_name(ResourceKind::User, "ALICE")[0].id, "u1");
        s.put(
            ResourceKind::Group,
            res(
                "g1",
                3,
                json!({"displayName": "G", "members": [{"value": "u1"}]}),
            ),
        );
        assert_eq!(s.groups_of("u1").count(), 1);
        s.put(
            ResourceKind::Group,
            res("g1", 3, json!({"displayName": "G", "members": []})),
        );
        assert_eq!(s.groups_of("u1").count(), 0);
        s.put(
            ResourceKind::User,
            res("u1", 1, json!({"userName": "carol"})),
        );
        assert!(s.ids_by_name(ResourceKind::User, "alice").is_empty());
        assert_eq!(
            s.iter(ResourceKind::User)
                .map(|r| r.id.as_str())
                .collect::<Vec<_>>(),
            ["u1", "u2"]
        );
        s.remove(ResourceKind::User, "u1");
        assert_eq!(s.len(ResourceKind::User), 1);
    }
}
