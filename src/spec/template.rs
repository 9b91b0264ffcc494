//! `varsTemplate`: Go text/template (via `gtmpl`), parsed when the spec is loaded and executed
//! by the rule engine over a rule's matched features.
//!
//! NFD executes templates with Go's `text/template`, option `missingkey=error`, plus the Sprig
//! function map (without `env`, `expandenv`, `getHostByName`), and limits the source to 64 KiB
//! (`pkg/apis/nfd/template/template.go`). `gtmpl` has only Go's builtins, so this module adds
//! the Sprig string functions a vars template plausibly uses (see [`SPRIG_FUNCTIONS`]). A call
//! of any other function is rejected when the template is parsed, so a spec that uses one fails
//! at load time, not on a node.
//!
//! Known differences from Go that remain: `range` over a map visits keys in hash order (Go
//! sorts them), and a value printed with `{{ . }}` that is a map or list uses Rust's debug
//! shape rather than Go's `map[...]`/`[...]`.

use std::collections::BTreeMap;
use std::fmt;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;

use gtmpl::{Context, Func, FuncError, Template, Value};

/// The largest template source accepted, in bytes (NFD's limit).
pub const MAX_TEMPLATE_BYTES: usize = 64 * 1024;

/// The Sprig functions available to templates, besides Go's builtins (`eq`, `ne`, `lt`, `le`,
/// `gt`, `ge`, `len`, `and`, `or`, `not`, `urlquery`, `print`, `println`, `printf`, `index`,
/// `call`). Each behaves as its Sprig namesake, arguments in Sprig's order (the string last,
/// so they chain in pipelines: `{{ .Value | trimPrefix "v" | lower }}`).
pub const SPRIG_FUNCTIONS: [&str; 20] = [
    "lower",
    "upper",
    "title",
    "trim",
    "trimAll",
    "trimPrefix",
    "trimSuffix",
    "replace",
    "contains",
    "hasPrefix",
    "hasSuffix",
    "quote",
    "squote",
    "default",
    "empty",
    "join",
    "splitList",
    "toString",
    "repeat",
    "cat",
];

/// A parsed `varsTemplate`.
#[derive(Clone)]
pub struct VarsTemplate {
    source: String,
    template: Arc<Template>,
}

impl fmt::Debug for VarsTemplate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VarsTemplate")
            .field("source", &self.source)
            .finish_non_exhaustive()
    }
}

/// Why a template was rejected at load time or failed when executed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct TemplateError(pub String);

/// The name under which the template is parsed (shows up in gtmpl's messages).
const NAME: &str = "varsTemplate";

impl VarsTemplate {
    /// Parses a template; syntax errors, calls of unknown functions and a source over
    /// [`MAX_TEMPLATE_BYTES`] are rejected here.
    pub fn parse(source: &str) -> Result<VarsTemplate, TemplateError> {
        if source.len() > MAX_TEMPLATE_BYTES {
            return Err(TemplateError(format!(
                "template of {} bytes; the limit is {MAX_TEMPLATE_BYTES}",
                source.len()
            )));
        }
        check_lexable(source).map_err(|e| TemplateError(format!("invalid template: {e}")))?;
        let mut template = Template::with_name(NAME);
        template.add_funcs(&sprig_funcs());
        // gtmpl can panic on some malformed input (e.g. a backslash before a multi-byte
        // character inside a string literal); a bad spec must be an error, not a crash.
        let parsed = catch_unwind(AssertUnwindSafe(|| {
            template.parse(source).map_err(|e| e.to_string())
        }));
        match parsed {
            Ok(Ok(())) => {}
            Ok(Err(e)) => return Err(TemplateError(format!("invalid template: {e}"))),
            Err(_) => {
                return Err(TemplateError(
                    "invalid template: cannot be parsed".to_owned(),
                ));
            }
        }
        Ok(VarsTemplate {
            source: source.to_owned(),
            template: Arc::new(template),
        })
    }

    /// The template as written.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Executes the template over `data` and returns its output.
    pub fn render(&self, data: Value) -> Result<String, TemplateError> {
        let context = Context::from(data);
        let rendered = catch_unwind(AssertUnwindSafe(|| {
            self.template.render(&context).map_err(|e| e.to_string())
        }));
        match rendered {
            Ok(Ok(out)) => Ok(out),
            Ok(Err(e)) => Err(TemplateError(format!("executing template: {e}"))),
            Err(_) => Err(TemplateError(
                "executing template: internal error".to_owned(),
            )),
        }
    }

