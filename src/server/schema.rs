//! SCIM attribute definitions (RFC 7643) for User (core + enterprise extension) and Group, the
//! case-insensitive lookup by attribute path, and the discovery documents built from them.

use serde_json::{Value, json};

/// Core User schema URN.
pub const USER_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
/// Enterprise User extension URN.
pub const ENTERPRISE_SCHEMA: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
/// Core Group schema URN.
pub const GROUP_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";
/// ListResponse message URN.
pub const LIST_RESPONSE: &str = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
/// Error message URN.
pub const ERROR_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:Error";
/// PatchOp message URN.
pub const PATCH_OP: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

/// Extension URN of the extra server-side attributes added by the `create-extra-attributes`
/// quirk. Incoming copies of it (echoed back by a PUT) are dropped.
pub const EXTRA_SCHEMA: &str = "urn:scimreplay:params:scim:schemas:extension:server:2.0:User";

/// SCIM attribute data types.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttrType {
    String,
    Boolean,
    Decimal,
    Integer,
    DateTime,
    Binary,
    Reference,
    Complex,
}

impl AttrType {
    /// The RFC 7643 spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            AttrType::String => "string",
            AttrType::Boolean => "boolean",
            AttrType::Decimal => "decimal",
            AttrType::Integer => "integer",
            AttrType::DateTime => "dateTime",
            AttrType::Binary => "binary",
            AttrType::Reference => "reference",
            AttrType::Complex => "complex",
        }
    }
}

/// Attribute mutability.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mutability {
    ReadOnly,
    ReadWrite,
    Immutable,
    WriteOnly,
}

impl Mutability {
    /// The RFC 7643 spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Mutability::ReadOnly => "readOnly",
            Mutability::ReadWrite => "readWrite",
            Mutability::Immutable => "immutable",
            Mutability::WriteOnly => "writeOnly",
        }
    }
}

/// When an attribute is returned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Returned {
    Always,
    Never,
    Default,
    Request,
}

impl Returned {
    /// The RFC 7643 spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Returned::Always => "always",
            Returned::Never => "never",
            Returned::Default => "default",
            Returned::Request => "request",
        }
    }
}

/// One attribute definition.
#[derive(Debug)]
pub struct AttrDef {
    pub name: &'static str,
    pub ty: AttrType,
    pub multi_valued: bool,
    pub mutability: Mutability,
    pub case_exact: bool,
    pub returned: Returned,
    pub required: bool,
    pub uniqueness: &'static str,
    pub description: &'static str,
    pub sub_attributes: &'static [AttrDef],
}

impl AttrDef {
    /// Finds a sub-attribute by name, case-insensitively.
    pub fn sub(&self, name: &str) -> Option<&'static AttrDef> {
        self.sub_attributes
            .iter()
            .find(|a| a.name.eq_ignore_ascii_case(name))
    }
}

const fn attr(name: &'static str, ty: AttrType, description: &'static str) -> AttrDef {
    AttrDef {
        name,
        ty,
        multi_valued: false,
        mutability: Mutability::ReadWrite,
        case_exact: false,
        returned: Returned::Default,
        required: false,
        uniqueness: "none",
        description,
        sub_attributes: &[],
    }
}

const fn s(name: &'static str, description: &'static str) -> AttrDef {
    attr(name, AttrType::String, description)
}

const fn ro(mut a: AttrDef) -> AttrDef {
    a.mutability = Mutability::ReadOnly;
    a
}

const fn exact(mut a: AttrDef) -> AttrDef {
    a.case_exact = true;
    a
}

const fn complex(
    name: &'static str,
    subs: &'static [AttrDef],
    description: &'static str,
) -> AttrDef {
    let mut a = attr(name, AttrType::Complex, description);
    a.sub_attributes = subs;
    a
}

const fn multi(mut a: AttrDef) -> AttrDef {
    a.multi_valued = true;
    a
}

const MULTI_SUBS: &[AttrDef] = &[
    s("value", "The attribute's significant value"),
    s("display", "A human-readable name"),
    s("type", "A label indicating the attribute's function"),
    attr("primary", AttrType::Boolean, "Marks the preferred value"),
];

const NAME_SUBS: &[AttrDef] = &[
    s("formatted", "The full name"),
    s("familyName", "The family name"),
    s("givenName", "The given name"),
    s("middleName", "The middle name(s)"),
    s("honorificPrefix", "The honorific prefix(es)"),
    s("honorificSuffix", "The honorific suffix(es)"),
];

