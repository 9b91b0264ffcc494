//! `varsTemplate`: Go text/template (via `gtmpl`), parsed when the spec is loaded and executed
//! by the rule engine over a rule's matched features.
//!
//! NFD executes templates with Go's `text/template`, option `missingkey=error`, plus the Sprig
//! function map (without `env`, `expandenv`, `getHostByName`), and limits the source to 64 KiB
//! (`pkg/apis/nfd/template/template.go`). `gtmpl` has only Go's builtins, so this module adds
//! the Sprig string functions a vars template plausibly uses (listed in `SPRIG_FUNCTIONS`, which a test checks against the functions registered). A call
//! of any other function is rejected when the template is parsed, so a spec that uses one fails
//! at load time, not on a node.
//!
//! A spec is untrusted input that runs on every node that validates, so execution is bounded
//! (README, "Input limits"): every `range` iteration and every function call is a step
//! ([`MAX_STEPS`]); no function may make a value over [`MAX_VALUE_BYTES`], all of them together
//! at most [`MAX_MADE_BYTES`]; the output is cut off at [`MAX_OUTPUT_BYTES`]; and an execution
//! that runs past [`MAX_DURATION`] stops. gtmpl has no hooks for this, so every function
//! (builtins included) is wrapped to count and check, sizes are checked *before* a function
//! builds its result, and the parsed template is instrumented with a step call at the top of
//! every `range` body. Going over a limit is an execution error on that rule, never an abort.
//!
//! gtmpl's own lexer and parser read some input unlike Go: some of it never ends or panics, and
//! is rejected before gtmpl sees it ([`check_lexable`]); quoted literals it would read
//! otherwise than Go are respelled so that it reads the value Go reads (`literal`).
//! Known differences from Go that remain: `range` over a map visits keys in hash order (Go
//! sorts them), and a value printed with `{{ . }}` that is a map or list uses Rust's debug
//! shape rather than Go's `map[...]`/`[...]`.

use std::cell::Cell;
use std::collections::BTreeMap;
use std::fmt;
use std::io;
use std::ops::Range;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Arc, Once};
use std::time::{Duration, Instant};

use gtmpl::{Context, Func, FuncError, Template, Value};

use super::shorten;

mod literal;

/// The largest template source accepted, in bytes (NFD's limit).
pub(crate) const MAX_TEMPLATE_BYTES: usize = 64 * 1024;

/// The most steps (`range` iterations plus function calls) one execution may take.
pub(crate) const MAX_STEPS: u64 = 200_000;

/// The largest value (string, or list counted by its items) one function call may make.
pub(crate) const MAX_VALUE_BYTES: usize = 1024 * 1024;

/// The most bytes all function calls of one execution may make together.
pub(crate) const MAX_MADE_BYTES: usize = 32 * 1024 * 1024;

/// The largest output of one execution, in bytes.
pub(crate) const MAX_OUTPUT_BYTES: usize = 1024 * 1024;

/// The longest one execution may run.
pub(crate) const MAX_DURATION: Duration = Duration::from_secs(2);

/// The largest width or precision in a `printf` format.
pub(crate) const MAX_PRINTF_WIDTH: usize = 1000;

/// The longest excerpt of a rendered template or of a value quoted in an error, in characters.
const MAX_QUOTED_CHARS: usize = 200;

