//! One home for secrets (the token, scenario secrets, generated passwords): the named
//! [`Secret`], the scrubber that replaces every form of a secret's value by its marker
//! `[secret:NAME]`, and the leak test the write guard applies to every file scimreplay writes.
//!
//! A value is found as is and in every encoded form a server may echo it in (JSON escapes,
//! percent-encoding, `+` for space, XML entities; see `forms`). Values shorter than
//! [`SHORT_SECRET`] bytes are matched only as whole words, and the write guard cannot tell
//! them from the tool's own words (step names, paths, markers): [`short_secret_warning`] says so.

mod forms;

use std::fmt;

/// Values shorter than this (in bytes) are matched only as whole words and are not looked for
/// by the write guard: a test token such as `T` or `Users` would otherwise be "found" in every
/// `GET` and URL path.
pub const SHORT_SECRET: usize = 8;

/// A named secret value. `Debug` never shows the value.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret {
    /// What it is, e.g. `token` or `alice.password`; shown in its marker.
    pub name: String,
    /// The value as sent.
    pub value: String,
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Secret")
            .field("name", &self.name)
            .field("value", &format_args!("<{} bytes>", self.value.len()))
            .finish()
    }
}

impl Secret {
    pub fn new(name: impl Into<String>, value: impl Into<String>) -> Secret {
        Secret {
            name: name.into(),
            value: value.into(),
        }
    }

    /// What replaces the value: `[secret:NAME]`.
    pub fn marker(&self) -> String {
        format!("[secret:{}]", self.name)
    }

    /// True when the value is too short to be told from ordinary words.
    pub fn is_short(&self) -> bool {
        self.value.len() < SHORT_SECRET
    }

    /// The end of an occurrence of this secret (in any form) at byte `pos` of `text`.
    fn match_at(&self, text: &str, pos: usize) -> Option<usize> {
        let first = self.value.chars().next()?;
        let bytes = text.as_bytes();
        if !forms::may_start(bytes[pos], first) {
            return None;
        }
        let end = forms::match_end(bytes, pos, &self.value)?;
        (!self.is_short() || is_whole_word(bytes, pos, end)).then_some(end)
    }
}

/// The warning shown once per run for a secret too short to be fully redacted.
pub fn short_secret_warning(secret: &Secret) -> Option<String> {
    secret.is_short().then(|| {
        format!(
            "warning: the {} is only {} characters long: scimreplay redacts it only where it stands as a whole word and cannot tell it from the same word in its own output, so it cannot be fully redacted (use one of at least {SHORT_SECRET} characters)",
            secret.name,
            secret.value.chars().count()
        )
    })
}

/// Replaces every occurrence of every secret, in any form, by its marker; longer values win,
/// and replaced text is never rescanned. Empty values are ignored.
pub fn scrub(text: &str, secrets: &[Secret]) -> String {
    let ordered = longest_first(secrets);
    if ordered.is_empty() {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut pos = 0;
    while pos < text.len() {
        match ordered
            .iter()
            .find_map(|s| s.match_at(text, pos).map(|end| (s, end)))
        {
            Some((secret, end)) => {
                out.push_str(&text[copied..pos]);
                out.push_str(&secret.marker());
                pos = end;
                copied = end;
            }
            None => pos += char_len_at(text, pos),
        }
    }
    out.push_str(&text[copied..]);
    out
}

/// The write guard's test: the first secret whose value occurs in `text` in any form, not
/// counting the markers of `secrets`. Short secrets are not looked for (see [`SHORT_SECRET`]):
/// they are scrubbed as whole words from everything received or sent, but the guard would
/// find them in the tool's own text.
pub fn find_leak<'a>(text: &str, secrets: &'a [Secret]) -> Option<&'a Secret> {
    let guarded: Vec<&Secret> = longest_first(secrets)
        .into_iter()
        .filter(|s| !s.is_short())
        .collect();
    if guarded.is_empty() {
        return None;
    }
    let markers: Vec<String> = secrets.iter().map(Secret::marker).collect();
    let mut pos = 0;
    while pos < text.len() {
        if let Some(marker) = markers.iter().find(|m| text[pos..].starts_with(m.as_str())) {
            pos += marker.len();
            continue;
        }
        if let Some(secret) = guarded.iter().find(|s| s.match_at(text, pos).is_some()) {
            return Some(secret);
        }
        pos += char_len_at(text, pos);
    }
    None
}

/// Non-empty secrets, longest value first (stable: among equal lengths the first given wins).
fn longest_first(secrets: &[Secret]) -> Vec<&Secret> {
    let mut ordered: Vec<&Secret> = secrets.iter().filter(|s| !s.value.is_empty()).collect();
    ordered.sort_by_key(|s| std::cmp::Reverse(s.value.len()));
    ordered
}

fn char_len_at(text: &str, pos: usize) -> usize {
    text[pos..].chars().next().map_or(1, char::len_utf8)
}

/// True when `bytes[start..end]` is not glued to an ASCII letter or digit on either side.
fn is_whole_word(bytes: &[u8], start: usize, end: usize) -> bool {
    let glued = |b: Option<&u8>| b.is_some_and(u8::is_ascii_alphanumeric);
    !glued(start.checked_sub(1).and_then(|i| bytes.get(i))) && !glued(bytes.get(end))
}

#[cfg(test)]
mod tests;
