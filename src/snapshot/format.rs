//! The snapshot file format: a `---`-delimited header of `key: value` lines (values quoted with
//! JSON string escaping, which YAML reads the same way), then the normalized document as
//! pretty-printed JSON with LF endings and a trailing newline. Rendering and parsing only.

use serde_json::Value;

/// The only format version this build reads and writes.
pub const FORMAT_VERSION: u32 = 1;

/// Provenance written above the document. `target` and `recorded_at` are reviewer-only: they
/// appear in pending `.snap.new` files and are stripped when a snapshot is accepted.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SnapshotHeader {
    pub scenario: String,
    pub step: String,
    pub dialect: String,
    /// `METHOD /path?query`, e.g. `POST /Users`.
    pub request: String,
    /// The scenario file, e.g. `scenarios/okta/push-user.yaml`.
    pub source: String,
    /// Volatile: what the run was pointed at.
    pub target: Option<String>,
    /// Volatile: when the pending file was written (RFC 3339).
    pub recorded_at: Option<String>,
    /// Volatile: why the step that produced this pending file failed. `accept` refuses such
    /// files unless `--include-failing`, so a server bug is not baked into the baseline.
    pub failing: Option<String>,
}

impl SnapshotHeader {
    /// Removes the reviewer-only fields, as done when a pending file is accepted.
    pub fn strip_volatile(&mut self) {
        self.target = None;
        self.recorded_at = None;
        self.failing = None;
    }

    fn fields(&self) -> Vec<(&'static str, &str)> {
        let mut fields = vec![
            ("scenario", self.scenario.as_str()),
            ("step", self.step.as_str()),
            ("dialect", self.dialect.as_str()),
            ("request", self.request.as_str()),
            ("source", self.source.as_str()),
        ];
        if let Some(target) = &self.target {
            fields.push(("target", target));
        }
        if let Some(at) = &self.recorded_at {
            fields.push(("recorded_at", at));
        }
        if let Some(why) = &self.failing {
            fields.push(("failing", why));
        }
        fields
    }
}

/// One snapshot file: header plus normalized document.
#[derive(Debug, Clone, PartialEq)]
pub struct SnapshotFile {
    pub header: SnapshotHeader,
    pub document: Value,
}

impl SnapshotFile {
    /// The file's text: header, `---`, pretty JSON, trailing newline, LF endings.
    pub fn render(&self) -> String {
        let mut out = format!("---\nformat: {FORMAT_VERSION}\n");
        for (key, value) in self.header.fields() {
            out.push_str(&format!("{key}: {}\n", quote(value)));
        }
        out.push_str("---\n");
        out.push_str(&render_document(&self.document));
        out
    }

    /// Parses a file's text (CRLF tolerated). The error says what is wrong, without the path.
    pub fn parse(text: &str) -> Result<SnapshotFile, String> {
        let text = text.replace("\r\n", "\n");
        let rest = text
            .strip_prefix("---\n")
            .ok_or("it does not start with a `---` line")?;
        let (header_text, body) = split_header(rest)?;
        let header = parse_header(header_text)?;
        if body.trim().is_empty() {
            return Err("the JSON document after the header is missing".into());
        }
        let document =
            serde_json::from_str(body).map_err(|e| format!("the JSON document is invalid: {e}"))?;
        Ok(SnapshotFile { header, document })
    }
}

/// The document as stored: 2-space indented JSON, keys sorted, trailing newline.
pub fn render_document(document: &Value) -> String {
    let mut text =
        serde_json::to_string_pretty(&sorted_keys(document)).unwrap_or_else(|_| "null".into());
    text.push('\n');
    text
}

/// A copy of `value` with every object's keys in sorted order (maps keep insertion order).
fn sorted_keys(value: &Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut out: serde_json::Map<String, Value> = map
                .iter()
                .map(|(k, v)| (k.clone(), sorted_keys(v)))
                .collect();
            out.sort_keys();
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(items.iter().map(sorted_keys).collect()),
        scalar => scalar.clone(),
    }
}

fn quote(value: &str) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "\"\"".into())
}

fn split_header(rest: &str) -> Result<(&str, &str), String> {
    if let Some(body) = rest.strip_prefix("---\n") {
        return Ok(("", body));
    }
    let end = rest
        .find("\n---\n")
        .or_else(|| rest.strip_suffix("\n---").map(str::len))
        .ok_or("the header has no closing `---` line")?;
    let body = rest.get(end + 5..).unwrap_or("");
    Ok((&rest[..end], body))
}