    /// Executes the template over `data` and reads its output as vars: one `key=value` per
    /// line (split at the first `=`), lines trimmed, blank lines skipped (NFD's
    /// `parseTemplateOutput`-style reading of `varsTemplate`).
    pub fn render_vars(&self, data: Value) -> Result<BTreeMap<String, String>, TemplateError> {
        let out = self.render(data)?;
        parse_vars(&out)
    }
}

/// The deepest nesting of parentheses or of `if`/`range`/`with` blocks accepted (gtmpl's parser
/// recurses on both, and a stack overflow cannot be caught).
const MAX_NESTING: usize = 64;

/// Rejects what gtmpl 0.7's lexer and parser cannot handle safely, before they see it.
///
/// gtmpl lexes on a thread and steps back one byte after reading past the end of the input or
/// past a multi-byte character. An action still open at the end of the template (`{{ .a `)
/// makes the lexer loop forever; a non-ASCII character inside an action, or right before a
/// `{{-` trim marker, makes it panic.
/// Deep nesting overflows the parser's stack, and `define`/`template`/`block` allow unbounded
/// recursion at execution. None of these occur in a sensible vars template, so they are
/// rejected here with a clear message. String literals are skipped the way gtmpl lexes them.
fn check_lexable(source: &str) -> Result<(), String> {
    let bytes = source.as_bytes();
    let mut i = 0;
    let mut blocks = 0usize;
    while let Some(offset) = source[i..].find("{{") {
        let open = i + offset;
        i = open + 2;
        if source[i..].starts_with("- ") {
            // gtmpl trims the preceding text by bytes, cutting a multi-byte character.
            if source[..open]
                .trim_end()
                .chars()
                .next_back()
                .is_some_and(|c| !c.is_ascii())
            {
                return Err(format!("non-ASCII character before `{{{{-` at byte {open}"));
            }
            i += 2;
        }
        if source[i..].starts_with("/*") {
            // A comment: gtmpl reports a missing `*/` or `}}` itself.
            match source[i..].find("*/") {
                Some(end) => i += end + 2,
                None => return Ok(()),
            }
            continue;
        }
        let keyword: String = source[i..]
            .trim_start()
            .chars()
            .take_while(char::is_ascii_alphabetic)
            .collect();
        match keyword.as_str() {
            "if" | "range" | "with" => {
                blocks += 1;
                if blocks > MAX_NESTING {
                    return Err(format!("blocks nested deeper than {MAX_NESTING}"));
                }
            }
            "end" => blocks = blocks.saturating_sub(1),
            "define" | "template" | "block" => {
                return Err(format!("`{keyword}` is not supported in a vars template"));
            }
            _ => {}
        }
        let mut parens = 0usize;
        loop {
            let Some(&b) = bytes.get(i) else {
                return Err(format!("unclosed action at byte {open}"));
            };
            match b {
                b'}' if bytes.get(i + 1) == Some(&b'}') => {
                    i += 2;
                    break;
                }
                b'"' | b'\'' | b'`' => {
                    // Skip the literal; at a newline or the end gtmpl reports it unterminated.
                    let quote = b;
                    i += 1;
                    while let Some(&c) = bytes.get(i) {
                        if c == b'\\' && quote != b'`' {
                            if bytes.get(i + 1).is_some_and(|n| !n.is_ascii()) {
                                return Err(format!("invalid escape in string at byte {i}"));
                            }
                            i += 2;
                            continue;
                        }
                        i += 1;
                        if c == quote || (c == b'\n' && quote != b'`') {
                            break;
                        }
                    }
                    if i > bytes.len() {
                        return Err(format!("unclosed action at byte {open}"));
                    }
                }
                b'(' => {
                    parens += 1;
                    if parens > MAX_NESTING {
                        return Err(format!("parentheses nested deeper than {MAX_NESTING}"));
                    }
                    i += 1;
                }
                b')' => {
                    parens = parens.saturating_sub(1);
                    i += 1;
                }
                b if !b.is_ascii() => {
                    return Err(format!("non-ASCII character in action at byte {i}"));
                }
                _ => i += 1,
            }
        }
    }
    Ok(())
}

