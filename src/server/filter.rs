//! RFC 7644 §3.4.2.2 filter expressions: the parser (with positioned errors) and the evaluator
//! over rendered SCIM resources, honouring `caseExact` from the schema.

use super::schema::{self, AttrType, ResourceKind};
use serde_json::Value;

/// Deepest nesting of parentheses / brackets / `not` the parser accepts.
const MAX_DEPTH: usize = 50;

/// An attribute path inside a filter: optional schema URN, attribute, optional sub-attribute.
#[derive(Debug, Clone, PartialEq)]
pub struct AttrPath {
    pub urn: Option<String>,
    pub attr: String,
    pub sub: Option<String>,
}

impl AttrPath {
    /// Parses `name`, `name.sub`, `urn:...:name.sub`.
    pub fn parse(text: &str) -> Option<AttrPath> {
        let (urn, rest) = if text.len() > 4
            && text
                .get(..4)
                .is_some_and(|p| p.eq_ignore_ascii_case("urn:"))
        {
            let idx = text.rfind(':')?;
            (Some(text[..idx].to_string()), &text[idx + 1..])
        } else {
            (None, text)
        };
        let mut parts = rest.splitn(2, '.');
        let attr = parts.next()?.to_string();
        let sub = parts.next().map(str::to_string);
        let valid = |s: &str| {
            !s.is_empty()
                && s.chars()
                    .next()
                    .is_some_and(|c| c.is_ascii_alphabetic() || c == '$')
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '$')
        };
        if !valid(&attr) || sub.as_deref().is_some_and(|s| !valid(s)) {
            return None;
        }
        Some(AttrPath { urn, attr, sub })
    }

    /// The schema path used for lookups (`emails.value`, `urn:…:manager.value`).
    pub fn schema_path(&self) -> String {
        let mut p = match &self.urn {
            Some(u) => format!("{u}:{}", self.attr),
            None => self.attr.clone(),
        };
        if let Some(s) = &self.sub {
            p.push('.');
            p.push_str(s);
        }
        p
    }
}

/// Comparison operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompareOp {
    Eq,
    Ne,
    Co,
    Sw,
    Ew,
    Gt,
    Ge,
    Lt,
    Le,
}

/// A literal on the right-hand side of a comparison.
#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    Str(String),
    Bool(bool),
    Num(f64),
    Null,
}

/// A parsed filter.
#[derive(Debug, Clone, PartialEq)]
pub enum Filter {
    Or(Box<Filter>, Box<Filter>),
    And(Box<Filter>, Box<Filter>),
    Not(Box<Filter>),
    Present(AttrPath),
    Compare(AttrPath, CompareOp, Literal),
    /// `attr[filter]` optionally followed by `.sub op value` / `.sub pr`, evaluated per element.
    ValuePath(AttrPath, Box<Filter>, Option<Box<Filter>>),
}

/// Where and why a filter failed to parse.
#[derive(Debug, Clone, PartialEq)]
pub struct FilterError {
    /// 1-based character position.
    pub position: usize,
    pub message: String,
}

impl std::fmt::Display for FilterError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "at character {}: {}", self.position, self.message)
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Word(String),
    Str(String),
    LParen,
    RParen,
    LBracket,
    RBracket,
}

fn is_word_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | ':' | '.' | '$' | '-' | '+')
}

fn tokenize(input: &str) -> Result<Vec<(Tok, usize)>, FilterError> {
    let chars: Vec<char> = input.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    let err = |pos: usize, m: &str| FilterError {
        position: pos + 1,
        message: m.to_string(),
    };
    while i < chars.len() {
        let c = chars[i];
        match c {
            c if c.is_whitespace() => i += 1,
            '(' => {
                out.push((Tok::LParen, i));
                i += 1;
            }
            ')' => {
                out.push((Tok::RParen, i));
                i += 1;
            }
            '[' => {
                out.push((Tok::LBracket, i));
                i += 1;
            }
            ']' => {
                out.push((Tok::RBracket, i));
                i += 1;
            }
            '"' => {
                let start = i;
                i += 1;
                let mut s = String::new();
                loop {
                    let Some(&c) = chars.get(i) else {
                        return Err(err(start, "unterminated string literal"));
                    };
                    i += 1;
                    match c {
                        '"' => break,
                        '\\' => {
                            let Some(&e) = chars.get(i) else {
                                return Err(err(i - 1, "unterminated escape in string literal"));
                            };
                            i += 1;
                            match e {
                                '"' => s.push('"'),
                                '\\' => s.push('\\'),
                                '/' => s.push('/'),
                                'b' => s.push('\u{8}'),
                                'f' => s.push('\u{c}'),
                                'n' => s.push('\n'),
                                'r' => s.push('\r'),
                                't' => s.push('\t'),
                                'u' => {
                                    let hex: String = chars.iter().skip(i).take(4).collect();
                                    let code = (hex.len() == 4)
                                        .then(|| u32::from_str_radix(&hex, 16).ok())
                                        .flatten()
                                        .ok_or_else(|| err(i - 2, "invalid \\u escape"))?;
                                    s.push(char::from_u32(code).unwrap_or('\u{fffd}'));
                                    i += 4;
                                }
                                _ => return Err(err(i - 2, "invalid escape in string literal")),
                            }
                        }
                        c => s.push(c),
                    }
                }
                out.push((Tok::Str(s), start));
            }
            c if is_word_char(c) => {
                let start = i;
                while i < chars.len() && is_word_char(chars[i]) {
                    i += 1;
                }
                out.push((Tok::Word(chars[start..i].iter().collect()), start));
            }
            _ => return Err(err(i, &format!("unexpected character '{c}'"))),
        }
    }
    Ok(out)
}

