//! Finds a secret's value in text whatever form each of its characters takes there: as is,
//! JSON-escaped (`\/`, `\"`, `\\`, `\u002b`, surrogate pairs, nested escapes such as `\\\/`),
//! percent-encoded (`%2B`, `%2b`, doubly `%252B`), `+` for a space, or as an XML/HTML entity
//! (`&quot;`, `&#43;`, `&#x2B;`). Forms may be mixed within one occurrence.
//!
//! The match is a small set simulation (every text position reachable after each character of
//! the value), so it is linear in the value's length per start position and cannot blow up.

/// The end (exclusive) of the longest occurrence of `value` starting at byte `start` of `text`,
/// in any mix of the forms above.
pub(super) fn match_end(text: &[u8], start: usize, value: &str) -> Option<usize> {
    let mut reachable = vec![start];
    for c in value.chars() {
        let mut next = Vec::new();
        for &p in &reachable {
            char_ends(text, p, c, &mut next);
        }
        next.sort_unstable();
        next.dedup();
        if next.is_empty() {
            return None;
        }
        reachable = next;
    }
    reachable.last().copied()
}

/// Whether `b` can start some form of `c` (a cheap filter before [`match_end`]).
pub(super) fn may_start(b: u8, c: char) -> bool {
    let mut utf8 = [0u8; 4];
    b == c.encode_utf8(&mut utf8).as_bytes()[0]
        || matches!(b, b'\\' | b'%' | b'&')
        || (b == b'+' && c == ' ')
}

/// Pushes every end position of one form of `c` starting at `p`.
fn char_ends(text: &[u8], p: usize, c: char, out: &mut Vec<usize>) {
    let mut utf8 = [0u8; 4];
    let raw = c.encode_utf8(&mut utf8).as_bytes();
    if text[p..].starts_with(raw) {
        out.push(p + raw.len());
    }
    if c == ' ' && text.get(p) == Some(&b'+') {
        out.push(p + 1);
    }
    json_escaped(text, p, c, out);
    if let Some(end) = percent_encoded(text, p, raw) {
        out.push(end);
    }
    if let Some(end) = entity(text, p, c) {
        out.push(end);
    }
}

/// Backslashes counted at most in one run: four levels of nested JSON escaping (15) and more.
/// The bound keeps a hostile body of backslashes linear to scan.
const MAX_BACKSLASH_RUN: usize = 16;

/// `c` JSON-escaped once or more: a run of backslashes, then the escape letter or `uXXXX`.
fn json_escaped(text: &[u8], p: usize, c: char, out: &mut Vec<usize>) {
    let run = backslashes(text, p);
    if run == 0 {
        return;
    }
    if c == '\\' {
        // `\` as is, escaped (`\\`) or escaped again (`\\\\`): any prefix of the run.
        out.extend((1..=run).map(|k| p + k));
    }
    let q = p + run;
    if let Some(letter) = short_escape(c)
        && text.get(q) == Some(&letter)
    {
        out.push(q + 1);
    }
    let mut units = [0u16; 2];
    let units = c.encode_utf16(&mut units);
    if hex_unit(text, q) != Some(units[0]) {
        return;
    }
    let end = q + 5;
    match units.get(1) {
        None => out.push(end),
        Some(&low) => {
            // A surrogate pair: the low half is escaped the same way.
            let run2 = backslashes(text, end);
            if run2 > 0 && hex_unit(text, end + run2) == Some(low) {
                out.push(end + run2 + 5);
            }
        }
    }
}

/// How many backslashes start at `p` (at most [`MAX_BACKSLASH_RUN`]).
fn backslashes(text: &[u8], p: usize) -> usize {
    text[p..]
        .iter()
        .take(MAX_BACKSLASH_RUN)
        .take_while(|&&b| b == b'\\')
        .count()
}

/// The letter after `\` in JSON's two-character escape of `c`, if it has one.
fn short_escape(c: char) -> Option<u8> {
    Some(match c {
        '"' => b'"',
        '/' => b'/',
        '\u{8}' => b'b',
        '\u{c}' => b'f',
        '\n' => b'n',
        '\r' => b'r',
        '\t' => b't',
        _ => return None,
    })
}

