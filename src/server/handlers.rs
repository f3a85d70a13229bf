//! The SCIM endpoints: routing of path segments and methods to list/get/create/replace/patch/
//! delete of Users and Groups and to the discovery documents, with the response-shape quirks.

use super::errors::ScimError;
use super::filter::{self, CompareOp, EvalContext, Filter, Literal};
use super::query::{self, MAX_PAGE_SIZE};
use super::quirks::Quirk;
use super::resource::{self, RenderContext, etag, render};
use super::schema::{self, LIST_RESPONSE, ResourceKind};
use super::state::{AppState, Change, json_response};
use super::store::{Resource, Store, name_attr};
use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::Response;
use serde_json::{Map, Value, json};
use std::time::SystemTime;

/// Everything a handler needs about the request.
pub struct RequestContext<'a> {
    pub state: &'a AppState,
    /// Absolute base URL for this request (Host header + base path).
    pub base: String,
    pub method: Method,
    pub headers: &'a HeaderMap,
    pub params: Vec<(String, String)>,
    pub body: &'a [u8],
}

type Result<T> = std::result::Result<T, ScimError>;

fn method_not_allowed(method: &Method, allowed: &str) -> ScimError {
    ScimError::new(
        405,
        None,
        format!("method {method} not allowed here; allowed: {allowed}"),
    )
}

/// Routes a request (path segments below the base path).
pub fn dispatch(ctx: &RequestContext<'_>, segs: &[&str]) -> Result<Response> {
    let m = &ctx.method;
    let kind = |s: &str| match s {
        "Users" => Some(ResourceKind::User),
        "Groups" => Some(ResourceKind::Group),
        _ => None,
    };
    match segs {
        [s] if kind(s).is_some() => {
            let k = kind(s).unwrap_or(ResourceKind::User);
            match *m {
                Method::GET => list(ctx, k),
                Method::POST => create(ctx, k),
                _ => Err(method_not_allowed(m, "GET, POST")),
            }
        }
        [s, id] if kind(s).is_some() => {
            let k = kind(s).unwrap_or(ResourceKind::User);
            match *m {
                Method::GET => get(ctx, k, id),
                Method::PUT => replace(ctx, k, id),
                Method::PATCH => patch(ctx, k, id),
                Method::DELETE => delete(ctx, k, id),
                _ => Err(method_not_allowed(m, "GET, PUT, PATCH, DELETE")),
            }
        }
        ["ServiceProviderConfig"] | ["ResourceTypes", ..] | ["Schemas", ..]
            if *m != Method::GET =>
        {
            Err(method_not_allowed(m, "GET"))
        }
        ["ServiceProviderConfig"] => Ok(json_response(
            StatusCode::OK,
            &schema::service_provider_config_json(
                &ctx.base,
                MAX_PAGE_SIZE,
                super::auth::scheme_description(ctx.state.auth),
            ),
        )),
        ["ResourceTypes"] => Ok(discovery_list(schema::resource_types_json(&ctx.base))),
        ["Schemas"] => Ok(discovery_list(schema::schemas_json(&ctx.base))),
        ["ResourceTypes", id] => {
            discovery_one(schema::resource_types_json(&ctx.base), id, "resource type")
        }
        ["Schemas", id] => discovery_one(schema::schemas_json(&ctx.base), id, "schema"),
        _ => Err(ScimError::not_found(format!(
            "no SCIM endpoint at '/{}'; endpoints: /Users, /Groups, /ServiceProviderConfig, /ResourceTypes, /Schemas",
            segs.join("/")
        ))),
    }
}

fn discovery_list(items: Vec<Value>) -> Response {
    json_response(
        StatusCode::OK,
        &json!({
            "schemas": [LIST_RESPONSE],
            "totalResults": items.len(),
            "startIndex": 1,
            "itemsPerPage": items.len(),
            "Resources": items,
        }),
    )
}

fn discovery_one(items: Vec<Value>, id: &str, what: &str) -> Result<Response> {
    items
        .into_iter()
        .find(|i| i["id"].as_str().is_some_and(|x| x.eq_ignore_ascii_case(id)))
        .map(|i| json_response(StatusCode::OK, &i))
        .ok_or_else(|| ScimError::not_found(format!("{what} '{id}' not found")))
}

fn rctx<'a>(ctx: &'a RequestContext<'_>, store: &'a Store) -> RenderContext<'a> {
    RenderContext {
        base: &ctx.base,
        quirks: &ctx.state.quirks,
        store,
    }
}