/// Reads `key=value` lines: trimmed, blank skipped, a non-blank line without `=` is an error.
fn parse_vars(output: &str) -> Result<BTreeMap<String, String>, TemplateError> {
    let mut vars = BTreeMap::new();
    for line in output.lines() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let Some((key, value)) = line.split_once('=') else {
            return Err(TemplateError(format!(
                "missing value in expanded template line {line:?}"
            )));
        };
        vars.insert(key.to_owned(), value.to_owned());
    }
    Ok(vars)
}

fn sprig_funcs() -> Vec<(&'static str, Func)> {
    vec![
        ("lower", lower as Func),
        ("upper", upper as Func),
        ("title", title as Func),
        ("trim", trim as Func),
        ("trimAll", trim_all as Func),
        ("trimPrefix", trim_prefix as Func),
        ("trimSuffix", trim_suffix as Func),
        ("replace", replace as Func),
        ("contains", contains as Func),
        ("hasPrefix", has_prefix as Func),
        ("hasSuffix", has_suffix as Func),
        ("quote", quote as Func),
        ("squote", squote as Func),
        ("default", default as Func),
        ("empty", empty as Func),
        ("join", join as Func),
        ("splitList", split_list as Func),
        ("toString", to_string as Func),
        ("repeat", repeat as Func),
        ("cat", cat as Func),
    ]
}

/// Sprig's `strval`: strings as they are, everything else as printed.
fn strval(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Sprig's `empty`: the zero value of its type (Go's `reflect` notion).
fn is_empty(v: &Value) -> bool {
    match v {
        Value::NoValue | Value::Nil => true,
        Value::Bool(b) => !b,
        Value::String(s) => s.is_empty(),
        Value::Object(m) | Value::Map(m) => m.is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Function(_) => false,
        Value::Number(n) => n.as_f64() == Some(0.0),
    }
}

fn exactly<'a, const N: usize>(name: &str, args: &'a [Value]) -> Result<&'a [Value; N], FuncError> {
    args.try_into()
        .map_err(|_| FuncError::ExactlyXArgs(name.to_owned(), N))
}

fn lower(args: &[Value]) -> Result<Value, FuncError> {
    let [s] = exactly::<1>("lower", args)?;
    Ok(Value::from(strval(s).to_lowercase()))
}

fn upper(args: &[Value]) -> Result<Value, FuncError> {
    let [s] = exactly::<1>("upper", args)?;
    Ok(Value::from(strval(s).to_uppercase()))
}

fn title(args: &[Value]) -> Result<Value, FuncError> {
    let [s] = exactly::<1>("title", args)?;
    let mut out = String::new();
    let mut at_start = true;
    for c in strval(s).chars() {
        if at_start && c.is_alphanumeric() {
            out.extend(c.to_uppercase());
        } else {
            out.push(c);
        }
        at_start = !c.is_alphanumeric();
    }
    Ok(Value::from(out))
}

fn trim(args: &[Value]) -> Result<Value, FuncError> {
    let [s] = exactly::<1>("trim", args)?;
    Ok(Value::from(strval(s).trim()))
}

fn trim_all(args: &[Value]) -> Result<Value, FuncError> {
    let [cutset, s] = exactly::<2>("trimAll", args)?;
    let cutset = strval(cutset);
    Ok(Value::from(strval(s).trim_matches(|c| cutset.contains(c))))
}

fn trim_prefix(args: &[Value]) -> Result<Value, FuncError> {
    let [prefix, s] = exactly::<2>("trimPrefix", args)?;
    let s = strval(s);
    let prefix = strval(prefix);
    Ok(Value::from(s.strip_prefix(prefix.as_str()).unwrap_or(&s)))
}

fn trim_suffix(args: &[Value]) -> Result<Value, FuncError> {
    let [suffix, s] = exactly::<2>("trimSuffix", args)?;
    let s = strval(s);
    let suffix = strval(suffix);
    Ok(Value::from(s.strip_suffix(suffix.as_str()).unwrap_or(&s)))
}