/// The Sprig functions available to templates, besides Go's builtins (`eq`, `ne`, `lt`, `le`,
/// `gt`, `ge`, `len`, `and`, `or`, `not`, `urlquery`, `print`, `println`, `printf`, `index`,
/// `call`). Each behaves as its Sprig namesake, arguments in Sprig's order (the string last,
/// so they chain in pipelines: `{{ .Value | trimPrefix "v" | lower }}`).
#[cfg(test)]
pub(crate) const SPRIG_FUNCTIONS: [&str; 20] = [
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
pub(crate) struct VarsTemplate {
    source: String,
    /// The template as executed: `source` with a step call at the top of each `range` body.
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
pub(crate) struct TemplateError(pub String);

/// The name under which the template is parsed (shows up in gtmpl's messages).
const NAME: &str = "varsTemplate";

impl VarsTemplate {
    /// Parses a template; syntax errors, calls of unknown functions and a source over
    /// [`MAX_TEMPLATE_BYTES`] are rejected here.
    pub(crate) fn parse(source: &str) -> Result<VarsTemplate, TemplateError> {
        if source.len() > MAX_TEMPLATE_BYTES {
            return Err(TemplateError(format!(
                "template of {} bytes; the limit is {MAX_TEMPLATE_BYTES}",
                source.len()
            )));
        }
        let invalid = |e| TemplateError(format!("invalid template: {e}"));
        let mut lexed = check_lexable(source).map_err(invalid)?;
        let respelled;
        let for_gtmpl = if lexed.misread.is_empty() {
            source
        } else {
            respelled = respell(source, &lexed.misread).map_err(invalid)?;
            lexed = check_lexable(&respelled).map_err(invalid)?;
            if let Some(at) = lexed.misread.first() {
                // Never so: a respelled literal is one gtmpl reads as Go does.
                return Err(invalid(format!(
                    "literal at byte {} cannot be read",
                    at.start
                )));
            }
            &respelled
        };
        // The source is parsed first without the step calls, so that messages point into it,
        // and a template cannot call the step function itself. Without a `range` there is
        // nothing to instrument, and that parse is the template (gtmpl starts a thread for
        // each parse).
        let plain = parse_quietly(for_gtmpl, &user_funcs())?;
        let template = if lexed.ranges.is_empty() {
            plain
        } else {
            let instrumented = instrument(for_gtmpl, &lexed.ranges);
            let mut funcs = user_funcs();
            funcs.push((STEP, step as Func));
            parse_quietly(&instrumented, &funcs)?
        };
        Ok(VarsTemplate {
            source: source.to_owned(),
            template: Arc::new(template),
        })
    }

    /// What in the template is likely to run into an execution limit on every node, found
    /// cheaply from the source (`lint` and `attach` warn): `range` nested three deep,
    /// `repeat` of a literal count that makes more than [`MAX_VALUE_BYTES`], a `printf` width
    /// over [`MAX_PRINTF_WIDTH`].
    pub(crate) fn dangers(&self) -> Vec<String> {
        let mut found = Vec::new();
        let (mut stack, mut deepest) = (Vec::new(), 0usize);
        let mut rest = self.source.as_str();
        while let Some(open) = rest.find("{{") {
            let action = &rest[open + 2..];
            let end = action.find("}}").unwrap_or(action.len());
            let body = action[..end].trim_start_matches('-').trim();
            let keyword = body.split_whitespace().next().unwrap_or("");
            match keyword {
                "range" | "if" | "with" => {
                    stack.push(keyword == "range");
                    deepest = deepest.max(stack.iter().filter(|r| **r).count());
                }
                "end" => {
                    stack.pop();
                }
                _ => {}
            }
            let words: Vec<&str> = body
                .split(|c: char| c.is_whitespace() || c == '(' || c == ')' || c == '|')
                .filter(|w| !w.is_empty())
                .collect();
            for pair in words.windows(3) {
                if pair[0] == "repeat"
                    && let Ok(count) = pair[1].parse::<usize>()
                {
                    let len = pair[2].trim_matches(|c| c == '"' || c == '`').len().max(1);
                    if count.saturating_mul(len) > MAX_VALUE_BYTES {
                        found.push(format!(
                            "`repeat {count}` makes more than {MAX_VALUE_BYTES} bytes, \
                             which stops the template on every node"
                        ));
                    }
                }
            }
            for pair in words.windows(2) {
                if pair[0] == "printf"
                    && let Some(format) = pair[1].strip_prefix('"')
                    && let Err(e) = printf_padding(format.trim_end_matches('"'))
                {
                    found.push(format!("{e}; it stops the template on every node"));
                }
            }
            rest = &action[end..];
        }
        if deepest >= 3 {
            found.push(format!(
                "`range` nested {deepest} deep multiplies the iterations; past {MAX_STEPS} \
                 steps the template stops"
            ));
        }
        found
    }

    /// The template as written.
    pub(crate) fn source(&self) -> &str {
        &self.source
    }

    /// Executes the template over `data` and returns its output, within the limits above.
    pub(crate) fn render(&self, data: Value) -> Result<String, TemplateError> {
        let context = Context::from(data);
        let mut out = BoundedWriter::default();
        let previous = BUDGET.replace(Some(Budget::new()));
        let rendered = quietly(|| {
            self.template
                .execute(&mut out, &context)
                .map_err(|e| e.to_string())
        });
        let budget = BUDGET.replace(previous);
        if let Some(limit) = budget.and_then(|b| b.exceeded) {
            return Err(TemplateError(format!("executing template: {limit}")));
        }
        if out.over {
            return Err(TemplateError(format!(
                "executing template: output over {MAX_OUTPUT_BYTES} bytes"
            )));
        }
        match rendered {
            Some(Ok(())) => String::from_utf8(out.bytes)
                .map_err(|_| TemplateError("executing template: output is not UTF-8".to_owned())),
            Some(Err(e)) => Err(TemplateError(format!(
                "executing template: {}",
                shorten(&e, MAX_QUOTED_CHARS)
            ))),
            None => Err(TemplateError(
                "executing template: internal error".to_owned(),
            )),
        }
    }

    /// Executes the template over `data` and reads its output as vars: one `key=value` per
    /// line (split at the first `=`), lines trimmed, blank lines skipped (NFD's
    /// `parseTemplateOutput`-style reading of `varsTemplate`).
    pub(crate) fn render_vars(
        &self,
        data: Value,
    ) -> Result<BTreeMap<String, String>, TemplateError> {
        let out = self.render(data)?;
        parse_vars(&out)
    }
}

/// The function called at the top of every `range` body to count iterations (not callable
/// from a spec: the template as written is parsed without it).
const STEP: &str = "__nfd_compat_step";

/// Parses `source` with `funcs`, a panic in gtmpl becoming an error.
fn parse_quietly(source: &str, funcs: &[(&'static str, Func)]) -> Result<Template, TemplateError> {
    let mut template = Template::with_name(NAME);
    template.add_funcs(funcs);
    // gtmpl can panic on some malformed input (e.g. a backslash before a multi-byte
    // character inside a string literal); a bad spec must be an error, not a crash.
    match quietly(|| template.parse(source).map_err(|e| e.to_string())) {
        Some(Ok(())) => Ok(template),
        Some(Err(e)) => Err(TemplateError(format!(
            "invalid template: {}",
            shorten(&e, MAX_QUOTED_CHARS)
        ))),
        None => Err(TemplateError(
            "invalid template: cannot be parsed".to_owned(),
        )),
    }
}

thread_local! {
    /// Whether this thread is in a call into gtmpl whose panics are caught and reported as
    /// errors.
    static QUIET: Cell<bool> = const { Cell::new(false) };
}

/// Runs `f`, turning a panic into `None` without printing the panic message (the default hook
/// would print it even though it is caught). Panics elsewhere print as usual.
fn quietly<T>(f: impl FnOnce() -> T) -> Option<T> {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !QUIET.get() {
                previous(info);
            }
        }));
    });
    let outer = QUIET.replace(true);
    let result = catch_unwind(AssertUnwindSafe(f)).ok();
    QUIET.set(outer);
    result
}

