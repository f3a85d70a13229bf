//! String-level replacement: secrets become `[secret:NAME]`, the base URL becomes `{{base}}`,
//! per-run values become `{{NAME}}` and server ids inside URL paths become `{{NAME}}`, all in
//! one left-to-right, longest-match-first pass so a replacement is never matched again.

/// Where a pattern may match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Anchor {
    /// Anywhere, as a substring.
    Anywhere,
    /// Only as a whole URL path segment: preceded by `/`, followed by the end, `/`, `?` or `#`.
    Segment,
    /// Only as a whole word: not preceded or followed by an ASCII letter or digit.
    Word,
}

#[derive(Debug, Clone)]
struct Pattern {
    value: String,
    replacement: String,
    anchor: Anchor,
}

/// A set of literal patterns applied in a single pass, longest match first.
#[derive(Debug, Clone, Default)]
pub(crate) struct Replacer {
    patterns: Vec<Pattern>,
}

impl Replacer {
    /// Adds a pattern matched anywhere. Empty values are ignored.
    pub(crate) fn anywhere(&mut self, value: &str, replacement: String) {
        self.push(value, replacement, Anchor::Anywhere);
    }

    /// Adds a pattern matched only as a whole URL path segment. Empty values are ignored.
    pub(crate) fn segment(&mut self, value: &str, replacement: String) {
        self.push(value, replacement, Anchor::Segment);
    }

    fn push(&mut self, value: &str, replacement: String, anchor: Anchor) {
        if value.is_empty() {
            return;
        }
        self.patterns.push(Pattern {
            value: value.to_string(),
            replacement,
            anchor,
        });
        // Stable sort: among equal lengths the first added wins.
        self.patterns
            .sort_by_key(|p| std::cmp::Reverse(p.value.len()));
    }

    /// Replaces every match in `text`; text produced by a replacement is never rescanned.
    pub(crate) fn apply(&self, text: &str) -> String {
        if self.patterns.is_empty() {
            return text.to_string();
        }
        let mut out = String::with_capacity(text.len());
        let mut rest_start = 0;
        let mut pos = 0;
        while pos < text.len() {
            match self.match_at(text, pos) {
                Some(p) => {
                    out.push_str(&text[rest_start..pos]);
                    out.push_str(&p.replacement);
                    pos += p.value.len();
                    rest_start = pos;
                }
                None => pos += char_len_at(text, pos),
            }
        }
        out.push_str(&text[rest_start..]);
        out
    }

    fn match_at(&self, text: &str, pos: usize) -> Option<&Pattern> {
        if self.patterns.is_empty() {
            return None;
        }
        let tail = &text[pos..];
        let first = tail.as_bytes()[0];
        self.patterns.iter().find(|p| {
            p.value.as_bytes()[0] == first
                && tail.starts_with(p.value.as_str())
                && match p.anchor {
                    Anchor::Anywhere => true,
                    Anchor::Segment => is_segment(text, pos, p.value.len()),
                    Anchor::Word => is_word(text, pos, p.value.len()),
                }
        })
    }
}

fn char_len_at(text: &str, pos: usize) -> usize {
    text[pos..].chars().next().map_or(1, char::len_utf8)
}

/// True when `text[pos..pos + len]` is a whole URL path segment.
fn is_segment(text: &str, pos: usize, len: usize) -> bool {
    let before_ok = pos > 0 && text.as_bytes()[pos - 1] == b'/';
    let after_ok = text
        .as_bytes()
        .get(pos + len)
        .is_none_or(|b| matches!(b, b'/' | b'?' | b'#'));
    before_ok && after_ok
}

/// True when `text[pos..pos + len]` is not glued to a letter or digit on either side.
fn is_word(text: &str, pos: usize, len: usize) -> bool {
    let bytes = text.as_bytes();
    let glued = |b: Option<&u8>| b.is_some_and(u8::is_ascii_alphanumeric);
    !glued(pos.checked_sub(1).and_then(|i| bytes.get(i))) && !glued(bytes.get(pos + len))
}