fn replace(args: &[Value]) -> Result<Value, FuncError> {
    let [old, new, s] = exactly::<3>("replace", args)?;
    Ok(Value::from(strval(s).replace(&strval(old), &strval(new))))
}

fn contains(args: &[Value]) -> Result<Value, FuncError> {
    let [needle, s] = exactly::<2>("contains", args)?;
    Ok(Value::from(strval(s).contains(&strval(needle))))
}

fn has_prefix(args: &[Value]) -> Result<Value, FuncError> {
    let [prefix, s] = exactly::<2>("hasPrefix", args)?;
    Ok(Value::from(strval(s).starts_with(&strval(prefix))))
}

fn has_suffix(args: &[Value]) -> Result<Value, FuncError> {
    let [suffix, s] = exactly::<2>("hasSuffix", args)?;
    Ok(Value::from(strval(s).ends_with(&strval(suffix))))
}

/// Sprig's `quote`: each non-nil argument Go-quoted, joined by spaces.
#[expect(clippy::unnecessary_wraps, reason = "gtmpl's `Func` signature")]
fn quote(args: &[Value]) -> Result<Value, FuncError> {
    let quoted: Vec<String> = args
        .iter()
        .filter(|v| !matches!(v, Value::Nil | Value::NoValue))
        .map(|v| super::go_quote(&strval(v)))
        .collect();
    Ok(Value::from(quoted.join(" ")))
}

/// Sprig's `squote`: each non-nil argument in single quotes, joined by spaces.
#[expect(clippy::unnecessary_wraps, reason = "gtmpl's `Func` signature")]
fn squote(args: &[Value]) -> Result<Value, FuncError> {
    let quoted: Vec<String> = args
        .iter()
        .filter(|v| !matches!(v, Value::Nil | Value::NoValue))
        .map(|v| format!("'{}'", strval(v)))
        .collect();
    Ok(Value::from(quoted.join(" ")))
}

/// Sprig's `default DEFAULT [GIVEN]`: `GIVEN` unless it is empty.
fn default(args: &[Value]) -> Result<Value, FuncError> {
    match args {
        [d] => Ok(d.clone()),
        [d, given, ..] => Ok(if is_empty(given) {
            d.clone()
        } else {
            given.clone()
        }),
        [] => Err(FuncError::AtLeastXArgs("default".to_owned(), 1)),
    }
}

fn empty(args: &[Value]) -> Result<Value, FuncError> {
    let [v] = exactly::<1>("empty", args)?;
    Ok(Value::from(is_empty(v)))
}

/// Sprig's `join SEP LIST`: a list's non-nil items (or a single value) joined by `SEP`.
fn join(args: &[Value]) -> Result<Value, FuncError> {
    let [sep, list] = exactly::<2>("join", args)?;
    let items: Vec<String> = match list {
        Value::Array(items) => items
            .iter()
            .filter(|v| !matches!(v, Value::Nil | Value::NoValue))
            .map(strval)
            .collect(),
        other => vec![strval(other)],
    };
    Ok(Value::from(items.join(&strval(sep))))
}

fn split_list(args: &[Value]) -> Result<Value, FuncError> {
    let [sep, s] = exactly::<2>("splitList", args)?;
    let s = strval(s);
    let sep = strval(sep);
    let parts: Vec<Value> = s.split(sep.as_str()).map(Value::from).collect();
    Ok(Value::Array(parts))
}

fn to_string(args: &[Value]) -> Result<Value, FuncError> {
    let [v] = exactly::<1>("toString", args)?;
    Ok(Value::from(strval(v)))
}

fn repeat(args: &[Value]) -> Result<Value, FuncError> {
    let [count, s] = exactly::<2>("repeat", args)?;
    let count = match count {
        Value::Number(n) => n.as_i64().unwrap_or(0),
        other => strval(other).parse().unwrap_or(0),
    };
    let s = strval(s);
    let count = usize::try_from(count).unwrap_or(0);
    if s.len().saturating_mul(count) > MAX_TEMPLATE_BYTES {
        return Err(FuncError::Generic(format!(
            "repeat: result over {MAX_TEMPLATE_BYTES} bytes"
        )));
    }
    Ok(Value::from(s.repeat(count)))
}