const ADDRESS_SUBS: &[AttrDef] = &[
    s("formatted", "The full mailing address"),
    s("streetAddress", "The street address"),
    s("locality", "The city or locality"),
    s("region", "The state or region"),
    s("postalCode", "The zip code or postal code"),
    s("country", "The country name"),
    s("type", "A label indicating the address' function"),
    attr("primary", AttrType::Boolean, "Marks the preferred address"),
];

const fn reference(name: &'static str, description: &'static str) -> AttrDef {
    exact(attr(name, AttrType::Reference, description))
}

const GROUPS_SUBS: &[AttrDef] = &[
    ro(exact(s("value", "The id of the Group"))),
    ro(reference("$ref", "The URI of the Group")),
    ro(s("display", "The displayName of the Group")),
    ro(s("type", "direct or indirect")),
];

const MEMBER_SUBS: &[AttrDef] = &[
    exact(s("value", "The id of the member")),
    reference("$ref", "The URI of the member"),
    s("display", "A human-readable name of the member"),
    s("type", "User or Group"),
];

const MANAGER_SUBS: &[AttrDef] = &[
    exact(s("value", "The id of the manager")),
    reference("$ref", "The URI of the manager"),
    ro(s("displayName", "The displayName of the manager")),
];

const META_SUBS: &[AttrDef] = &[
    ro(exact(s("resourceType", "The resource type"))),
    ro(attr(
        "created",
        AttrType::DateTime,
        "When the resource was created",
    )),
    ro(attr(
        "lastModified",
        AttrType::DateTime,
        "When the resource was last modified",
    )),
    ro(reference("location", "The URI of the resource")),
    ro(exact(s("version", "The version (ETag) of the resource"))),
];

const fn required(mut a: AttrDef) -> AttrDef {
    a.required = true;
    a
}

const fn server_unique(mut a: AttrDef) -> AttrDef {
    a.uniqueness = "server";
    a
}

/// Attributes common to every resource (RFC 7643 §3.1).
pub const COMMON: &[AttrDef] = &[
    AttrDef {
        returned: Returned::Always,
        uniqueness: "server",
        ..ro(exact(s(
            "id",
            "Unique identifier issued by the service provider",
        )))
    },
    exact(s(
        "externalId",
        "Identifier issued by the provisioning client",
    )),
    ro(complex("meta", META_SUBS, "Resource metadata")),
];

/// Core User attributes (RFC 7643 §4.1).
pub const USER_ATTRS: &[AttrDef] = &[
    required(server_unique(s(
        "userName",
        "Unique identifier for the User",
    ))),
    complex("name", NAME_SUBS, "The components of the user's name"),
    s("displayName", "The name of the User, suitable for display"),
    s("nickName", "The casual way to address the user"),
    reference("profileUrl", "A URI of the User's online profile"),
    s("title", "The user's title"),
    s(
        "userType",
        "The relationship between the organization and the user",
    ),
    s(
        "preferredLanguage",
        "The User's preferred written or spoken language",
    ),
    s("locale", "The User's default location"),
    s("timezone", "The User's time zone in IANA format"),
    attr(
        "active",
        AttrType::Boolean,
        "The User's administrative status",
    ),
    AttrDef {
        mutability: Mutability::WriteOnly,
        returned: Returned::Never,
        ..exact(s("password", "The User's cleartext password"))
    },
    multi(complex(
        "emails",
        MULTI_SUBS,
        "Email addresses for the user",
    )),
    multi(complex(
        "phoneNumbers",
        MULTI_SUBS,
        "Phone numbers for the User",
    )),
    multi(complex(
        "ims",
        MULTI_SUBS,
        "Instant messaging addresses for the User",
    )),
    multi(complex("photos", MULTI_SUBS, "URLs of photos of the User")),
    multi(complex(
        "addresses",
        ADDRESS_SUBS,
        "A physical mailing address",
    )),
    ro(multi(complex(
        "groups",
        GROUPS_SUBS,
        "Groups the user belongs to",
    ))),
    multi(complex(
        "entitlements",
        MULTI_SUBS,
        "Entitlements for the User",
    )),
    multi(complex("roles", MULTI_SUBS, "Roles for the User")),
    multi(complex(
        "x509Certificates",
        MULTI_SUBS,
        "Certificates issued to the User",
    )),
];