/// Where a `range` action ends in the source: the byte after its `}}`, and whether it trims
/// the text after it (`-}}`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct RangeEnd {
    at: usize,
    trims: bool,
}

/// The source with a step call inserted after each `range` action. A trimming action's trim
/// moves to the step call, so the output is unchanged.
fn instrument(source: &str, ranges: &[RangeEnd]) -> String {
    let mut out = String::with_capacity(source.len() + ranges.len() * (STEP.len() + 8));
    let mut last = 0;
    for r in ranges {
        out.push_str(&source[last..r.at]);
        out.push_str("{{");
        out.push_str(STEP);
        out.push_str(if r.trims { " -}}" } else { "}}" });
        last = r.at;
    }
    out.push_str(&source[last..]);
    out
}

/// What one execution may still spend (see the module documentation).
struct Budget {
    steps: u64,
    made: usize,
    deadline: Instant,
    /// The limit that was reached, for the error message.
    exceeded: Option<String>,
}

impl Budget {
    fn new() -> Self {
        Self {
            steps: MAX_STEPS,
            made: MAX_MADE_BYTES,
            deadline: Instant::now() + MAX_DURATION,
            exceeded: None,
        }
    }
}

thread_local! {
    /// The budget of the execution running on this thread (gtmpl's functions are plain `fn`s).
    static BUDGET: Cell<Option<Budget>> = const { Cell::new(None) };
}

/// Applies `f` to this thread's budget; outside an execution (no budget) nothing is limited.
fn with_budget(f: impl FnOnce(&mut Budget) -> Result<(), String>) -> Result<(), FuncError> {
    let Some(mut budget) = BUDGET.take() else {
        return Ok(());
    };
    let result = match budget.exceeded.clone() {
        Some(limit) => Err(limit),
        None => f(&mut budget),
    };
    if let Err(limit) = &result {
        budget.exceeded.get_or_insert_with(|| limit.clone());
    }
    BUDGET.set(Some(budget));
    result.map_err(FuncError::Generic)
}

/// Counts one step and checks the clock.
fn charge_step() -> Result<(), FuncError> {
    with_budget(|b| {
        if b.steps == 0 {
            return Err(format!(
                "more than {MAX_STEPS} steps (range iterations and function calls)"
            ));
        }
        b.steps -= 1;
        if Instant::now() > b.deadline {
            return Err(format!("ran longer than {} s", MAX_DURATION.as_secs()));
        }
        Ok(())
    })
}

