//! The scenario error: a file that cannot be used, located in its source (`file:line:col` with
//! the offending line and a caret, as rustc shows them). Loading and validation both build it.

use std::fmt;
use std::path::Path;

/// A scenario file that cannot be used, located in its source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadError {
    pub path: String,
    pub line: usize,
    pub column: usize,
    pub message: String,
    /// The offending source line, when known.
    pub source_line: Option<String>,
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "error: {}", self.message)?;
        if self.line == 0 {
            return write!(f, "  --> {}", self.path);
        }
        writeln!(f, "  --> {}:{}:{}", self.path, self.line, self.column)?;
        if let Some(src) = &self.source_line {
            let gutter = self.line.to_string();
            let pad = " ".repeat(gutter.len());
            let (shown, caret) = window(src, self.column.saturating_sub(1));
            writeln!(f, "{pad} |")?;
            writeln!(f, "{gutter} | {shown}")?;
            write!(f, "{pad} | {}^", " ".repeat(caret))?;
        }
        Ok(())
    }
}

impl std::error::Error for LoadError {}

/// At most 100 characters of a long source line around the 0-based character `column`, with
/// `…` where it was cut, and the caret's position in what is shown.
fn window(line: &str, column: usize) -> (String, usize) {
    const WIDTH: usize = 100;
    let chars: Vec<char> = line.chars().collect();
    if chars.len() <= WIDTH {
        return (line.to_string(), column);
    }
    let start = column.saturating_sub(WIDTH / 2).min(chars.len() - WIDTH);
    let end = start + WIDTH;
    let mut shown = String::new();
    if start > 0 {
        shown.push('…');
    }
    shown.extend(&chars[start..end]);
    if end < chars.len() {
        shown.push('…');
    }
    (shown, column - start + usize::from(start > 0))
}

impl LoadError {
    pub(super) fn at(
        path: &Path,
        source: &str,
        line: usize,
        column: usize,
        message: impl Into<String>,
    ) -> Self {
        LoadError {
            path: path.display().to_string(),
            line,
            column: column.max(1),
            message: message.into(),
            source_line: source.lines().nth(line.wrapping_sub(1)).map(str::to_string),
        }
    }

    pub(super) fn whole_file(path: &Path, message: impl Into<String>) -> Self {
        LoadError {
            path: path.display().to_string(),
            line: 0,
            column: 0,
            message: message.into(),
            source_line: None,
        }
    }
}