/// Enterprise User extension attributes (RFC 7643 §4.3).
pub const ENTERPRISE_ATTRS: &[AttrDef] = &[
    s(
        "employeeNumber",
        "Numeric or alphanumeric identifier assigned to a person",
    ),
    s("costCenter", "Identifies the name of a cost center"),
    s("organization", "Identifies the name of an organization"),
    s("division", "Identifies the name of a division"),
    s("department", "Identifies the name of a department"),
    complex("manager", MANAGER_SUBS, "The User's manager"),
];

/// Core Group attributes (RFC 7643 §4.2).
pub const GROUP_ATTRS: &[AttrDef] = &[
    required(s("displayName", "A human-readable name for the Group")),
    multi(complex(
        "members",
        MEMBER_SUBS,
        "A list of members of the Group",
    )),
];

/// The two resource types the server serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ResourceKind {
    User,
    Group,
}

impl ResourceKind {
    /// `"User"` or `"Group"`.
    pub fn name(self) -> &'static str {
        match self {
            ResourceKind::User => "User",
            ResourceKind::Group => "Group",
        }
    }

    /// The endpoint segment: `"Users"` or `"Groups"`.
    pub fn endpoint(self) -> &'static str {
        match self {
            ResourceKind::User => "Users",
            ResourceKind::Group => "Groups",
        }
    }

    /// The core schema URN.
    pub fn core_schema(self) -> &'static str {
        match self {
            ResourceKind::User => USER_SCHEMA,
            ResourceKind::Group => GROUP_SCHEMA,
        }
    }

    /// The core attributes (without the common ones).
    pub fn attrs(self) -> &'static [AttrDef] {
        match self {
            ResourceKind::User => USER_ATTRS,
            ResourceKind::Group => GROUP_ATTRS,
        }
    }

    /// Known extension schemas: (URN, attributes).
    pub fn extensions(self) -> &'static [(&'static str, &'static [AttrDef])] {
        match self {
            ResourceKind::User => &[(ENTERPRISE_SCHEMA, ENTERPRISE_ATTRS)],
            ResourceKind::Group => &[],
        }
    }
}

fn find(list: &'static [AttrDef], name: &str) -> Option<&'static AttrDef> {
    list.iter().find(|a| a.name.eq_ignore_ascii_case(name))
}

/// Finds a top-level core (or common) attribute by name, case-insensitively.
pub fn core_attr(kind: ResourceKind, name: &str) -> Option<&'static AttrDef> {
    find(COMMON, name).or_else(|| find(kind.attrs(), name))
}

/// Finds a known extension schema of `kind` by URN, case-insensitively.
pub fn extension(kind: ResourceKind, urn: &str) -> Option<(&'static str, &'static [AttrDef])> {
    kind.extensions()
        .iter()
        .copied()
        .find(|(u, _)| u.eq_ignore_ascii_case(urn))
}

/// Looks up an attribute by path, case-insensitively: `userName`, `name.givenName`,
/// `emails.value`, `urn:ietf:params:scim:schemas:core:2.0:User:userName`,
/// `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value`.
pub fn lookup(kind: ResourceKind, path: &str) -> Option<&'static AttrDef> {
    let (list, rest): (&'static [AttrDef], &str) = match split_urn(kind, path) {
        Some((urn, rest)) if urn.eq_ignore_ascii_case(kind.core_schema()) => (&[], rest),
        Some((urn, rest)) => (extension(kind, urn)?.1, rest),
        None => (&[], path),
    };
    let mut parts = rest.splitn(2, '.');
    let first = parts.next()?;
    let top = if list.is_empty() {
        core_attr(kind, first)?
    } else {
        find(list, first)?
    };
    match parts.next() {
        Some(sub) => top.sub(sub),
        None => Some(top),
    }
}

/// Splits a schema-URN-qualified path into (URN, remainder) when it starts with a schema URN
/// known for `kind` (core or extension). Returns `None` for an unqualified path.
pub fn split_urn(kind: ResourceKind, path: &str) -> Option<(&'static str, &str)> {
    if !path
        .get(..4)
        .is_some_and(|p| p.eq_ignore_ascii_case("urn:"))
    {
        return None;
    }
    let candidates =
        std::iter::once(kind.core_schema()).chain(kind.extensions().iter().map(|e| e.0));
    for urn in candidates {
        if path.len() > urn.len()
            && path
                .get(..urn.len())
                .is_some_and(|p| p.eq_ignore_ascii_case(urn))
            && path.as_bytes()[urn.len()] == b':'
        {
            return Some((urn, &path[urn.len() + 1..]));
        }
    }
    None
}