/// `uXXXX` at `q` (hex digits in either case), as a UTF-16 code unit.
fn hex_unit(text: &[u8], q: usize) -> Option<u16> {
    if text.get(q) != Some(&b'u') {
        return None;
    }
    let digits = text.get(q + 1..q + 5)?;
    u16::from_str_radix(std::str::from_utf8(digits).ok()?, 16).ok()
}

/// Every byte of `raw` as `%XX` or doubly encoded `%25XX` (hex in either case).
fn percent_encoded(text: &[u8], p: usize, raw: &[u8]) -> Option<usize> {
    let mut q = p;
    for &byte in raw {
        if text.get(q) != Some(&b'%') {
            return None;
        }
        q += 1;
        if hex_byte(text, q) == Some(byte) {
            q += 2;
        } else if hex_byte(text, q) == Some(b'%') && hex_byte(text, q + 2) == Some(byte) {
            q += 4;
        } else {
            return None;
        }
    }
    Some(q)
}

fn hex_byte(text: &[u8], q: usize) -> Option<u8> {
    let digits = text.get(q..q + 2)?;
    u8::from_str_radix(std::str::from_utf8(digits).ok()?, 16).ok()
}

/// `c` as an XML/HTML character reference: `&#NN;`, `&#xHH;` or a named one for `"&<>'`.
fn entity(text: &[u8], p: usize, c: char) -> Option<usize> {
    if text.get(p) != Some(&b'&') {
        return None;
    }
    let rest = &text[p + 1..];
    let semi = rest.iter().take(10).position(|&b| b == b';')?;
    let name = std::str::from_utf8(&rest[..semi]).ok()?;
    let code = if let Some(hex) = name.strip_prefix("#x").or(name.strip_prefix("#X")) {
        u32::from_str_radix(hex, 16).ok()?
    } else if let Some(dec) = name.strip_prefix('#') {
        dec.parse().ok()?
    } else {
        match name {
            "quot" => '"' as u32,
            "amp" => '&' as u32,
            "lt" => '<' as u32,
            "gt" => '>' as u32,
            "apos" => '\'' as u32,
            _ => return None,
        }
    };
    (code == c as u32).then_some(p + 1 + semi + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str, value: &str) -> Option<usize> {
        match_end(text.as_bytes(), 0, value)
    }

    #[test]
    fn matches_each_form_and_mixes() {
        let value = "a/b+c\"d\\e f";
        for text in [
            "a/b+c\"d\\e f",
            r#"a\/b\u002bc\"d\\e f"#,
            r#"a\/b\u002Bc\u0022d\u005ce\u0020f"#,
            r#"a\\\/b\\u002bc\\\"d\\\\e f"#,
            "a%2Fb%2bc%22d%5Ce+f",
            "a%252Fb%252Bc%2522d%255Ce%2520f",
            "a/b&#43;c&quot;d&#x5C;e f",
        ] {
            assert_eq!(found(text, value), Some(text.len()), "{text}");
        }
        assert_eq!(found("a/b+c", "a/b+d"), None);
    }

    #[test]
    fn handles_surrogate_pairs_and_multibyte() {
        assert_eq!(found(r"x\ud83d\ude00y", "x😀y"), Some(14));
        assert_eq!(found("x%F0%9F%98%80y", "x😀y"), Some(14));
        assert_eq!(found("é€", "é€"), Some(5));
    }

    #[test]
    fn a_body_of_backslashes_is_scanned_in_linear_time() {
        // Unbounded run counting would be quadratic: hours here.
        let text = "\\".repeat(1 << 17);
        let bytes = text.as_bytes();
        let found = (0..bytes.len())
            .filter_map(|p| match_end(bytes, p, "\\x"))
            .count();
        assert_eq!(found, 0);
    }

    #[test]
    fn backslashes_of_the_value_can_share_a_run() {
        let text = r"a\\\\b";
        assert_eq!(found(text, r"a\\b"), Some(text.len()));
        assert_eq!(found(r"a\b", r"a\\b"), None);
    }
}