fn parse_header(text: &str) -> Result<SnapshotHeader, String> {
    let mut header = SnapshotHeader::default();
    let mut format = None;
    let mut seen = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        let (key, raw) = line
            .split_once(':')
            .ok_or_else(|| format!("header line {} is not `key: value`", n + 2))?;
        let key = key.trim();
        let value = unquote(raw.trim()).map_err(|e| format!("header field `{key}`: {e}"))?;
        if seen.contains(&key) {
            return Err(format!("header field `{key}` appears twice"));
        }
        seen.push(key);
        match key {
            "format" => format = Some(value),
            "scenario" => header.scenario = value,
            "step" => header.step = value,
            "dialect" => header.dialect = value,
            "request" => header.request = value,
            "source" => header.source = value,
            "target" => header.target = Some(value),
            "recorded_at" => header.recorded_at = Some(value),
            "failing" => header.failing = Some(value),
            _ => {} // Unknown fields are ignored (forward compatibility).
        }
    }
    check_format(format.as_deref())?;
    for required in ["scenario", "step", "dialect", "request"] {
        if !seen.contains(&required) {
            return Err(format!("header field `{required}` is missing"));
        }
    }
    Ok(header)
}

fn check_format(format: Option<&str>) -> Result<(), String> {
    match format {
        None => Err("header field `format` is missing".into()),
        Some(v) if v == FORMAT_VERSION.to_string() => Ok(()),
        Some(v) => Err(format!(
            "format {v:?} is not supported (this build reads format {FORMAT_VERSION})"
        )),
    }
}

/// A JSON-quoted string, or a bare token taken as is.
fn unquote(raw: &str) -> Result<String, String> {
    if raw.starts_with('"') {
        serde_json::from_str(raw).map_err(|e| format!("bad quoted value {raw}: {e}"))
    } else {
        Ok(raw.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn sample(volatile: bool) -> SnapshotFile {
        SnapshotFile {
            header: SnapshotHeader {
                scenario: "okta/push-user".into(),
                step: "create user".into(),
                dialect: "put".into(),
                request: "POST /Users".into(),
                source: "scenarios/okta/push-user.yaml".into(),
                failing: None,
                target: volatile.then(|| "http://127.0.0.1:41234/scim/v2".into()),
                recorded_at: volatile.then(|| "2024-05-01T10:00:00Z".into()),
            },
            document: json!({
                "status": 201,
                "headers": {"content-type": "application/scim+json", "location": "{{base}}/Users/{{alice.id}}"},
                "body": {"id": "{{alice.id}}", "userName": "{{alice.login}}", "active": true,
                         "emails": [{"value": "{{alice.login}}", "primary": true}]}
            }),
        }
    }

    #[test]
    fn rendered_snapshot_file() {
        insta::assert_snapshot!(sample(false).render());
    }

    #[test]
    fn round_trips_with_and_without_volatile_fields() {
        for volatile in [false, true] {
            let file = sample(volatile);
            assert_eq!(SnapshotFile::parse(&file.render()).unwrap(), file);
        }
    }

    #[test]
    fn strip_volatile_matches_committed_form() {
        let mut pending = sample(true);
        pending.header.strip_volatile();
        assert_eq!(pending.render(), sample(false).render());
    }

    #[test]
    fn escapes_awkward_header_values() {
        let mut file = sample(false);
        file.header.step = "say \"hi\": now\n---".into();
        let text = file.render();
        assert!(text.contains(r#"step: "say \"hi\": now\n---""#), "{text}");
        assert_eq!(SnapshotFile::parse(&text).unwrap(), file);
    }

    #[test]
    fn accepts_crlf_and_unknown_fields() {
        let text = sample(false)
            .render()
            .replace("format: 1\n", "format: 1\nfuture: \"x\"\n")
            .replace('\n', "\r\n");
        assert_eq!(SnapshotFile::parse(&text).unwrap(), sample(false));
    }

    #[test]
    fn reports_what_is_wrong() {
        let good = sample(false).render();
        let cases = [
            ("{}".to_string(), "does not start"),
            ("---\nformat: 1\n".to_string(), "no closing"),
            (good.replace("format: 1", "format: 2"), "not supported"),
            (good.replace("format: 1\n", ""), "`format` is missing"),
            (good.replace("step: ", "# step: "), "`step` is missing"),
            (good.replace("scenario: ", "scenario "), "not `key: value`"),
            (good.replace("\"put\"", "\"put"), "bad quoted value"),
            (
                good.replace("\"status\": 201", "\"status\": "),
                "JSON document is invalid",
            ),
            (good[..good.find("{").unwrap()].to_string(), "missing"),
        ];
        for (text, expected) in cases {
            let err = SnapshotFile::parse(&text).unwrap_err();
            assert!(
                err.contains(expected),
                "{err:?} should mention {expected:?}"
            );
        }
    }
}