/// Checks that `name` may make a value of about `size` bytes, and charges it.
fn charge_value(name: &str, size: usize) -> Result<(), FuncError> {
    if size > MAX_VALUE_BYTES {
        return Err(FuncError::Generic(format!(
            "{name}: result of about {size} bytes; the limit is {MAX_VALUE_BYTES}"
        )));
    }
    with_budget(|b| {
        b.made = b
            .made
            .checked_sub(size)
            .ok_or_else(|| format!("functions made more than {MAX_MADE_BYTES} bytes in all"))?;
        Ok(())
    })
}

/// The step function inserted into every `range` body: prints nothing.
fn step(_: &[Value]) -> Result<Value, FuncError> {
    charge_step()?;
    Ok(Value::from(""))
}

/// About how many bytes a value takes: a string its length, a list or map its items plus a
/// fixed cost per item (so a list of a million empty strings is not free).
fn size_of(v: &Value) -> usize {
    const ITEM: usize = 32;
    match v {
        Value::String(s) => s.len(),
        Value::Array(items) => items.iter().map(|i| size_of(i) + ITEM).sum(),
        Value::Object(m) | Value::Map(m) => {
            m.iter().map(|(k, i)| k.len() + size_of(i) + ITEM).sum()
        }
        Value::NoValue | Value::Nil | Value::Bool(_) | Value::Number(_) | Value::Function(_) => {
            ITEM
        }
    }
}

/// The sum of the sizes of `args`.
fn args_size(args: &[Value]) -> usize {
    args.iter().map(size_of).sum()
}

/// The output of an execution, refusing to grow past [`MAX_OUTPUT_BYTES`].
#[derive(Default)]
struct BoundedWriter {
    bytes: Vec<u8>,
    over: bool,
}

impl io::Write for BoundedWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.bytes.len() + buf.len() > MAX_OUTPUT_BYTES {
            self.over = true;
            return Err(io::Error::other("output limit"));
        }
        self.bytes.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// The deepest nesting of parentheses or of `if`/`range`/`with` blocks accepted (gtmpl's parser
/// recurses on both, and a stack overflow cannot be caught).
const MAX_NESTING: usize = 64;

/// What [`check_lexable`] found out about a template it accepts.
#[derive(Debug, Default, PartialEq, Eq)]
struct Lexed {
    /// Where each `range` action ends, for [`instrument`].
    ranges: Vec<RangeEnd>,
    /// The literals gtmpl reads differently from Go, for [`respell`].
    misread: Vec<Range<usize>>,
}

/// Rejects what gtmpl 0.7's lexer and parser cannot handle safely, before they see it.
///
/// gtmpl lexes on a thread and steps back one byte after reading past the end of the input or
/// past a multi-byte character. An action still open at the end of the template (`{{ .a `)
/// makes the lexer loop forever; a non-ASCII character inside an action, or right before a
/// `{{-` trim marker, makes it panic.
/// Deep nesting overflows the parser's stack, and `define`/`template`/`block` allow unbounded
/// recursion at execution. None of these occur in a sensible vars template, so they are
/// rejected here with a clear message.
///
/// String and character literals are skipped the way Go lexes them ([`literal::skip`]); the
/// ones gtmpl would read otherwise than Go are recorded in [`Lexed::misread`], for the caller
/// to respell and check again.
fn check_lexable(source: &str) -> Result<Lexed, String> {
    let bytes = source.as_bytes();
    let mut i = 0;
    let mut blocks = 0usize;
    let mut lexed = Lexed::default();
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
                None => return Ok(lexed),
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
                    if keyword == "range" {
                        let before = &bytes[..i];
                        let trims = before.ends_with(b"-")
                            && before
                                .get(before.len().wrapping_sub(2))
                                .is_some_and(u8::is_ascii_whitespace);
                        lexed.ranges.push(RangeEnd { at: i + 2, trims });
                    }
                    i += 2;
                    break;
                }
                b'"' | b'\'' | b'`' => {
                    // gtmpl reports an unterminated one itself.
                    let found = literal::skip(bytes, i);
                    if found.misread {
                        lexed.misread.push(i..found.end);
                    }
                    i = found.end;
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
    Ok(lexed)
}