fn not_found(kind: ResourceKind, id: &str) -> ScimError {
    ScimError::not_found(format!("{} '{id}' not found", kind.name()))
}

fn list_body(total: usize, start: usize, resources: Vec<Value>, as_strings: bool) -> Value {
    let n = resources.len();
    let num = |x: usize| {
        if as_strings {
            json!(x.to_string())
        } else {
            json!(x)
        }
    };
    json!({
        "schemas": [LIST_RESPONSE],
        "totalResults": num(total),
        "startIndex": num(start),
        "itemsPerPage": num(n),
        "Resources": resources,
    })
}

/// `name eq "literal"` on the indexed attribute: answered from the index.
fn indexed_name(kind: ResourceKind, f: &Filter) -> Option<&str> {
    match f {
        Filter::Compare(p, CompareOp::Eq, Literal::Str(s))
            if p.sub.is_none()
                && p.attr.eq_ignore_ascii_case(name_attr(kind))
                && p.urn
                    .as_deref()
                    .is_none_or(|u| u.eq_ignore_ascii_case(kind.core_schema())) =>
        {
            Some(s)
        }
        _ => None,
    }
}

fn list(ctx: &RequestContext<'_>, kind: ResourceKind) -> Result<Response> {
    let q = &ctx.state.quirks;
    let paging = query::paging(&ctx.params)?;
    let filter = match query::param(&ctx.params, "filter") {
        Some(text) if !q.on(Quirk::FilterIgnored) && !text.trim().is_empty() => Some(
            filter::parse(text)
                .map_err(|e| ScimError::invalid_filter(format!("invalid filter {e}: {text}")))?,
        ),
        _ => None,
    };
    let attributes = query::param(&ctx.params, "attributes");
    let excluded = query::param(&ctx.params, "excludedAttributes");
    let eval = EvalContext {
        kind,
        force_case_exact: q.on(Quirk::FilterCaseSensitive),
    };
    let page_size = if q.on(Quirk::ShortPages) {
        paging.count.min(10)
    } else {
        paging.count
    };
    let skip = if q.on(Quirk::PagingIgnoresStartindex) {
        0
    } else {
        paging.start_index - 1
    };
    let (total, resources) = ctx.state.read(|store| {
        let r = rctx(ctx, store);
        let out = |res: &Resource| query::project(render(kind, res, &r), attributes, excluded);
        match &filter {
            None => {
                let total = store.len(kind);
                let page = store
                    .iter(kind)
                    .skip(skip)
                    .take(page_size)
                    .map(out)
                    .collect();
                (total, page)
            }
            Some(f) => match indexed_name(kind, f).filter(|_| !q.on(Quirk::FilterCaseSensitive)) {
                Some(name) => {
                    let hits = store.ids_by_name(kind, name);
                    let page = hits
                        .iter()
                        .skip(skip)
                        .take(page_size)
                        .map(|r| out(r))
                        .collect();
                    (hits.len(), page)
                }
                None => {
                    let hits: Vec<Value> = store
                        .iter(kind)
                        .map(|res| render(kind, res, &r))
                        .filter(|v| f.matches(v, &eval))
                        .collect();
                    let total = hits.len();
                    let page = hits
                        .into_iter()
                        .skip(skip)
                        .take(page_size)
                        .map(|v| query::project(v, attributes, excluded))
                        .collect();
                    (total, page)
                }
            },
        }
    });
    let miss_404 = q.on(Quirk::FilterMiss404)
        || (q.on(Quirk::GroupFilterMiss404) && kind == ResourceKind::Group);
    if filter.is_some() && total == 0 && miss_404 {
        return Err(ScimError::not_found(format!(
            "no {} matches the filter",
            kind.name()
        )));
    }
    Ok(json_response(
        StatusCode::OK,
        &list_body(
            total,
            paging.start_index,
            resources,
            q.on(Quirk::ListCountsAsStrings),
        ),
    ))
}

fn with_etag(mut resp: Response, version: u64) -> Response {
    if let Ok(v) = HeaderValue::from_str(&etag(version)) {
        resp.headers_mut().insert(header::ETAG, v);
    }
    resp
}