/// Secrets shorter than this are matched only as whole words: a one-letter test token such as
/// `T` would otherwise be "found" inside every `GET` and timestamp.
const SHORT_SECRET: usize = 8;

fn secret_anchor(value: &str) -> Anchor {
    if value.len() < SHORT_SECRET {
        Anchor::Word
    } else {
        Anchor::Anywhere
    }
}

/// Replaces every occurrence of each secret's value by `[secret:NAME]` (longest value first;
/// secrets under 8 bytes only as whole words). `secrets` holds `(name, value)` pairs; empty
/// values are ignored.
pub fn scrub_secrets(text: &str, secrets: &[(String, String)]) -> String {
    secret_replacer(secrets).apply(text)
}

/// Whether `text` holds any secret value, by the same rule as [`scrub_secrets`].
pub fn contains_secret(text: &str, secrets: &[(String, String)]) -> bool {
    let replacer = secret_replacer(secrets);
    let mut pos = 0;
    while pos < text.len() {
        if replacer.match_at(text, pos).is_some() {
            return true;
        }
        pos += char_len_at(text, pos);
    }
    false
}

pub(crate) fn secret_replacer(secrets: &[(String, String)]) -> Replacer {
    let mut replacer = Replacer::default();
    for (name, value) in secrets {
        replacer.push(value, format!("[secret:{name}]"), secret_anchor(value));
    }
    replacer
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
        items
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    #[test]
    fn scrubs_every_occurrence() {
        let secrets = pairs(&[("token", "abc123")]);
        assert_eq!(
            scrub_secrets("Bearer abc123 and abc123!", &secrets),
            "Bearer [secret:token] and [secret:token]!"
        );
    }

    #[test]
    fn short_secrets_match_only_whole_words() {
        let secrets = pairs(&[("token", "T")]);
        assert_eq!(
            scrub_secrets("GET /Users at 2024-05-01T10:00Z; Bearer T, \"T\"", &secrets),
            "GET /Users at 2024-05-01T10:00Z; Bearer [secret:token], \"[secret:token]\""
        );
        assert!(!contains_secret("POST 2024-05-01T10:00Z", &secrets));
        assert!(contains_secret("Authorization: T", &secrets));
        let long = pairs(&[("token", "abcdefgh12")]);
        assert!(
            contains_secret("xxabcdefgh12yy", &long),
            "long secrets match anywhere"
        );
    }

    #[test]
    fn longest_secret_wins() {
        let secrets = pairs(&[("short", "pass"), ("long", "password1")]);
        assert_eq!(
            scrub_secrets("password1 pass", &secrets),
            "[secret:long] [secret:short]"
        );
    }

    #[test]
    fn empty_secret_values_are_ignored() {
        let secrets = pairs(&[("empty", "")]);
        assert_eq!(scrub_secrets("unchanged", &secrets), "unchanged");
    }

    #[test]
    fn replacements_are_not_rescanned() {
        let mut r = Replacer::default();
        r.anywhere("http://h/scim", "{{base}}".into());
        r.anywhere("base", "{{oops}}".into());
        assert_eq!(r.apply("http://h/scim/Users"), "{{base}}/Users");
    }

    #[test]
    fn segments_match_only_whole_path_segments() {
        let mut r = Replacer::default();
        r.segment("42", "{{alice.id}}".into());
        assert_eq!(r.apply("/Users/42"), "/Users/{{alice.id}}");
        assert_eq!(r.apply("/Users/42?x=1"), "/Users/{{alice.id}}?x=1");
        assert_eq!(r.apply("/Users/421"), "/Users/421");
        assert_eq!(r.apply("42"), "42");
        assert_eq!(r.apply("x42/"), "x42/");
    }

    #[test]
    fn handles_multibyte_text() {
        let secrets = pairs(&[("s", "éé€€")]);
        assert_eq!(scrub_secrets("aéé€€b€", &secrets), "a[secret:s]b€");
        let short = pairs(&[("s", "é")]);
        assert_eq!(scrub_secrets("é aéb", &short), "[secret:s] aéb");
    }
}