/// Sprig's `cat`: non-nil arguments printed and joined by spaces.
#[expect(clippy::unnecessary_wraps, reason = "gtmpl's `Func` signature")]
fn cat(args: &[Value]) -> Result<Value, FuncError> {
    let parts: Vec<String> = args
        .iter()
        .filter(|v| !matches!(v, Value::Nil | Value::NoValue))
        .map(strval)
        .collect();
    Ok(Value::from(parts.join(" ")))
}

/// Builds an object value (fields that must exist: `missingkey=error`) from pairs.
#[cfg(test)]
fn object<K: Into<String>>(pairs: impl IntoIterator<Item = (K, Value)>) -> Value {
    Value::Object(
        pairs
            .into_iter()
            .map(|(k, v)| (k.into(), v))
            .collect::<std::collections::HashMap<_, _>>(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(source: &str, data: Value) -> Result<String, TemplateError> {
        VarsTemplate::parse(source)?.render(data)
    }

    fn element(name: &str, value: &str) -> Value {
        object([("Name", Value::from(name)), ("Value", Value::from(value))])
    }

    fn data() -> Value {
        object([(
            "kernel",
            object([(
                "loadedmodule",
                Value::Array(vec![element("vfio_pci", ""), element("ip_tables", "")]),
            )]),
        )])
    }

    #[test]
    fn parse_errors() {
        let cases = [
            ("{{ .a ", "invalid template"),
            ("{{ if .a }}", "invalid template"),
            ("{{ nosuchfunc .a }}", "function nosuchfunc not defined"),
            ("{{ env \"HOME\" }}", "function env not defined"),
            ("{{ $x }}", "undefined variable"),
            ("{{ \"\\é\" }}", "invalid escape in string"),
            ("{{ .a ", "unclosed action at byte 0"),
            ("x {{ .a", "unclosed action at byte 2"),
            ("{{ \"}}\" ", "unclosed action"),
            ("{{ .é }}", "non-ASCII character in action"),
            ("{{ \"abc }}", "unclosed action"),
            ("{{ \"abc\n }}", "unterminated quoted string"),
            ("{{ `abc }}", "unclosed action"),
            ("{{/* x }}", "unclosed comment"),
            ("{{ define \"x\" }}{{ end }}", "`define` is not supported"),
            ("{{ template \"x\" }}", "`template` is not supported"),
            ("é {{- 1 }}", "non-ASCII character before `{{-`"),
        ];
        for (source, want) in cases {
            let err = VarsTemplate::parse(source).unwrap_err().0;
            assert!(err.contains(want), "{source:?}: got {err:?}, want {want:?}");
        }
        let deep = format!("{{{{ {}1{} }}}}", "(".repeat(100), ")".repeat(100));
        assert!(
            VarsTemplate::parse(&deep)
                .unwrap_err()
                .0
                .contains("nested deeper")
        );
        let deep = "{{ if true }}".repeat(100);
        assert!(
            VarsTemplate::parse(&deep)
                .unwrap_err()
                .0
                .contains("nested deeper")
        );
        for ok in [
            "{{ \"}}\" }}",
            "{{/* c */}}a={{ `x}}` }}",
            "é={{ \"é\" }}",
            "{{- 1 -}}",
        ] {
            assert!(VarsTemplate::parse(ok).is_ok(), "{ok}");
        }
        let big = "a".repeat(MAX_TEMPLATE_BYTES + 1);
        assert!(
            VarsTemplate::parse(&big)
                .unwrap_err()
                .0
                .contains("the limit is 65536")
        );
        assert!(VarsTemplate::parse(&"a".repeat(MAX_TEMPLATE_BYTES)).is_ok());
    }

    #[test]
    fn keeps_source() {
        let t = VarsTemplate::parse("a={{ 1 }}").unwrap();
        assert_eq!(t.source(), "a={{ 1 }}");
        assert!(format!("{t:?}").contains("a={{ 1 }}"));
    }

    #[test]
    fn renders_over_matched_elements() {
        let out = render(
            "{{ range .kernel.loadedmodule }}mod-{{ .Name }}=true\n{{ end }}",
            data(),
        )
        .unwrap();
        assert_eq!(out, "mod-vfio_pci=true\nmod-ip_tables=true\n");
        let vars =
            VarsTemplate::parse("{{ range .kernel.loadedmodule }} {{ .Name }} = x \n\n{{ end }}")
                .unwrap()
                .render_vars(data())
                .unwrap();
        assert_eq!(
            vars,
            BTreeMap::from([
                ("ip_tables ".to_owned(), " x".to_owned()),
                ("vfio_pci ".to_owned(), " x".to_owned())
            ])
        );
    }

    #[test]
    fn missing_keys_are_errors() {
        let err = render("{{ .kernel.nosuch }}", data()).unwrap_err().0;
        assert!(err.contains("no field nosuch"), "{err}");
        let err = render("{{ .nosuch.x }}", data()).unwrap_err().0;
        assert!(err.contains("executing template"), "{err}");
    }

    #[test]
    fn sprig_functions() {
        let cases = [
            ("{{ lower \"AbC\" }}", "abc"),
            ("{{ \"AbC\" | upper }}", "ABC"),
            ("{{ title \"hello wide world\" }}", "Hello Wide World"),
            ("{{ trim \"  x \" }}", "x"),
            ("{{ trimAll \"$\" \"$5.00$\" }}", "5.00"),
            ("{{ \"v1.2\" | trimPrefix \"v\" }}", "1.2"),
            ("{{ trimSuffix \"-generic\" \"6.8.0-generic\" }}", "6.8.0"),
            ("{{ replace \"-\" \"_\" \"vfio-pci\" }}", "vfio_pci"),
            ("{{ contains \"ell\" \"hello\" }}", "true"),
            ("{{ hasPrefix \"he\" \"hello\" }}", "true"),
            ("{{ hasSuffix \"he\" \"hello\" }}", "false"),
            ("{{ quote \"a\" \"b\\\"c\" }}", "\"a\" \"b\\\"c\""),
            ("{{ squote \"a\" }}", "'a'"),
            ("{{ default \"none\" \"\" }}", "none"),
            ("{{ \"x\" | default \"none\" }}", "x"),
            ("{{ empty \"\" }}", "true"),
            ("{{ splitList \",\" \"a,b\" | join \"+\" }}", "a+b"),
            ("{{ toString 12 }}", "12"),
            ("{{ repeat 3 \"ab\" }}", "ababab"),
            ("{{ cat \"a\" \"b\" }}", "a b"),
            (
                "{{ if eq (len .kernel.loadedmodule) 2 }}two{{ end }}",
                "two",
            ),
        ];
        for (source, want) in cases {
            assert_eq!(render(source, data()).unwrap(), want, "{source}");
        }
        assert_eq!(SPRIG_FUNCTIONS.len(), sprig_funcs().len());
        for (name, _) in sprig_funcs() {
            assert!(SPRIG_FUNCTIONS.contains(&name), "{name}");
        }
    }

    #[test]
    fn function_argument_errors_are_execution_errors() {
        let err = render("{{ lower }}", data()).unwrap_err().0;
        assert!(err.contains("lower requires exactly 1 argument"), "{err}");
    }

    #[test]
    fn vars_lines() {
        assert_eq!(
            parse_vars("  a=1 \n\n b = 2\nc==3\nd=\n").unwrap(),
            BTreeMap::from([
                ("a".to_owned(), "1".to_owned()),
                ("b ".to_owned(), " 2".to_owned()),
                ("c".to_owned(), "=3".to_owned()),
                ("d".to_owned(), String::new()),
            ])
        );
        let err = parse_vars("a=1\nnovalue\n").unwrap_err().0;
        assert_eq!(err, "missing value in expanded template line \"novalue\"");
    }

    #[test]
    fn random_inputs_never_hang_or_panic() {
        // gtmpl 0.7's lexer loops or panics on some inputs; `check_lexable` must stop them.
        const PIECES: [&str; 24] = [
            "{{", "}}", " ", ".a", ".", "(", ")", "\"", "`", "'", "\\", "-", "|", "$x", ":=", "if",
            "end", "else", "range", "é", "\n", "/*", "*/", "1",
        ];
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for _ in 0..10_000 {
            let len = next() % 16;
            let source: String = (0..len)
                .map(|_| PIECES[usize::try_from(next() % 24).unwrap()])
                .collect();
            if let Ok(t) = VarsTemplate::parse(&source) {
                let _ = t.render(Value::Nil);
            }
        }
    }
}