struct Parser {
    toks: Vec<(Tok, usize)>,
    pos: usize,
    end: usize,
    depth: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos).map(|t| &t.0)
    }

    fn here(&self) -> usize {
        self.toks.get(self.pos).map_or(self.end, |t| t.1) + 1
    }

    fn fail<T>(&self, message: impl Into<String>) -> Result<T, FilterError> {
        Err(FilterError {
            position: self.here(),
            message: message.into(),
        })
    }

    fn keyword(&self, kw: &str) -> bool {
        matches!(self.peek(), Some(Tok::Word(w)) if w.eq_ignore_ascii_case(kw))
    }

    fn enter(&mut self) -> Result<(), FilterError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return self.fail("filter nested too deeply");
        }
        Ok(())
    }

    fn or_expr(&mut self) -> Result<Filter, FilterError> {
        let mut left = self.and_expr()?;
        while self.keyword("or") {
            self.pos += 1;
            let right = self.and_expr()?;
            left = Filter::Or(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn and_expr(&mut self) -> Result<Filter, FilterError> {
        let mut left = self.unary()?;
        while self.keyword("and") {
            self.pos += 1;
            let right = self.unary()?;
            left = Filter::And(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn unary(&mut self) -> Result<Filter, FilterError> {
        if self.keyword("not") && matches!(self.toks.get(self.pos + 1), Some((Tok::LParen, _))) {
            self.pos += 1;
            self.enter()?;
            let inner = self.atom()?;
            self.depth -= 1;
            return Ok(Filter::Not(Box::new(inner)));
        }
        self.atom()
    }

    fn atom(&mut self) -> Result<Filter, FilterError> {
        match self.peek().cloned() {
            Some(Tok::LParen) => {
                self.pos += 1;
                self.enter()?;
                let inner = self.or_expr()?;
                if self.peek() != Some(&Tok::RParen) {
                    return self.fail("expected ')'");
                }
                self.pos += 1;
                self.depth -= 1;
                Ok(inner)
            }
            Some(Tok::Word(w)) => {
                let Some(path) = AttrPath::parse(&w) else {
                    return self.fail(format!("invalid attribute path '{w}'"));
                };
                self.pos += 1;
                if self.peek() == Some(&Tok::LBracket) {
                    if path.sub.is_some() {
                        return self.fail("a value filter '[' must follow a top-level attribute");
                    }
                    self.pos += 1;
                    self.enter()?;
                    let inner = self.or_expr()?;
                    if self.peek() != Some(&Tok::RBracket) {
                        return self.fail("expected ']'");
                    }
                    self.pos += 1;
                    self.depth -= 1;
                    // Optional `.sub op value` after the bracket.
                    if let Some(Tok::Word(w)) = self.peek().cloned()
                        && let Some(sub) = w.strip_prefix('.')
                    {
                        let Some(sub_path) =
                            AttrPath::parse(sub).filter(|p| p.sub.is_none() && p.urn.is_none())
                        else {
                            return self.fail(format!("invalid sub-attribute '{sub}'"));
                        };
                        self.pos += 1;
                        let then = self.comparison(sub_path)?;
                        return Ok(Filter::ValuePath(
                            path,
                            Box::new(inner),
                            Some(Box::new(then)),
                        ));
                    }
                    return Ok(Filter::ValuePath(path, Box::new(inner), None));
                }
                self.comparison(path)
            }
            Some(_) => self.fail("expected an attribute name or '('"),
            None => self.fail("unexpected end of filter; expected an attribute name or '('"),
        }
    }

    fn comparison(&mut self, path: AttrPath) -> Result<Filter, FilterError> {
        let op = match self.peek() {
            Some(Tok::Word(w)) => w.to_ascii_lowercase(),
            _ => return self.fail("expected an operator (eq, ne, co, sw, ew, gt, ge, lt, le, pr)"),
        };
        let op = match op.as_str() {
            "pr" => {
                self.pos += 1;
                return Ok(Filter::Present(path));
            }
            "eq" => CompareOp::Eq,
            "ne" => CompareOp::Ne,
            "co" => CompareOp::Co,
            "sw" => CompareOp::Sw,
            "ew" => CompareOp::Ew,
            "gt" => CompareOp::Gt,
            "ge" => CompareOp::Ge,
            "lt" => CompareOp::Lt,
            "le" => CompareOp::Le,
            other => return self.fail(format!("unknown operator '{other}'")),
        };
        self.pos += 1;
        let lit = match self.peek().cloned() {
            Some(Tok::Str(s)) => Literal::Str(s),
            Some(Tok::Word(w)) => match w.to_ascii_lowercase().as_str() {
                "true" => Literal::Bool(true),
                "false" => Literal::Bool(false),
                "null" => Literal::Null,
                _ => match parse_number(&w) {
                    Some(n) => Literal::Num(n),
                    None => {
                        return self.fail(format!(
                            "expected a value (\"string\", true, false, null or a number), found '{w}'"
                        ));
                    }
                },
            },
            _ => return self.fail("expected a value (\"string\", true, false, null or a number)"),
        };
        self.pos += 1;
        Ok(Filter::Compare(path, op, lit))
    }
}

fn parse_number(w: &str) -> Option<f64> {
    let ok = w
        .chars()
        .next()
        .is_some_and(|c| c == '-' || c.is_ascii_digit())
        && w.chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '-' | '+' | '.' | 'e' | 'E'));
    if !ok {
        return None;
    }
    w.parse::<f64>().ok().filter(|n| n.is_finite())
}

/// Parses a filter expression.
pub fn parse(input: &str) -> Result<Filter, FilterError> {
    let toks = tokenize(input)?;
    let mut p = Parser {
        toks,
        pos: 0,
        end: input.chars().count(),
        depth: 0,
    };
    let f = p.or_expr()?;
    if p.pos < p.toks.len() {
        return p.fail("unexpected trailing input; expected 'and', 'or' or the end of the filter");
    }
    Ok(f)
}

/// Evaluation settings.
#[derive(Debug, Clone, Copy)]
pub struct EvalContext {
    pub kind: ResourceKind,
    /// Quirk `filter-case-sensitive`: compare every string case-sensitively.
    pub force_case_exact: bool,
}

/// Case-insensitive key lookup in a JSON object.
pub fn get_ci<'a>(obj: &'a Value, key: &str) -> Option<&'a Value> {
    let map = obj.as_object()?;
    map.get(key).or_else(|| {
        map.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v)
    })
}