/// `source` with each literal in `misread` (see [`check_lexable`]) spelt so that gtmpl reads
/// the value Go reads ([`literal::respell`]), or why Go rejects one.
fn respell(source: &str, misread: &[Range<usize>]) -> Result<String, String> {
    let mut out = String::with_capacity(source.len() + 16 * misread.len());
    let mut last = 0;
    for at in misread {
        out.push_str(&source[last..at.start]);
        let spelt = literal::respell(&source[at.clone()])
            .map_err(|e| format!("literal at byte {}: {e}", at.start))?;
        out.push_str(&spelt);
        last = at.end;
    }
    out.push_str(&source[last..]);
    Ok(out)
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
                "missing value in expanded template line {:?}",
                shorten(line, MAX_QUOTED_CHARS)
            )));
        };
        vars.insert(key.to_owned(), value.to_owned());
    }
    Ok(vars)
}

/// Every function a template may call, Go's builtins and the Sprig functions, each wrapped by
/// [`guarded`]. The number after a name is how many bytes of result one byte of arguments can
/// make at most (checked before the call); 0 marks a function whose result is no larger than
/// an argument, or that checks its result's size itself.
fn user_funcs() -> Vec<(&'static str, Func)> {
    use gtmpl::funcs as go;
    macro_rules! guard {
        ($($name:literal $growth:literal $f:path;)*) => {
            vec![$(($name, {
                fn g(args: &[Value]) -> Result<Value, FuncError> {
                    guarded($name, $growth, args, $f)
                }
                g as Func
            })),*]
        };
    }
    guard! {
        "eq" 0 go::eq;
        "ne" 0 go::ne;
        "lt" 0 go::lt;
        "le" 0 go::le;
        "gt" 0 go::gt;
        "ge" 0 go::ge;
        "len" 0 go::len;
        "and" 0 go::and;
        "or" 0 go::or;
        "not" 0 go::not;
        "urlquery" 3 go::urlquery;
        "print" 1 go::print;
        "println" 1 go::println;
        "printf" 0 printf;
        "index" 0 go::index;
        "call" 0 go::call;
        "lower" 3 lower;
        "upper" 3 upper;
        "title" 3 title;
        "trim" 1 trim;
        "trimAll" 1 trim_all;
        "trimPrefix" 1 trim_prefix;
        "trimSuffix" 1 trim_suffix;
        "replace" 0 replace;
        "contains" 0 contains;
        "hasPrefix" 0 has_prefix;
        "hasSuffix" 0 has_suffix;
        "quote" 6 quote;
        "squote" 1 squote;
        "default" 0 default;
        "empty" 0 empty;
        "join" 0 join;
        "splitList" 0 split_list;
        "toString" 1 to_string;
        "repeat" 0 repeat;
        "cat" 1 cat;
    }
}

/// Calls `f` as one step: refused when the arguments could make a result over
/// [`MAX_VALUE_BYTES`] (`growth` bytes per byte of arguments, plus separators), and the
/// result charged to the execution's budget.
fn guarded(name: &str, growth: usize, args: &[Value], f: Func) -> Result<Value, FuncError> {
    charge_step()?;
    if growth > 0 {
        let bound = args_size(args)
            .saturating_mul(growth)
            .saturating_add(args.len() * 2);
        if bound > MAX_VALUE_BYTES {
            return Err(FuncError::Generic(format!(
                "{name}: result of up to {bound} bytes; the limit is {MAX_VALUE_BYTES}"
            )));
        }
    }
    let out = f(args)?;
    charge_value(name, size_of(&out))?;
    Ok(out)
}

/// Go's `printf`, refusing a width or precision over [`MAX_PRINTF_WIDTH`] (or taken from an
/// argument, `*`) and a result that could exceed [`MAX_VALUE_BYTES`], before formatting.
fn printf(args: &[Value]) -> Result<Value, FuncError> {
    if let Some(Value::String(format)) = args.first() {
        let padding = printf_padding(format).map_err(FuncError::Generic)?;
        let bound = format
            .len()
            .saturating_add(padding)
            .saturating_add(args_size(&args[1..]));
        if bound > MAX_VALUE_BYTES {
            return Err(FuncError::Generic(format!(
                "printf: result of up to {bound} bytes; the limit is {MAX_VALUE_BYTES}"
            )));
        }
    }
    gtmpl::funcs::printf(args)
}