fn get(ctx: &RequestContext<'_>, kind: ResourceKind, id: &str) -> Result<Response> {
    let q = &ctx.state.quirks;
    let attributes = query::param(&ctx.params, "attributes");
    let excluded = query::param(&ctx.params, "excludedAttributes");
    let found = ctx.state.read(|store| {
        store.get(kind, id).map(|res| {
            let v = query::project(render(kind, res, &rctx(ctx, store)), attributes, excluded);
            (v, res.version)
        })
    });
    let (body, version) = found.ok_or_else(|| not_found(kind, id))?;
    if q.on(Quirk::GetReturnsList) && kind == ResourceKind::User {
        return Ok(json_response(
            StatusCode::OK,
            &list_body(1, 1, vec![body], q.on(Quirk::ListCountsAsStrings)),
        ));
    }
    Ok(with_etag(json_response(StatusCode::OK, &body), version))
}

fn parse_body(ctx: &RequestContext<'_>) -> Result<Value> {
    if ctx.body.iter().all(u8::is_ascii_whitespace) {
        return Err(ScimError::invalid_syntax(
            "the request body is empty; a JSON object is required",
        ));
    }
    serde_json::from_slice(ctx.body)
        .map_err(|e| ScimError::invalid_syntax(format!("malformed JSON body: {e}")))
}

fn check_if_match(ctx: &RequestContext<'_>, version: u64) -> Result<()> {
    match ctx
        .headers
        .get(header::IF_MATCH)
        .and_then(|v| v.to_str().ok())
    {
        Some(v) if v.trim() != "*" && !v.split(',').any(|t| t.trim() == etag(version)) => {
            Err(ScimError::new(
                412,
                None,
                format!(
                    "If-Match '{v}' does not match the current version {}",
                    etag(version)
                ),
            ))
        }
        _ => Ok(()),
    }
}

/// Rejects a duplicate userName/displayName (unless `no-duplicate-409` for users,
/// `no-duplicate-group-409` for groups), and a reserved userName under
/// `user-delete-reserves-username`.
fn check_unique(
    ctx: &RequestContext<'_>,
    store: &Store,
    kind: ResourceKind,
    attrs: &Map<String, Value>,
    own: Option<&str>,
) -> Result<()> {
    let q = &ctx.state.quirks;
    let attr = name_attr(kind);
    let Some(name) = attrs.get(attr).and_then(Value::as_str) else {
        return Ok(());
    };
    if kind == ResourceKind::User && store.is_reserved(name) {
        return Err(ScimError::uniqueness(format!(
            "userName '{name}' belonged to a deleted user and stays reserved"
        )));
    }
    let unchecked = match kind {
        ResourceKind::User => q.on(Quirk::NoDuplicate409),
        ResourceKind::Group => q.on(Quirk::NoDuplicateGroup409),
    };
    if unchecked {
        return Ok(());
    }
    if store
        .ids_by_name(kind, name)
        .iter()
        .any(|r| Some(r.id.as_str()) != own)
    {
        return Err(ScimError::uniqueness(format!(
            "{} with {attr} '{name}' already exists",
            kind.name()
        )));
    }
    Ok(())
}

/// Group members must be existing users or groups, and a group (`group_id`, once it exists)
/// can never contain itself, directly or through nested groups.
fn check_member_ids(
    store: &Store,
    kind: ResourceKind,
    attrs: &Map<String, Value>,
    group_id: Option<&str>,
) -> Result<()> {
    if kind != ResourceKind::Group {
        return Ok(());
    }
    for m in attrs
        .get("members")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let id = m.get("value").and_then(Value::as_str).unwrap_or_default();
        if store.get(ResourceKind::User, id).is_none()
            && store.get(ResourceKind::Group, id).is_none()
        {
            return Err(ScimError::invalid_value(format!(
                "member '{id}' is not a known User or Group id"
            )));
        }
        if let Some(own) = group_id
            && contains_group(store, id, own)
        {
            return Err(ScimError::invalid_value(format!(
                "member '{id}' would make group '{own}' contain itself"
            )));
        }
    }
    Ok(())
}

/// Whether group `wanted` is `start` or nested (at any depth) inside group `start`.
fn contains_group(store: &Store, start: &str, wanted: &str) -> bool {
    let mut seen = std::collections::HashSet::new();
    let mut pending = vec![start.to_string()];
    while let Some(id) = pending.pop() {
        if id == wanted {
            return true;
        }
        if !seen.insert(id.clone()) {
            continue;
        }
        if let Some(g) = store.get(ResourceKind::Group, &id) {
            pending.extend(g.member_ids().map(str::to_string));
        }
    }
    false
}