impl Filter {
    /// Whether `resource` (a rendered SCIM resource) matches.
    pub fn matches(&self, resource: &Value, ctx: &EvalContext) -> bool {
        eval(self, resource, None, ctx)
    }

    /// Whether one element of the multi-valued attribute `parent` (e.g. a member) matches.
    pub fn matches_element(&self, element: &Value, parent: &str, ctx: &EvalContext) -> bool {
        eval(self, element, Some(parent), ctx)
    }
}

/// Values addressed by `path` inside `scope`. `parent` is set inside a value filter.
fn resolve<'a>(
    scope: &'a Value,
    path: &AttrPath,
    parent: Option<&str>,
    ctx: &EvalContext,
) -> Vec<&'a Value> {
    let container = match (&path.urn, parent) {
        (Some(urn), None) if !urn.eq_ignore_ascii_case(ctx.kind.core_schema()) => {
            match get_ci(scope, urn) {
                Some(c) => c,
                None => return Vec::new(),
            }
        }
        _ => scope,
    };
    let Some(top) = get_ci(container, &path.attr) else {
        return Vec::new();
    };
    let tops: Vec<&Value> = match top {
        Value::Array(items) => items.iter().collect(),
        v => vec![v],
    };
    match &path.sub {
        Some(sub) => tops.into_iter().filter_map(|t| get_ci(t, sub)).collect(),
        None => tops
            .into_iter()
            .map(|t| {
                if t.is_object() {
                    get_ci(t, "value").unwrap_or(t)
                } else {
                    t
                }
            })
            .collect(),
    }
}