/// The most padding the widths and precisions of a `printf` format can add, or why the format
/// is refused.
fn printf_padding(format: &str) -> Result<usize, String> {
    let bytes = format.as_bytes();
    let mut padding = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'%' {
            i += 1;
            continue;
        }
        i += 1;
        // Flags, argument indexes, width and precision, up to the verb.
        while let Some(&b) = bytes.get(i) {
            if b.is_ascii_digit() {
                let start = i;
                while bytes.get(i).is_some_and(u8::is_ascii_digit) {
                    i += 1;
                }
                let n: usize = format[start..i].parse().unwrap_or(usize::MAX);
                if n > MAX_PRINTF_WIDTH {
                    return Err(format!(
                        "printf: width or precision {} in the format; the limit is \
                         {MAX_PRINTF_WIDTH}",
                        shorten(&format[start..i], 20)
                    ));
                }
                padding += n;
            } else if b == b'*' {
                return Err(
                    "printf: a width or precision taken from an argument (`*`) is not \
                     supported in a vars template"
                        .to_owned(),
                );
            } else if matches!(b, b'+' | b'-' | b'#' | b' ' | b'.' | b'[' | b']') {
                i += 1;
            } else {
                i += 1;
                break;
            }
        }
    }
    Ok(padding)
}

/// Functions a template may call, before wrapping (the names of [`user_funcs`] besides Go's
/// builtins); kept to check [`SPRIG_FUNCTIONS`] against.
#[cfg(test)]
fn sprig_funcs() -> Vec<(&'static str, Func)> {
    user_funcs()
        .into_iter()
        .filter(|(name, _)| !gtmpl::funcs::BUILTINS.iter().any(|(b, _)| b == name))
        .collect()
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
    let (old, new, s) = (strval(old), strval(new), strval(s));
    // An empty `old` matches at every character boundary, as in Go.
    let count = if old.is_empty() {
        s.chars().count() + 1
    } else {
        s.matches(old.as_str()).count()
    };
    let size = (s.len() - count * old.len()).saturating_add(count.saturating_mul(new.len()));
    charge_value("replace", size)?;
    Ok(Value::from(s.replace(&old, &new)))
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
    let sep = strval(sep);
    let items: &[Value] = match list {
        Value::Array(items) => items,
        other => std::slice::from_ref(other),
    };
    let size = args_size(items).saturating_add(sep.len().saturating_mul(items.len()));
    if size > MAX_VALUE_BYTES {
        return Err(FuncError::Generic(format!(
            "join: result of up to {size} bytes; the limit is {MAX_VALUE_BYTES}"
        )));
    }
    let items: Vec<String> = items
        .iter()
        .filter(|v| !matches!(v, Value::Nil | Value::NoValue))
        .map(strval)
        .collect();
    Ok(Value::from(items.join(&sep)))
}

