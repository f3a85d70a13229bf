//! String-level replacement: the base URL becomes `{{base}}`, per-run values become `{{NAME}}`
//! and server ids inside URL paths become `{{NAME}}`, all in one left-to-right,
//! longest-match-first pass so a replacement is never matched again. (Secrets are scrubbed
//! before, by `crate::secrets`.)

/// Where a pattern may match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Anchor {
    /// Anywhere, as a substring.
    Anywhere,
    /// Only as a whole URL path segment: preceded by `/`, followed by the end, `/`, `?` or `#`.
    Segment,
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