fn attr_type(path: &AttrPath, parent: Option<&str>, ctx: &EvalContext) -> (AttrType, bool) {
    let full = match parent {
        Some(p) => format!("{p}.{}", path.attr),
        None => {
            let mut sp = path.schema_path();
            if path.sub.is_none()
                && schema::lookup(ctx.kind, &sp).is_some_and(|a| a.ty == AttrType::Complex)
            {
                sp.push_str(".value");
            }
            sp
        }
    };
    match schema::lookup(ctx.kind, &full) {
        Some(a) => (a.ty, a.case_exact || ctx.force_case_exact),
        None => (AttrType::String, ctx.force_case_exact),
    }
}

fn eval(f: &Filter, scope: &Value, parent: Option<&str>, ctx: &EvalContext) -> bool {
    match f {
        Filter::Or(a, b) => eval(a, scope, parent, ctx) || eval(b, scope, parent, ctx),
        Filter::And(a, b) => eval(a, scope, parent, ctx) && eval(b, scope, parent, ctx),
        Filter::Not(a) => !eval(a, scope, parent, ctx),
        Filter::Present(p) => resolve(scope, p, parent, ctx).into_iter().any(|v| match v {
            Value::Null => false,
            Value::String(s) => !s.is_empty(),
            Value::Array(a) => !a.is_empty(),
            Value::Object(o) => !o.is_empty(),
            _ => true,
        }),
        Filter::Compare(p, op, lit) => {
            let values = resolve(scope, p, parent, ctx);
            let (ty, exact) = attr_type(p, parent, ctx);
            match op {
                CompareOp::Ne => !values
                    .iter()
                    .any(|v| compare(v, CompareOp::Eq, lit, ty, exact)),
                CompareOp::Eq if *lit == Literal::Null => {
                    values.is_empty() || values.iter().all(|v| v.is_null())
                }
                _ => values.iter().any(|v| compare(v, *op, lit, ty, exact)),
            }
        }
        Filter::ValuePath(p, inner, then) => {
            let container = match &p.urn {
                Some(urn) if !urn.eq_ignore_ascii_case(ctx.kind.core_schema()) => {
                    get_ci(scope, urn)
                }
                _ => Some(scope),
            };
            let Some(top) = container.and_then(|c| get_ci(c, &p.attr)) else {
                return false;
            };
            let parent_name = p.attr.as_str();
            let elements: Vec<&Value> = match top {
                Value::Array(a) => a.iter().collect(),
                v => vec![v],
            };
            elements.into_iter().any(|el| {
                eval(inner, el, Some(parent_name), ctx)
                    && then
                        .as_ref()
                        .is_none_or(|t| eval(t, el, Some(parent_name), ctx))
            })
        }
    }
}

fn compare(v: &Value, op: CompareOp, lit: &Literal, ty: AttrType, exact: bool) -> bool {
    use std::cmp::Ordering;
    let ord: Option<Ordering> = match (v, lit) {
        (Value::String(a), Literal::Str(b)) => {
            if ty == AttrType::DateTime
                && let (Ok(x), Ok(y)) = (
                    humantime::parse_rfc3339_weak(a),
                    humantime::parse_rfc3339_weak(b),
                )
            {
                Some(x.cmp(&y))
            } else if exact {
                return string_op(a, b, op);
            } else {
                return string_op(&a.to_lowercase(), &b.to_lowercase(), op);
            }
        }
        (Value::Bool(a), Literal::Bool(b)) => {
            return match op {
                CompareOp::Eq => a == b,
                _ => false,
            };
        }
        (Value::Number(a), Literal::Num(b)) => a.as_f64().and_then(|a| a.partial_cmp(b)),
        (Value::Null, Literal::Null) => Some(Ordering::Equal),
        _ => None,
    };
    let Some(ord) = ord else { return false };
    match op {
        CompareOp::Eq => ord == Ordering::Equal,
        CompareOp::Ne => ord != Ordering::Equal,
        CompareOp::Gt => ord == Ordering::Greater,
        CompareOp::Ge => ord != Ordering::Less,
        CompareOp::Lt => ord == Ordering::Less,
        CompareOp::Le => ord != Ordering::Greater,
        CompareOp::Co | CompareOp::Sw | CompareOp::Ew => false,
    }
}

fn string_op(a: &str, b: &str, op: CompareOp) -> bool {
    match op {
        CompareOp::Eq => a == b,
        CompareOp::Ne => a != b,
        CompareOp::Co => a.contains(b),
        CompareOp::Sw => a.starts_with(b),
        CompareOp::Ew => a.ends_with(b),
        CompareOp::Gt => a > b,
        CompareOp::Ge => a >= b,
        CompareOp::Lt => a < b,
        CompareOp::Le => a <= b,
    }
}

#[cfg(test)]
mod tests;
