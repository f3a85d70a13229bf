//! Diff rendering: a plain unified diff (committed snapshot → actual) for reports and pending
//! reviews, and its coloured form for terminals.

use colored::{ColoredString, Colorize};
use similar::TextDiff;

/// Lines of unchanged context around each change.
const CONTEXT: usize = 3;

/// Unified diff from `committed` to `actual` with `--- snapshot` / `+++ actual` headers;
/// empty when the texts are equal.
pub fn unified_diff(committed: &str, actual: &str) -> String {
    if committed == actual {
        return String::new();
    }
    TextDiff::from_lines(committed, actual)
        .unified_diff()
        .context_radius(CONTEXT)
        .header("snapshot", "actual")
        .to_string()
}

/// Colours a unified diff: red removals, green additions, cyan hunk headers, bold file headers.
/// Honours `colored`'s global override (callers decide whether colour is wanted).
pub fn colorize_diff(diff: &str) -> String {
    diff.split_inclusive('\n')
        .map(|line| {
            let (text, newline) = match line.strip_suffix('\n') {
                Some(text) => (text, "\n"),
                None => (line, ""),
            };
            format!("{}{newline}", colour_line(text))
        })
        .collect()
}

fn colour_line(line: &str) -> ColoredString {
    if line.starts_with("--- ") || line.starts_with("+++ ") {
        line.bold()
    } else if line.starts_with("@@") {
        line.cyan()
    } else if line.starts_with('-') {
        line.red()
    } else if line.starts_with('+') {
        line.green()
    } else {
        line.normal()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const OLD: &str = "{\n  \"a\": 1,\n  \"b\": 2,\n  \"c\": 3,\n  \"d\": 4,\n  \"e\": 5,\n  \"f\": 6,\n  \"g\": 7\n}\n";

    #[test]
    fn diff_of_a_changed_value() {
        let new = OLD.replace("\"f\": 6", "\"f\": 60");
        insta::assert_snapshot!(unified_diff(OLD, &new));
    }

    #[test]
    fn equal_texts_have_no_diff() {
        assert_eq!(unified_diff(OLD, OLD), "");
    }

    #[test]
    fn colours_each_kind_of_line() {
        // Inspects the styles rather than escape codes: the colour override is process-global.
        use colored::{Color, Styles};
        assert_eq!(colour_line("-a").fgcolor, Some(Color::Red));
        assert_eq!(colour_line("+b").fgcolor, Some(Color::Green));
        assert_eq!(colour_line("@@ -1 +1 @@").fgcolor, Some(Color::Cyan));
        assert!(colour_line("--- snapshot").style.contains(Styles::Bold));
        assert!(colour_line("+++ actual").style.contains(Styles::Bold));
        assert_eq!(colour_line(" c").fgcolor, None);
    }

    #[test]
    fn plain_when_colour_is_off() {
        colored::control::set_override(false);
        let diff = "--- snapshot\n+++ actual\n@@ -1 +1 @@\n-a\n+b\n";
        assert_eq!(colorize_diff(diff), diff);
    }
}
