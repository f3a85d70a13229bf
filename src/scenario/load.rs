//! Loading scenario files: discovery, strict YAML parsing (unknown keys, duplicate keys and YAML
//! 1.1 booleans are errors) and semantic validation, with rustc-style `file:line:col` errors.

pub use super::error::LoadError;
use super::model::ScenarioFile;
use super::validate::validate;
use serde_json::Value;
use std::path::{Path, PathBuf};

/// A loaded, validated scenario.
#[derive(Debug, Clone)]
pub struct Scenario {
    pub def: ScenarioFile,
    /// The file as given (relative paths stay relative).
    pub path: PathBuf,
    /// Fixture bodies resolved at load time: (step name, parsed JSON).
    pub fixtures: Vec<(String, Value)>,
}

impl Scenario {
    pub fn fixture(&self, step: &str) -> Option<&Value> {
        self.fixtures
            .iter()
            .find(|(s, _)| s == step)
            .map(|(_, v)| v)
    }

    /// The path shown to users (forward slashes).
    pub fn display_path(&self) -> String {
        self.path.display().to_string().replace('\\', "/")
    }
}

/// Finds scenario files: each path is a file or a directory searched recursively for
/// `*.yaml` / `*.yml`. Results are sorted for a stable order.
pub fn discover(paths: &[PathBuf]) -> Result<Vec<PathBuf>, LoadError> {
    let mut found = Vec::new();
    for path in paths {
        if path.is_dir() {
            walk(path, &mut Vec::new(), &mut found)
                .map_err(|(at, message)| LoadError::whole_file(&at, message))?;
        } else if path.is_file() {
            found.push(path.clone());
        } else {
            return Err(LoadError::whole_file(
                path,
                "no such scenario file or directory",
            ));
        }
    }
    found.sort();
    found.dedup();
    Ok(found)
}

/// Collects scenario files under `dir`, following symlinks; `open` holds the resolved folders
/// being walked, so a symlink back into one of them is one error, not endless nesting.
fn walk(
    dir: &Path,
    open: &mut Vec<PathBuf>,
    found: &mut Vec<PathBuf>,
) -> Result<(), (PathBuf, String)> {
    let cannot_read =
        |e: std::io::Error| (dir.to_path_buf(), format!("cannot read directory: {e}"));
    let real = dir.canonicalize().map_err(cannot_read)?;
    if let Some(ancestor) = open.iter().find(|a| **a == real) {
        return Err((
            dir.to_path_buf(),
            format!(
                "symlink loop: this folder is {}, which contains it; remove the link or point it elsewhere",
                ancestor.display()
            ),
        ));
    }
    open.push(real);
    for entry in std::fs::read_dir(dir).map_err(cannot_read)? {
        let path = entry.map_err(cannot_read)?.path();
        if path.is_dir() {
            walk(&path, open, found)?;
        } else if matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("yaml" | "yml")
        ) {
            found.push(path);
        }
    }
    open.pop();
    Ok(())
}

/// Reads, parses and validates one scenario file. `is_check` tells whether a check id exists.
pub fn load_file(path: &Path, is_check: &dyn Fn(&str) -> bool) -> Result<Scenario, LoadError> {
    let source = std::fs::read_to_string(path)
        .map_err(|e| LoadError::whole_file(path, format!("cannot read scenario file: {e}")))?;
    load_str(path, &source, is_check)
}

/// Parses and validates scenario text that came from `path`.
pub fn load_str(
    path: &Path,
    source: &str,
    is_check: &dyn Fn(&str) -> bool,
) -> Result<Scenario, LoadError> {
    let def: ScenarioFile = serde_saphyr::from_str_with_options(source, yaml_options(true))
        .map_err(|e| {
            let (line, col) = e
                .location()
                .map(|l| (l.line() as usize, l.column() as usize))
                .unwrap_or((0, 0));
            LoadError::at(path, source, line, col, yaml_message(&e))
        })?;
    reject_yaml11_booleans(path, source)?;
    let fixtures = validate(path, source, &def, is_check)?;
    Ok(Scenario {
        def,
        path: path.to_path_buf(),
        fixtures,
    })
}