/// Deletes a resource and every member reference to it (a user or a nested group).
fn remove_resource(store: &mut Store, changes: &mut Vec<Change>, kind: ResourceKind, id: &str) {
    {
        let groups: Vec<Resource> = store.groups_of(id).cloned().collect();
        for mut g in groups {
            if let Some(Value::Array(ms)) = g.attrs.get_mut("members") {
                ms.retain(|m| m.get("value").and_then(Value::as_str) != Some(id));
            }
            g.version += 1;
            g.modified = SystemTime::now();
            changes.push((ResourceKind::Group, g.id.clone(), Some(g.clone())));
            store.put(ResourceKind::Group, g);
        }
    }
    store.remove(kind, id);
    changes.push((kind, id.to_string(), None));
}

/// Past `serve --max-resources` stored users and groups, a create is refused with 507 so the
/// server's memory stays bounded.
fn check_capacity(ctx: &RequestContext<'_>, store: &Store) -> Result<()> {
    let max = ctx.state.max_resources;
    if store.len(ResourceKind::User) + store.len(ResourceKind::Group) >= max {
        return Err(ScimError::new(
            507,
            None,
            format!(
                "the server holds its maximum of {max} users and groups (serve --max-resources); delete some first"
            ),
        ));
    }
    Ok(())
}