fn attr_json(a: &AttrDef) -> Value {
    let mut v = json!({
        "name": a.name,
        "type": a.ty.as_str(),
        "multiValued": a.multi_valued,
        "description": a.description,
        "required": a.required,
        "caseExact": a.case_exact,
        "mutability": a.mutability.as_str(),
        "returned": a.returned.as_str(),
        "uniqueness": a.uniqueness,
    });
    if a.ty == AttrType::Reference {
        v["referenceTypes"] = json!(["external", "uri"]);
    }
    if !a.sub_attributes.is_empty() {
        v["subAttributes"] = Value::Array(a.sub_attributes.iter().map(attr_json).collect());
    }
    v
}

fn schema_json(id: &str, name: &str, description: &str, attrs: &[AttrDef], base: &str) -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Schema"],
        "id": id,
        "name": name,
        "description": description,
        "attributes": attrs.iter().map(attr_json).collect::<Vec<_>>(),
        "meta": {"resourceType": "Schema", "location": format!("{base}/Schemas/{id}")},
    })
}

/// Every schema document served at `/Schemas`.
pub fn schemas_json(base: &str) -> Vec<Value> {
    vec![
        schema_json(USER_SCHEMA, "User", "User Account", USER_ATTRS, base),
        schema_json(
            ENTERPRISE_SCHEMA,
            "EnterpriseUser",
            "Enterprise User",
            ENTERPRISE_ATTRS,
            base,
        ),
        schema_json(GROUP_SCHEMA, "Group", "Group", GROUP_ATTRS, base),
    ]
}

/// Every resource-type document served at `/ResourceTypes`.
pub fn resource_types_json(base: &str) -> Vec<Value> {
    vec![
        json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"],
            "id": "User",
            "name": "User",
            "endpoint": "/Users",
            "description": "User Account",
            "schema": USER_SCHEMA,
            "schemaExtensions": [{"schema": ENTERPRISE_SCHEMA, "required": false}],
            "meta": {"resourceType": "ResourceType", "location": format!("{base}/ResourceTypes/User")},
        }),
        json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"],
            "id": "Group",
            "name": "Group",
            "endpoint": "/Groups",
            "description": "Group",
            "schema": GROUP_SCHEMA,
            "schemaExtensions": [],
            "meta": {"resourceType": "ResourceType", "location": format!("{base}/ResourceTypes/Group")},
        }),
    ]
}

/// The `/ServiceProviderConfig` document. `auth_scheme` is (type, name, description) or `None`.
pub fn service_provider_config_json(
    base: &str,
    max_results: usize,
    auth_scheme: Option<(&str, &str, &str)>,
) -> Value {
    let schemes: Vec<Value> = auth_scheme
        .into_iter()
        .map(|(ty, name, description)| {
            json!({"type": ty, "name": name, "description": description, "primary": true})
        })
        .collect();
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"],
        "documentationUri": "https://github.com/scimreplay/scimreplay/blob/main/docs/server.md",
        "patch": {"supported": true},
        "bulk": {"supported": false, "maxOperations": 0, "maxPayloadSize": 0},
        "filter": {"supported": true, "maxResults": max_results},
        "changePassword": {"supported": true},
        "sort": {"supported": false},
        "etag": {"supported": true},
        "authenticationSchemes": schemes,
        "meta": {"resourceType": "ServiceProviderConfig", "location": format!("{base}/ServiceProviderConfig")},
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookup_is_case_insensitive_and_urn_aware() {
        let k = ResourceKind::User;
        assert_eq!(lookup(k, "USERNAME").unwrap().name, "userName");
        assert_eq!(lookup(k, "name.givenname").unwrap().name, "givenName");
        assert!(lookup(k, "emails.value").is_some());
        assert!(lookup(k, "id").unwrap().case_exact);
        assert!(!lookup(k, "userName").unwrap().case_exact);
        assert_eq!(
            lookup(k, "urn:ietf:params:scim:schemas:core:2.0:User:userName")
                .unwrap()
                .name,
            "userName"
        );
        assert_eq!(
            lookup(
                k,
                "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value"
            )
            .unwrap()
            .name,
            "value"
        );
        assert!(lookup(k, "nope").is_none());
        assert_eq!(
            lookup(ResourceKind::Group, "members.value").unwrap().name,
            "value"
        );
    }
}
