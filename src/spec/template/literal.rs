//! The quoted literals of a template's actions (`"…"`, `'…'`, `` `…` ``), read as Go reads them
//! and spelt so that gtmpl 0.7 reads the same value.
//!
//! gtmpl's lexer and unquoting differ from Go's in ways that matter to a spec:
//! - its lexer takes a quote after any backslash as escaped, even after an escaped backslash
//!   (`"a\\"` runs on to the end of the action, where the lexer loops);
//! - it interprets escapes in raw strings (`` `\d` `` is an error, `` `\n` `` a newline) and keeps
//!   their carriage returns, which Go drops;
//! - it loops forever on `\x` or `\u` without enough digits after them, misreads a `\x` or `\u`
//!   escape followed by more text, and knows no octal, `\a` or `\v` escape;
//! - it accepts `\'` in a double-quoted string, which Go rejects.
//!
//! A literal gtmpl would misread ([`Literal::misread`]) is decoded here by Go's rules
//! (`strconv.Unquote`) and written back in the few escapes both read alike ([`respell`]); one
//! Go rejects is rejected with the reason.

/// A literal found in an action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Literal {
    /// The byte after it: after its closing quote, or after the newline or at the end of the
    /// input where Go's lexer finds it unterminated.
    pub(super) end: usize,
    /// Whether gtmpl would read it otherwise than Go (only for a terminated literal).
    pub(super) misread: bool,
}

/// Skips the literal whose opening quote is `bytes[start]`, the way Go's lexer does.
pub(super) fn skip(bytes: &[u8], start: usize) -> Literal {
    let quote = bytes[start];
    let mut i = start + 1;
    if quote == b'`' {
        return match bytes[i..].iter().position(|&b| b == b'`') {
            Some(at) => {
                let end = i + at + 1;
                let misread = bytes[start..end].iter().any(|&b| b == b'\\' || b == b'\r');
                Literal { end, misread }
            }
            None => Literal {
                end: bytes.len(),
                misread: false,
            },
        };
    }
    while let Some(&c) = bytes.get(i) {
        i += 1;
        match c {
            b'\\' if !matches!(bytes.get(i), Some(b'\n') | None) => i += 1,
            b'\n' | b'\\' => break,
            c if c == quote => {
                return Literal {
                    end: i,
                    misread: !read_alike(&bytes[start..i]),
                };
            }
            _ => {}
        }
    }
    Literal {
        end: i,
        misread: false,
    }
}

/// Whether gtmpl reads the terminated quoted literal `text` (quotes included) as Go does: its
/// escapes are all among `\\`, `\n`, `\t`, `\r`, `\b`, `\f` and the escaped quote, none is an
/// escaped backslash right before the closing quote, except that the literal may end in a
/// `\x` escape of an ASCII character (what [`respell`] writes for a final backslash).
fn read_alike(text: &[u8]) -> bool {
    let quote = text[0];
    let inner = &text[1..text.len() - 1];
    let mut i = 0;
    while i < inner.len() {
        if inner[i] != b'\\' {
            i += 1;
            continue;
        }
        let last = i + 2 == inner.len();
        match inner[i + 1] {
            b'\\' if last => return false,
            b'\\' | b'n' | b't' | b'r' | b'b' | b'f' => {}
            c if c == quote => {}
            b'x' if i + 4 == inner.len() => {
                return hex(&inner[i + 2..]).is_some_and(|v| v < 0x80);
            }
            _ => return false,
        }
        i += 2;
    }
    true
}

/// The value of a hexadecimal number of ASCII digits (none: not all digits).
fn hex(digits: &[u8]) -> Option<u32> {
    let text = std::str::from_utf8(digits).ok()?;
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    u32::from_str_radix(text, 16).ok()
}

/// One element of a quoted literal, as Go reads it: a character, or a byte (`\x` and octal
/// escapes make bytes in a string and characters up to U+00FF in a character constant).
enum Unit {
    Char(char),
    Byte(u8),
}

/// Reads the element of a quoted literal's inside that starts `rest`, by Go's rules
/// (`strconv.UnquoteChar`): the element and its length in bytes, or what is wrong.
fn unquote_one(rest: &str, quote: char) -> Result<(Unit, usize), String> {
    let mut chars = rest.chars();
    let c = chars.next().ok_or("an empty literal")?;
    if c != '\\' {
        return Ok((Unit::Char(c), c.len_utf8()));
    }
    let e = chars.next().ok_or("a lone `\\`")?;
    let simple = match e {
        'a' => Some('\u{7}'),
        'b' => Some('\u{8}'),
        'f' => Some('\u{c}'),
        'n' => Some('\n'),
        'r' => Some('\r'),
        't' => Some('\t'),
        'v' => Some('\u{b}'),
        '\\' => Some('\\'),
        '\'' | '"' if e == quote => Some(e),
        _ => None,
    };
    if let Some(c) = simple {
        return Ok((Unit::Char(c), 2));
    }
    let digits = |n: usize, radix: u32| -> Result<u32, String> {
        let text = rest.get(2..2 + n).unwrap_or("");
        if text.len() == n && text.chars().all(|d| d.is_digit(radix)) {
            Ok(u32::from_str_radix(text, radix).unwrap_or(u32::MAX))
        } else {
            Err(format!("`\\{e}` needs {n} more digits"))
        }
    };
    match e {
        'x' => Ok((Unit::Byte(byte(digits(2, 16)?)), 4)),
        '0'..='7' => {
            let text = rest
                .get(1..4)
                .filter(|d| d.len() == 3 && d.bytes().all(|b| (b'0'..=b'7').contains(&b)))
                .ok_or("an octal escape needs three digits")?;
            let value = u32::from_str_radix(text, 8).unwrap_or(u32::MAX);
            let value =
                u8::try_from(value).map_err(|_| format!("octal escape `\\{text}` over 255"))?;
            Ok((Unit::Byte(value), 4))
        }
        'u' | 'U' => {
            let n = if e == 'u' { 4 } else { 8 };
            let value = digits(n, 16)?;
            let c = char::from_u32(value)
                .ok_or_else(|| format!("`\\{e}{value:0n$x}` is not a Unicode character"))?;
            Ok((Unit::Char(c), 2 + n))
        }
        _ => Err(format!("invalid escape `\\{e}`")),
    }
}