fn split_list(args: &[Value]) -> Result<Value, FuncError> {
    let [sep, s] = exactly::<2>("splitList", args)?;
    let s = strval(s);
    let sep = strval(sep);
    let items = if sep.is_empty() {
        s.chars().count() + 2
    } else {
        s.matches(sep.as_str()).count() + 1
    };
    charge_value(
        "splitList",
        s.len()
            .saturating_add(items.saturating_mul(size_of(&Value::Nil))),
    )?;
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
    charge_value("repeat", s.len().saturating_mul(count))?;
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
            ("{{ \"\\é\" }}", "literal at byte 3: invalid escape `\\é`"),
            (
                "{{ \"\\x\" }}",
                "literal at byte 3: `\\x` needs 2 more digits",
            ),
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
    fn literals_are_read_as_go_reads_them() {
        // Go reads these literals one way, gtmpl's lexer and parser alone another.
        let cases = [
            (r#"a={{ "\\" }}"#, r"a=\"),
            (r#"a={{ "x\\" }}b"#, r"a=x\b"),
            (r#"a={{ "\\\\" }}"#, r"a=\\"),
            (r#"a={{ "\\\"" }}"#, r#"a=\""#),
            (r#"a={{ "\\" | trimSuffix "\\" }}"#, "a="),
            (r#"a={{ printf "%s-%s" "\\" "y\\" }}"#, r"a=\-y\"),
            (r"a={{ '\\' }}", "a=92"),
            (r#"a={{ "}}\\" }}"#, r"a=}}\"),
            // Escapes gtmpl alone misreads or does not know.
            (r#"a={{ "\x41bcde" }}"#, "a=Abcde"),
            (r#"a={{ "\u00e9t\u00e9" }}"#, "a=été"),
            (r#"a={{ "\101\x42" }}"#, "a=AB"),
            (r#"a={{ "\xc3\xa9" | upper }}"#, "a=É"),
            // Raw strings keep their backslashes and drop carriage returns.
            (r"a={{ `\` }}", r"a=\"),
            (r"a={{ `\d+\n` }}", r"a=\d+\n"),
            ("a={{ `x\\\r\n\\\\y\\` }}", "a=x\\\n\\\\y\\"),
            (r#"a={{ `say "\hi"` | replace `\` "/" }}"#, r#"a=say "/hi""#),
            (r#"a={{ `\` }}{{ "}}\\" }}{{ '\\' }}"#, r"a=\}}\92"),
            (
                r#"{{ range .kernel.loadedmodule }}{{ .Name }}={{ "\\" }}{{ end }}"#,
                r"vfio_pci=\ip_tables=\",
            ),
        ];
        for (source, want) in cases {
            let t = VarsTemplate::parse(source).unwrap_or_else(|e| panic!("{source}: {e}"));
            assert_eq!(t.source(), source);
            assert_eq!(t.render(data()).unwrap(), want, "{source}");
        }
    }

    #[test]
    fn an_action_left_open_by_a_backslash_before_a_quote_is_an_error() {
        // Found by fuzzing: gtmpl read `"\\"` as unterminated, lexed on to the end of the
        // template with the action open, and looped there.
        let source = "{{printf \"\\\\\" !}}\\\\\t\t\t\x14\t\\\\%s=%d\" \"k\" \t\t";
        let err = VarsTemplate::parse(source).unwrap_err().0;
        assert!(err.contains("invalid template"), "{err}");
        for open in [r#"{{ "\" }}"#, r#"{{ "\\\" }}"#, r"{{ '\' }}"] {
            let err = VarsTemplate::parse(open).unwrap_err().0;
            assert!(err.contains("unclosed action at byte 0"), "{open}: {err}");
        }
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

    /// A list of `n` one-character strings, made inside the template.
    fn list(n: usize) -> String {
        format!("{{{{ $a := splitList \"\" (repeat {n} \"a\") }}}}")
    }

    #[test]
    fn bombs_stop_at_a_limit() {
        let cases = [
            // Nested ranges: 10^8 iterations with no output and no function call of their own.
            (
                format!(
                    "{}{{{{ range $a }}}}{{{{ range $a }}}}{{{{ end }}}}{{{{ end }}}}",
                    list(10_000)
                ),
                "more than 200000 steps",
            ),
            (
                format!(
                    "{}{{{{ range $a -}}}}{{{{ range $a -}}}} {{{{- end }}}}{{{{ end }}}}",
                    list(10_000)
                ),
                "more than 200000 steps",
            ),
            // Output: 10,000 x 1 KiB.
            (
                format!(
                    "{}{{{{ range $a }}}}{{{{ repeat 1000 \"x\" }}}}{{{{ end }}}}",
                    list(10_000)
                ),
                "output over 1048576 bytes",
            ),
            (
                "{{ replace \"a\" (repeat 1000 \"b\") (repeat 60000 \"a\") }}".to_owned(),
                "replace: result of about 60000000 bytes; the limit is 1048576",
            ),
            (
                "{{ repeat 99999999999 \"ab\" }}".to_owned(),
                "repeat: result of about 199999999998 bytes",
            ),
            (
                "{{ printf \"%999999999d\" 1 }}".to_owned(),
                "printf: width or precision 999999999 in the format; the limit is 1000",
            ),
            (
                "{{ printf \"%.99999f\" 1.5 }}".to_owned(),
                "printf: width or precision 99999",
            ),
            ("{{ printf \"%*d\" 9999999 1 }}".to_owned(), "`*`"),
            (
                format!("{}{{{{ join $s $a }}}}", list(30_000))
                    .replace("}}{{ join", "}}{{ $s := repeat 64 \"x\" }}{{ join"),
                "join: result of up to",
            ),
            (
                "{{ splitList \"\" (repeat 1000000 \"a\") }}".to_owned(),
                "splitList: result of about",
            ),
            (
                // Every call stays under the per-value limit; together they go over.
                format!(
                    "{}{{{{ range $a }}}}{{{{ $x := repeat 1000000 \"a\" }}}}{{{{ end }}}}",
                    list(1000)
                ),
                "functions made more than 33554432 bytes in all",
            ),
            (
                format!(
                    "{}{{{{ $s := repeat 100000 \"a\" }}}}{{{{ cat $s $s $s $s $s $s $s $s $s $s $s }}}}",
                    list(1)
                ),
                "cat: result of up to",
            ),
        ];
        for (source, want) in cases {
            let t = VarsTemplate::parse(&source).unwrap_or_else(|e| panic!("{source}: {e}"));
            let err = match t.render(data()) {
                Ok(out) => panic!("{source}: rendered {} bytes", out.len()),
                Err(e) => e.0,
            };
            assert!(err.contains(want), "{source}: got {err:?}, want {want:?}");
            assert!(err.len() < 400, "{source}: long error {}", err.len());
        }
    }

    #[test]
    fn limits_are_per_execution() {
        // Each execution starts with a fresh budget: a template that takes 160,000 steps
        // runs twice.
        let t = VarsTemplate::parse(&format!(
            "{}{{{{ range $a }}}}{{{{ range $a }}}}{{{{ end }}}}{{{{ end }}}}ok=1",
            list(400)
        ))
        .unwrap();
        for _ in 0..2 {
            assert_eq!(t.render(data()).unwrap(), "ok=1");
        }
    }

    #[test]
    fn the_clock_stops_an_execution() {
        let mut budget = Budget::new();
        budget.deadline = Instant::now();
        BUDGET.set(Some(budget));
        std::thread::sleep(Duration::from_millis(2));
        let err = charge_step().unwrap_err().to_string();
        let budget = BUDGET.take().unwrap();
        assert!(err.contains("ran longer than 2 s"), "{err}");
        assert_eq!(budget.exceeded.as_deref(), Some("ran longer than 2 s"));
    }

    #[test]
    fn instrumentation_keeps_the_output() {
        let sources = [
            "{{ range .kernel.loadedmodule }}mod-{{ .Name }}=true\n{{ end }}",
            "{{ range .kernel.loadedmodule -}}\n   {{ .Name }}=1\n{{ end }}",
            "{{- range $i, $m := .kernel.loadedmodule -}}  {{ $i }}={{ $m.Name }} {{- end }}",
            "{{ range .kernel.nothing }}x{{ else }}none{{ end }}",
            "{{ range .kernel.loadedmodule }}{{ range $.kernel.loadedmodule }}.{{ end }}{{ end }}",
        ];
        let data = object([(
            "kernel",
            object([
                (
                    "loadedmodule",
                    Value::Array(vec![element("vfio_pci", ""), element("ip_tables", "")]),
                ),
                ("nothing", Value::Array(vec![])),
            ]),
        )]);
        for source in sources {
            let mut plain = Template::default();
            plain.add_funcs(&user_funcs());
            plain.parse(source).unwrap();
            let want = plain.render(&Context::from(data.clone())).unwrap();
            assert_eq!(
                VarsTemplate::parse(source)
                    .unwrap()
                    .render(data.clone())
                    .unwrap(),
                want,
                "{source}"
            );
        }
        // The step function is not callable from a spec.
        let err = VarsTemplate::parse(&format!("{{{{ {STEP} }}}}"))
            .unwrap_err()
            .0;
        assert!(err.contains("not defined"), "{err}");
    }

    #[test]
    fn quoted_output_is_cut() {
        let t = VarsTemplate::parse("{{ repeat 500000 \"a\" }}").unwrap();
        let err = t.render_vars(data()).unwrap_err().0;
        assert!(err.len() < 400, "{}", err.len());
        assert!(
            err.starts_with("missing value in expanded template line \"aaa"),
            "{err}"
        );
    }

    #[test]
    fn dangers_are_found_in_the_source() {
        let cases = [
            (
                "{{ range .a }}{{ range .b }}{{ range .c }}{{ end }}{{ end }}{{ end }}",
                "`range` nested 3 deep",
            ),
            (
                "{{ repeat 99999999 \"ab\" }}",
                "`repeat 99999999` makes more than",
            ),
            ("{{ x := (repeat 2000000 \"a\") }}", "`repeat 2000000`"),
            (
                "{{ printf \"%999999999d\" 1 }}",
                "printf: width or precision 999999999",
            ),
        ];
        for (source, want) in cases {
            let t = VarsTemplate {
                source: source.to_owned(),
                template: Arc::new(Template::default()),
            };
            let found = t.dangers();
            assert!(
                found.iter().any(|d| d.contains(want)),
                "{source}: {found:?}"
            );
        }
        for fine in [
            "{{ range .a }}{{ range .b }}x{{ end }}{{ end }}",
            "{{ repeat 3 \"ab\" }}",
            "{{ printf \"%5d\" 1 }}",
        ] {
            assert!(
                VarsTemplate::parse(fine).unwrap().dangers().is_empty(),
                "{fine}"
            );
        }
    }

    #[test]
    fn random_inputs_never_hang_or_panic() {
        // gtmpl 0.7's lexer loops or panics on some inputs; `check_lexable` must stop them.
        const PIECES: [&str; 27] = [
            "{{", "}}", " ", ".a", ".", "(", ")", "\"", "`", "'", "\\", "-", "|", "$x", ":=", "if",
            "end", "else", "range", "é", "\n", "/*", "*/", "1", "x", "u", "\r",
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
                .map(|_| PIECES[usize::try_from(next() % 27).unwrap()])
                .collect();
            if let Ok(t) = VarsTemplate::parse(&source) {
                let _ = t.render(Value::Nil);
            }
        }
    }
}