fn create(ctx: &RequestContext<'_>, kind: ResourceKind) -> Result<Response> {
    let q = &ctx.state.quirks;
    let body = parse_body(ctx)?;
    if q.on(Quirk::RejectsReadonlyInCreate)
        && kind == ResourceKind::User
        && body.get("groups").is_some()
    {
        return Err(ScimError::mutability("attribute 'groups' is readOnly"));
    }
    let mut attrs = resource::validate(kind, &body, q)?;
    resource::check_required(kind, &attrs)?;
    resource::apply_store_quirks(kind, &mut attrs, q);
    let (mut out, version, id) = ctx.state.write(|store, changes| {
        check_capacity(ctx, store)?;
        check_unique(ctx, store, kind, &attrs, None)?;
        check_member_ids(store, kind, &attrs, None)?;
        let now = SystemTime::now();
        let res = Resource {
            id: uuid::Uuid::new_v4().to_string(),
            seq: store.next_seq(),
            attrs,
            created: now,
            modified: now,
            version: 1,
        };
        let id = res.id.clone();
        changes.push((kind, id.clone(), Some(res.clone())));
        store.put(kind, res);
        let res = store.get(kind, &id).ok_or_else(|| not_found(kind, &id))?;
        Ok::<_, ScimError>((render(kind, res, &rctx(ctx, store)), 1, id))
    })?;
    let location = resource::resource_location(&ctx.base, kind, &id, q);
    if q.on(Quirk::MissingLocation)
        && let Some(meta) = out.get_mut("meta").and_then(Value::as_object_mut)
    {
        meta.remove("location");
    }
    if q.on(Quirk::CreateExtraAttributes) {
        out[schema::EXTRA_SCHEMA] =
            json!({"tenant": "default", "createdBy": "scimreplay", "seatType": "standard"});
        if let Some(s) = out["schemas"].as_array_mut() {
            s.push(json!(schema::EXTRA_SCHEMA));
        }
    }
    let status = if q.on(Quirk::CreateReturns200) {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    let mut resp = if q.on(Quirk::CreateEmptyBody) {
        let mut r = Response::new(Body::empty());
        *r.status_mut() = status;
        r
    } else {
        json_response(status, &out)
    };
    if !q.on(Quirk::MissingLocation)
        && let Ok(v) = HeaderValue::from_str(&location)
    {
        resp.headers_mut().insert(header::LOCATION, v);
    }
    Ok(with_etag(resp, version))
}

/// Stores `attrs` as the new state of `id` (shared by PUT and PATCH) and renders the answer.
fn commit(
    ctx: &RequestContext<'_>,
    store: &mut Store,
    changes: &mut Vec<Change>,
    kind: ResourceKind,
    old: &Resource,
    attrs: Map<String, Value>,
) -> Result<(Value, u64)> {
    check_unique(ctx, store, kind, &attrs, Some(&old.id))?;
    check_member_ids(store, kind, &attrs, Some(&old.id))?;
    let mut res = old.clone();
    if res.attrs != attrs {
        res.attrs = attrs;
        res.version += 1;
        res.modified = SystemTime::now();
    }
    let deactivated =
        kind == ResourceKind::User && res.attrs.get("active") == Some(&Value::Bool(false));
    let body = render(kind, &res, &rctx(ctx, store));
    let version = res.version;
    if deactivated && ctx.state.quirks.on(Quirk::DeactivateDeletes) {
        remove_resource(store, changes, kind, &old.id);
        return Ok((body, version));
    }
    changes.push((kind, res.id.clone(), Some(res.clone())));
    store.put(kind, res);
    let res = store
        .get(kind, &old.id)
        .ok_or_else(|| not_found(kind, &old.id))?;
    Ok((render(kind, res, &rctx(ctx, store)), version))
}

fn replace(ctx: &RequestContext<'_>, kind: ResourceKind, id: &str) -> Result<Response> {
    let q = &ctx.state.quirks;
    let body = parse_body(ctx)?;
    if q.on(Quirk::RejectsReadonlyInPut)
        && let Some(o) = body.as_object()
        && let Some(k) = o.keys().find(|k| {
            ["id", "meta", "groups"]
                .iter()
                .any(|r| k.eq_ignore_ascii_case(r))
        })
    {
        return Err(ScimError::mutability(format!(
            "attribute '{k}' is readOnly"
        )));
    }
    let mut attrs = resource::validate(kind, &body, q)?;
    resource::check_required(kind, &attrs)?;
    resource::apply_store_quirks(kind, &mut attrs, q);
    let (out, version) = ctx.state.write(|store, changes| {
        let old = store
            .get(kind, id)
            .cloned()
            .ok_or_else(|| not_found(kind, id))?;
        check_if_match(ctx, old.version)?;
        if q.on(Quirk::PutIgnoresChanges) {
            return Ok((render(kind, &old, &rctx(ctx, store)), old.version));
        }
        if !attrs.contains_key("password")
            && let Some(p) = old.attrs.get("password")
        {
            attrs.insert("password".into(), p.clone());
        }
        commit(ctx, store, changes, kind, &old, attrs)
    })?;
    if q.on(Quirk::GroupPutReturns204) && kind == ResourceKind::Group {
        return Ok(with_etag(no_content(), version));
    }
    Ok(with_etag(json_response(StatusCode::OK, &out), version))
}

/// An empty 204 No Content response.
fn no_content() -> Response {
    let mut r = Response::new(Body::empty());
    *r.status_mut() = StatusCode::NO_CONTENT;
    r
}

fn patch(ctx: &RequestContext<'_>, kind: ResourceKind, id: &str) -> Result<Response> {
    let q = &ctx.state.quirks;
    let body = parse_body(ctx)?;
    let (out, version) = ctx.state.write(|store, changes| {
        let old = store
            .get(kind, id)
            .cloned()
            .ok_or_else(|| not_found(kind, id))?;
        check_if_match(ctx, old.version)?;
        let mut attrs = super::patch::apply(kind, &old.attrs, &body, q)?;
        resource::apply_store_quirks(kind, &mut attrs, q);
        commit(ctx, store, changes, kind, &old, attrs)
    })?;
    if q.on(Quirk::PatchReturns204) {
        return Ok(with_etag(no_content(), version));
    }
    Ok(with_etag(json_response(StatusCode::OK, &out), version))
}

fn delete(ctx: &RequestContext<'_>, kind: ResourceKind, id: &str) -> Result<Response> {
    let q = &ctx.state.quirks;
    ctx.state.write(|store, changes| {
        let old = store
            .get(kind, id)
            .cloned()
            .ok_or_else(|| not_found(kind, id))?;
        check_if_match(ctx, old.version)?;
        if kind == ResourceKind::User && q.on(Quirk::UserDeleteDeactivates) {
            let mut attrs = old.attrs.clone();
            attrs.insert("active".into(), Value::Bool(false));
            commit(ctx, store, changes, kind, &old, attrs)?;
            return Ok::<_, ScimError>(());
        }
        if kind == ResourceKind::User
            && q.on(Quirk::UserDeleteReservesUsername)
            && let Some(name) = old.str_attr("userName")
        {
            store.reserve(name);
        }
        remove_resource(store, changes, kind, id);
        Ok(())
    })?;
    Ok(no_content())
}
