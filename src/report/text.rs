//! Text for terminals: user-supplied strings made harmless, and words wrapped to a width.
//!
//! Names, descriptions, tags, values and messages that quote them come from a spec, a snapshot
//! or a registry: a control character in them could move the cursor, rewrite the line ("OK"
//! over "FAIL"), change the terminal's colours or title, or (a bidi override) show text in
//! another order than it is. Every human output passes them through [`escape`]; JSON and YAML
//! outputs escape them by their own rules.

use std::borrow::Cow;
use std::fmt::Write as _;

/// Whether `c` must not reach a terminal as is: C0 and C1 controls, DEL, the line and
/// paragraph separators, and the bidi embedding, override, isolate and mark characters.
fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061c}'
                | '\u{200e}'
                | '\u{200f}'
                | '\u{2028}'
                | '\u{2029}'
                | '\u{202a}'..='\u{202e}'
                | '\u{2066}'..='\u{2069}'
        )
}

/// `s` with every unsafe character written as an escape: `\n`, `\r`, `\t`, `\x1b` (C0 and DEL)
/// or `\u{202e}` (others). Borrowed when there is nothing to escape.
pub fn escape(s: &str) -> Cow<'_, str> {
    // Printable ASCII, what nearly all text is, tested a byte at a time without decoding (the
    // compiler tests many bytes at once): the character test below cost 16 instructions a byte.
    if s.bytes().all(|b| b.wrapping_sub(0x20) < 0x5f) || !s.chars().any(is_unsafe) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if u32::from(c) < 0x80 && is_unsafe(c) => {
                let _ = write!(out, "\\x{:02x}", u32::from(c));
            }
            c if is_unsafe(c) => {
                let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// The width of `s` on a terminal, in columns (one per character: the reports' text is
/// escaped and mostly ASCII).
pub(crate) fn width(s: &str) -> usize {
    s.chars().count()
}

/// `text` wrapped to `width` columns at spaces: the first line starts with `first`, the others
/// with `rest` (a hanging indent). A word longer than a line is never broken: it gets a line of
/// its own and runs past the width. `None` for `width` never wraps.
pub(crate) fn wrap(text: &str, width: Option<usize>, first: &str, rest: &str) -> Vec<String> {
    let Some(max) = width else {
        return vec![format!("{first}{text}")];
    };
    let mut lines = Vec::new();
    let mut line = first.to_owned();
    let mut empty = true;
    for word in text.split(' ').filter(|w| !w.is_empty()) {
        if !empty && self::width(&line) + 1 + self::width(word) > max {
            lines.push(std::mem::replace(&mut line, rest.to_owned()));
            empty = true;
        }
        if !empty {
            line.push(' ');
        }
        line.push_str(word);
        empty = false;
    }
    lines.push(line);
    lines
}

/// `line` cut before its last `at` when it is wider than `width` (an image reference before
/// `@sha256:...`): the two parts, each to be printed on its own line.
pub(crate) fn split_at(line: &str, at: char, width: Option<usize>) -> Option<(&str, &str)> {
    let max = width?;
    if self::width(line) <= max {
        return None;
    }
    line.rfind(at).map(|i| line.split_at(i))
}

#[cfg(test)]
mod tests {
    use super::{escape, wrap};

    #[test]
    fn controls_and_bidi_overrides_are_escaped() {
        assert_eq!(escape("vfio_pci"), "vfio_pci");
        assert!(matches!(escape("plain"), std::borrow::Cow::Borrowed(_)));
        assert_eq!(escape("a\nb\rc\td"), "a\\nb\\rc\\td");
        assert_eq!(
            escape("\x1b[2J\x1b]0;owned\x07"),
            "\\x1b[2J\\x1b]0;owned\\x07"
        );
        assert_eq!(escape("\x7f\u{9b}31m"), "\\x7f\\u{9b}31m");
        assert_eq!(escape("ok\u{202e}LIAF"), "ok\\u{202e}LIAF");
        assert_eq!(
            escape("\u{2066}x\u{2069}\u{200f}"),
            "\\u{2066}x\\u{2069}\\u{200f}"
        );
        // Other non-ASCII text is kept.
        assert_eq!(escape("schön — 日本"), "schön — 日本");
    }

    #[test]
    fn wrapping_keeps_words_whole_and_indents_the_rest() {
        assert_eq!(
            wrap("one two three four", Some(12), "- ", "  "),
            ["- one two", "  three four"]
        );
        assert_eq!(
            wrap("a kernel.loadedmodule.vfio_pci b", Some(10), "", "    "),
            ["a", "    kernel.loadedmodule.vfio_pci", "    b"]
        );
        assert_eq!(
            wrap("no limit at all", None, "> ", ""),
            ["> no limit at all"]
        );
    }
}
