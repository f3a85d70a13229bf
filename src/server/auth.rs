//! Request authentication: Bearer, raw header token, Basic or none, with constant-time secret
//! comparison.

use super::AuthMode;
use axum::http::HeaderMap;
use base64::Engine;

/// Compares two byte strings in time independent of where they differ (length still leaks).
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    let mut diff = (a.len() ^ b.len()) as u64;
    for i in 0..a.len().max(b.len()) {
        let x = a.get(i).copied().unwrap_or(0);
        let y = b.get(i).copied().unwrap_or(0xff);
        diff |= u64::from(x ^ y);
    }
    // Keep the optimiser from short-circuiting the loop.
    std::hint::black_box(diff) == 0
}

/// Checks the Authorization header against the configured secret.
pub fn authorized(mode: AuthMode, secret: Option<&str>, headers: &HeaderMap) -> bool {
    if mode == AuthMode::None {
        return true;
    }
    let Some(secret) = secret else { return false };
    let Some(value) = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let value = value.trim();
    match mode {
        AuthMode::None => true,
        AuthMode::Header => constant_time_eq(value.as_bytes(), secret.as_bytes()),
        AuthMode::Bearer => match split_scheme(value, "bearer") {
            Some(token) => constant_time_eq(token.as_bytes(), secret.as_bytes()),
            None => false,
        },
        AuthMode::Basic => match split_scheme(value, "basic") {
            Some(encoded) => match base64::engine::general_purpose::STANDARD.decode(encoded.trim())
            {
                Ok(decoded) => constant_time_eq(&decoded, secret.as_bytes()),
                Err(_) => false,
            },
            None => false,
        },
    }
}

fn split_scheme<'a>(value: &'a str, scheme: &str) -> Option<&'a str> {
    let (s, rest) = value.split_once(' ')?;
    s.eq_ignore_ascii_case(scheme).then(|| rest.trim())
}

/// The `WWW-Authenticate` challenge for a 401.
pub fn challenge(mode: AuthMode) -> &'static str {
    match mode {
        AuthMode::Basic => "Basic realm=\"scimreplay\"",
        _ => "Bearer realm=\"scimreplay\"",
    }
}

/// The authenticationSchemes entry for `/ServiceProviderConfig`: (type, name, description).
pub fn scheme_description(mode: AuthMode) -> Option<(&'static str, &'static str, &'static str)> {
    match mode {
        AuthMode::Bearer => Some((
            "oauthbearertoken",
            "OAuth Bearer Token",
            "Authorization: Bearer <token>",
        )),
        AuthMode::Header => Some((
            "httpheader",
            "HTTP Header",
            "Authorization: <token> (raw token, no scheme)",
        )),
        AuthMode::Basic => Some((
            "httpbasic",
            "HTTP Basic",
            "Authorization: Basic base64(user:password)",
        )),
        AuthMode::None => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn h(v: &str) -> HeaderMap {
        let mut m = HeaderMap::new();
        m.insert("authorization", HeaderValue::from_str(v).unwrap());
        m
    }

    #[test]
    fn modes() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"abcd"));
        assert!(!constant_time_eq(b"", b"a"));
        assert!(authorized(AuthMode::Bearer, Some("T"), &h("Bearer T")));
        assert!(authorized(AuthMode::Bearer, Some("T"), &h("bearer T")));
        assert!(!authorized(AuthMode::Bearer, Some("T"), &h("T")));
        assert!(!authorized(AuthMode::Bearer, Some("T"), &HeaderMap::new()));
        assert!(authorized(AuthMode::Header, Some("T"), &h("T")));
        assert!(!authorized(AuthMode::Header, Some("T"), &h("Bearer T")));
        assert!(authorized(AuthMode::Basic, Some("u:p"), &h("Basic dTpw")));
        assert!(!authorized(AuthMode::Basic, Some("u:p"), &h("Basic dTpx")));
        assert!(!authorized(AuthMode::Basic, Some("u:p"), &h("Basic !!!")));
        assert!(authorized(AuthMode::None, None, &HeaderMap::new()));
    }
}