fn yaml_options(strict: bool) -> serde_saphyr::Options {
    let mut options = serde_saphyr::Options::default();
    options.strict_booleans = strict;
    options.duplicate_keys = serde_saphyr::DuplicateKeyPolicy::Error;
    options
}

/// A YAML parse error as one plain sentence: serde-saphyr's location prefix removed, a known
/// key suggested for an unknown one, and its size limits ("budget") in words, not Debug text.
pub fn yaml_message(e: &serde_saphyr::Error) -> String {
    use serde_saphyr::budget::BudgetBreach;
    if let serde_saphyr::Error::Budget { breach, .. } = e.without_snippet() {
        let what = match breach {
            BudgetBreach::Nodes { nodes } => {
                format!("more than {} values", nodes.saturating_sub(1))
            }
            BudgetBreach::Depth { depth } => {
                format!("nesting deeper than {} levels", depth.saturating_sub(1))
            }
            BudgetBreach::Aliases { .. }
            | BudgetBreach::Anchors { .. }
            | BudgetBreach::AliasAnchorRatio { .. } => "too many anchors or aliases".into(),
            BudgetBreach::Documents { .. } => "too many YAML documents".into(),
            _ => "more content than a YAML file here may hold".into(),
        };
        return format!("the file is too large to read: {what}");
    }
    with_suggestion(first_line(&e.to_string()))
}

/// Adds "did you mean" to an unknown-key message when a known key is one or two edits away.
fn with_suggestion(message: String) -> String {
    let Some(rest) = message.strip_prefix("unknown field `") else {
        return message;
    };
    let Some((unknown, expected)) = rest.split_once("`, expected one of ") else {
        return message;
    };
    let best = expected
        .split(", ")
        .map(|k| {
            (
                edit_distance(unknown, k.trim_matches('`')),
                k.trim_matches('`'),
            )
        })
        .min()
        .filter(|(d, _)| *d <= 2);
    match best {
        Some((_, key)) => format!("{message} (did you mean `{key}`?)"),
        None => message,
    }
}

/// Levenshtein distance between two short keys.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

/// serde-saphyr prefixes its message with "line L column C: "; keep just the message.
fn first_line(message: &str) -> String {
    let line = message.lines().next().unwrap_or(message);
    let line = line.strip_prefix("error: ").unwrap_or(line);
    match line.find(": ") {
        Some(i) if line[..i].starts_with("line ") => line[i + 2..].to_string(),
        _ => line.to_string(),
    }
}