/// A byte from a two-digit value.
fn byte(value: u32) -> u8 {
    u8::try_from(value).unwrap_or(u8::MAX)
}

/// The literal `text` (quotes included, terminated) spelt so that gtmpl reads the value Go
/// reads, or why Go rejects it.
pub(super) fn respell(text: &str) -> Result<String, String> {
    let quote = text.chars().next().ok_or("an empty literal")?;
    let inner = &text[1..text.len() - 1];
    match quote {
        '`' => Ok(spell_string(&inner.replace('\r', ""))),
        '\'' => {
            let (unit, len) = unquote_one(inner, quote)?;
            if len != inner.len() {
                return Err("a character constant of more than one character".to_owned());
            }
            Ok(spell_char(match unit {
                Unit::Char(c) => c,
                Unit::Byte(b) => char::from(b),
            }))
        }
        _ => {
            let mut value = Vec::with_capacity(inner.len());
            let mut rest = inner;
            while !rest.is_empty() {
                let (unit, len) = unquote_one(rest, quote)?;
                match unit {
                    Unit::Char(c) => value.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes()),
                    Unit::Byte(b) => value.push(b),
                }
                rest = &rest[len..];
            }
            let value = String::from_utf8(value).map_err(|_| {
                "its escapes make bytes that are not UTF-8, which a vars template cannot hold"
                    .to_owned()
            })?;
            Ok(spell_string(&value))
        }
    }
}

/// `value` as a double-quoted literal in the escapes gtmpl reads as Go does.
fn spell_string(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    if value.ends_with('\\') {
        // gtmpl would take the closing quote for an escaped one.
        out.truncate(out.len() - 2);
        out.push_str("\\x5c");
    }
    out.push('"');
    out
}

/// `c` as a character constant in the escapes gtmpl reads as Go does.
fn spell_char(c: char) -> String {
    match c {
        '\\' => "'\\x5c'".to_owned(),
        '\'' => "'\\''".to_owned(),
        '\n' => "'\\n'".to_owned(),
        c => format!("'{c}'"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_escapes_are_decoded() {
        let cases = [
            (r#""a\tb""#, "\"a\tb\""),
            (r#""\a\v\101\x41\u00e9\U0001F600""#, "\"\u{7}\u{b}AAé😀\""),
            (r#""\xc3\xa9""#, "\"é\""),
            (r#""x\\""#, r#""x\x5c""#),
            (r#""say \"hi\"""#, r#""say \"hi\"""#),
            ("\"a\\nb\"", "\"a\\nb\""),
            ("`a\\d\r\nb`", "\"a\\\\d\\nb\""),
            ("`\\`", r#""\x5c""#),
            (r"'\\'", r"'\x5c'"),
            (r"'\x41'", "'A'"),
            (r"'\xff'", "'ÿ'"),
            (r"'\''", r"'\''"),
            ("'é'", "'é'"),
        ];
        for (literal, want) in cases {
            assert_eq!(respell(literal).as_deref(), Ok(want), "{literal}");
            // The result is one gtmpl reads as Go does.
            let spelt = respell(literal).unwrap();
            let scanned = skip(spelt.as_bytes(), 0);
            assert_eq!(scanned.end, spelt.len(), "{spelt}");
            assert!(!scanned.misread, "{literal} -> {spelt}");
        }
    }

    #[test]
    fn what_go_rejects_is_rejected() {
        let cases = [
            (r#""\q""#, "invalid escape `\\q`"),
            (r#""\'""#, "invalid escape `\\'`"),
            (r#"'\"'"#, "invalid escape `\\\"`"),
            (r#""\x4""#, "`\\x` needs 2 more digits"),
            (r#""\x""#, "`\\x` needs 2 more digits"),
            (r#""\u12""#, "`\\u` needs 4 more digits"),
            (r#""\ud800""#, "not a Unicode character"),
            (r#""\400""#, "over 255"),
            (r#""\12""#, "three digits"),
            (r#""\xff""#, "not UTF-8"),
            ("'ab'", "more than one character"),
            ("''", "empty"),
            ("\"\\é\"", "invalid escape `\\é`"),
        ];
        for (literal, want) in cases {
            let err = respell(literal).unwrap_err();
            assert!(err.contains(want), "{literal}: {err}");
        }
    }

    #[test]
    fn literals_are_skipped_as_go_lexes_them() {
        // (input starting with a literal, where it ends, whether gtmpl misreads it)
        let cases: [(&str, usize, bool); 10] = [
            (r#""abc" x"#, 5, false),
            (r#""a\"c" x"#, 6, false),
            (r#""a\\" x"#, 5, true),
            (r#""a\\\\" x"#, 7, true),
            (r#""a\x41b" x"#, 8, true),
            (r#""a\x41" x"#, 7, false),
            ("\"ab\ncd\"", 4, false),
            (r#""ab"#, 3, false),
            ("`a\\b` x", 5, true),
            ("`ab x", 5, false),
        ];
        for (input, end, misread) in cases {
            assert_eq!(
                skip(input.as_bytes(), 0),
                Literal { end, misread },
                "{input:?}"
            );
        }
    }
}