/// Inside free-form JSON bodies strict mode keeps `no` as the string "no"; parsing the file a
/// second time with YAML 1.1 rules reveals such unquoted YAML 1.1 booleans, which are errors.
fn reject_yaml11_booleans(path: &Path, source: &str) -> Result<(), LoadError> {
    let strict: Result<Value, _> = serde_saphyr::from_str_with_options(source, yaml_options(true));
    let loose: Result<Value, _> = serde_saphyr::from_str_with_options(source, yaml_options(false));
    if let (Ok(a), Ok(b)) = (strict, loose)
        && a != b
    {
        let re = regex::Regex::new(r"(?i)(?:^|[:\[,{-])\s*(yes|no|on|off|y|n)\s*(?:[,}\]#]|$)")
            .expect("valid regex");
        let (line, col, word) = source
            .lines()
            .enumerate()
            .find_map(|(i, l)| {
                re.captures(l).map(|c| {
                    (
                        i + 1,
                        c.get(1).map_or(1, |m| m.start() + 1),
                        c[1].to_string(),
                    )
                })
            })
            .unwrap_or((0, 0, "yes/no".into()));
        return Err(LoadError::at(
            path,
            source,
            line,
            col,
            format!(
                "`{word}` is a YAML 1.1 boolean: write true/false, or quote it (\"{word}\") if you mean the text"
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(src: &str) -> Result<Scenario, LoadError> {
        load_str(Path::new("scenarios/t.yaml"), src, &|id| {
            id == "list-response.shape"
        })
    }

    const OK: &str = "format: 1\nname: t\nusers:\n  alice: {given_name: Alice, family_name: Doe}\nsteps:\n  - name: probe\n    request: {method: GET, path: /Users, query: \"filter=userName%20eq%20%22{{alice.user_name|url}}%22\"}\n    expect: {status: 200, checks: [list-response.shape]}\n    capture: {alice.id: {json: \"$.Resources[0].id\"}}\n  - name: read\n    request: {method: GET, path: \"/Users/{{alice.id}}\"}\n";

    #[test]
    fn loads_a_valid_scenario() {
        let s = load(OK).unwrap();
        assert_eq!(s.def.steps.len(), 2);
    }

    #[test]
    fn reports_unknown_keys_with_location() {
        let err = load("format: 1\nname: t\nstepz: []\n").unwrap_err();
        assert_eq!((err.line, err.column), (3, 1));
        assert!(
            err.message.contains("unknown field `stepz`"),
            "{}",
            err.message
        );
        let shown = err.to_string();
        assert!(shown.contains("--> scenarios/t.yaml:3:1"), "{shown}");
        assert!(shown.contains("3 | stepz: []"), "{shown}");
    }

    #[test]
    fn suggests_the_closest_key() {
        let err = load("format: 1\nname: t\nstepz: []\n").unwrap_err();
        assert!(
            err.message.ends_with("(did you mean `steps`?)"),
            "{}",
            err.message
        );
        let far = load("format: 1\nname: t\nwhatever: []\n").unwrap_err();
        assert!(!far.message.contains("did you mean"), "{}", far.message);
        assert_eq!(edit_distance("reqest", "request"), 1);
    }

    #[test]
    fn rejects_duplicate_keys_and_yaml11_booleans() {
        let dup = load("format: 1\nname: t\nname: u\nsteps: []\n").unwrap_err();
        assert!(dup.message.contains("duplicate"), "{}", dup.message);
        let b = load("format: 1\nname: t\nsteps:\n  - name: a\n    request: {method: POST, path: /Users, body: {active: no}}\n").unwrap_err();
        assert_eq!(b.line, 5, "{b}");
        assert!(b.message.contains("YAML 1.1 boolean"), "{}", b.message);
        let snap = load("format: 1\nname: t\nsteps:\n  - name: a\n    snapshot: no\n    request: {method: GET, path: /Users}\n").unwrap_err();
        assert_eq!(snap.line, 5, "{snap}");
    }

    #[test]
    fn rejects_undefined_variables_and_unknown_checks() {
        let e = load(&OK.replace("{{alice.id}}", "{{bob.id}}")).unwrap_err();
        assert!(e.message.contains("bob.id"), "{}", e.message);
        assert_eq!(
            (e.line, e.column),
            (11, 42),
            "the variable itself is pointed at: {e}"
        );
        let e =
            load(&OK.replace("checks: [list-response.shape]", "checks: [no.such]")).unwrap_err();
        assert!(
            e.message.contains("unknown check `no.such`"),
            "{}",
            e.message
        );
        assert_eq!(e.line, 8, "the unknown id in `checks:` is pointed at: {e}");
    }

    #[test]
    fn rejects_bad_assertions_and_queries() {
        let e = load(&OK.replace(
            "expect: {status: 200,",
            "expect: {body: [{path: \"$.x\"}], status: 200,",
        ))
        .unwrap_err();
        assert!(e.message.contains("exactly one of"), "{}", e.message);
        let e = load(&OK.replace("query: \"filter", "query: \"?filter")).unwrap_err();
        assert!(e.message.contains("byte for byte"), "{}", e.message);
    }
}
