//! A fast reader for the shape most specs have: block mappings and sequences, one-line flow
//! collections, plain scalars and one-line quoted scalars without escapes, comments, printable
//! ASCII. It builds the same tree as the full parser ([`super::parse`]) and gives up (`None`)
//! on anything else (anchors, tags, block scalars, multi-line scalars, document markers but
//! one leading `---`, empty values, tabs, errors, the limits), which then goes to the full
//! parser: it is never the reason a document is accepted or rejected, nor what an error says.

use std::borrow::Cow;

use super::{Document, Kind, Limits, Node, Pos, Style};

/// Reads `text` if it has the simple shape; `None` otherwise.
pub(super) fn parse(text: &str, limits: Limits) -> Option<Document<'_>> {
    let src = text.as_bytes();
    if !plain_ascii(src) {
        return None;
    }
    let mut reader = Reader {
        text,
        src,
        at: 0,
        line: 1,
        line_start: 0,
        nodes: 0,
        limits,
        next: None,
        document_start: true,
        marker: false,
        items: Vec::new(),
        entries: Vec::new(),
    };
    let mut indent = reader.next_content()?;
    reader.document_start = false;
    // A document start marker on a line of its own before the root (`kubectl -o yaml` and
    // many saved files begin so).
    if indent == 0 && src[reader.at..].starts_with(b"---\n") {
        reader.at += 3;
        indent = reader.next_content()?;
    }
    let root = if reader.dash_entry() {
        reader.block_seq(indent, 0, false)?
    } else {
        reader.block_map(indent, 0)?
    };
    // Everything was read: a line left over (less indented than the root) is not simple.
    if reader.next.is_some() || reader.marker {
        return None;
    }
    Some(Document {
        root: Some(root),
        count: 1,
    })
}

/// The bytes a plain scalar's reading stops at to look closer (see `Reader::scalar`).
const PLAIN_STOPS: [bool; 256] = {
    let mut stops = [false; 256];
    let mut i = 0;
    let bytes = b"\n:#[]{},";
    while i < bytes.len() {
        stops[bytes[i] as usize] = true;
        i += 1;
    }
    stops
};

/// Printable ASCII and newlines only. Checked a block at a time without a branch per byte,
/// so that the compiler can test many bytes at once (the reader's own loops, which look at
/// each byte for what it means, would otherwise each need the test).
fn plain_ascii(src: &[u8]) -> bool {
    let ok = |b: u8| b.wrapping_sub(0x20) < 0x5f || b == b'\n';
    let mut blocks = src.chunks_exact(64);
    let whole = blocks
        .by_ref()
        .all(|block| block.iter().fold(true, |all, &b| all & ok(b)));
    whole && blocks.remainder().iter().all(|&b| ok(b))
}

/// Whether `line` (from its first byte) starts a document marker or a directive.
fn marker(line: &[u8]) -> bool {
    line.starts_with(b"---") || line.starts_with(b"...") || line.starts_with(b"%")
}

struct Reader<'a> {
    /// The text (printable ASCII: every byte is a character), which scalars borrow from.
    text: &'a str,
    src: &'a [u8],
    /// The byte being read.
    at: usize,
    /// Its line, from 1.
    line: usize,
    /// Where that line starts.
    line_start: usize,
    /// Nodes completed so far.
    nodes: usize,
    limits: Limits,
    /// After a block collection: the indentation of the content line `at` is on, `None` at
    /// the end of the text.
    next: Option<usize>,
    /// Before the root: a document start marker (`---` alone on its line) may come first.
    document_start: bool,
    /// A document marker or directive was met (reading stopped there as at the end).
    marker: bool,
    /// The items of the sequences being read, innermost last: each collection collects on
    /// top of this stack and moves its own off into a vector of the exact size when done, so
    /// that no vector of the tree grows one item at a time.
    items: Vec<Node<'a>>,
    /// The same for mapping entries.
    entries: Vec<(Node<'a>, Node<'a>)>,
}

impl<'a> Reader<'a> {
    fn peek(&self) -> Option<u8> {
        self.src.get(self.at).copied()
    }

    fn peek_at(&self, ahead: usize) -> Option<u8> {
        self.src.get(self.at + ahead).copied()
    }

    fn pos(&self) -> Pos {
        Pos {
            line: self.line,
            col: self.at - self.line_start + 1,
        }
    }

    fn node(&mut self, pos: Pos, kind: Kind<'a>) -> Option<Node<'a>> {
        self.nodes += 1;
        (self.nodes <= self.limits.max_nodes).then_some(Node { pos, kind })
    }

    fn skip_spaces(&mut self) -> usize {
        let start = self.at;
        while self.peek() == Some(b' ') {
            self.at += 1;
        }
        self.at - start
    }

    /// After a value: spaces, then a comment (after at least one space) or the line's end.
    /// Leaves `at` on the newline (or the end of the text).
    fn end_of_line(&mut self) -> Option<()> {
        let spaces = self.skip_spaces();
        match self.peek() {
            None | Some(b'\n') => Some(()),
            Some(b'#') if spaces > 0 => {
                while !matches!(self.peek(), None | Some(b'\n')) {
                    self.at += 1;
                }
                Some(())
            }
            _ => None,
        }
    }

    /// Moves to the first character of the next line with content (past blank and comment
    /// lines) and returns its indentation; `None` at the end of the text. `at` must be at the
    /// start of a line or on a newline.
    fn next_content(&mut self) -> Option<usize> {
        loop {
            if self.peek() == Some(b'\n') {
                self.at += 1;
                self.line += 1;
                self.line_start = self.at;
            }
            if self.at >= self.src.len() {
                return None;
            }
            if self.at != self.line_start {
                // Only reached on a line's first byte or its newline.
                return None;
            }
            // Every line starts here: no document marker or directive but one leading `---`.
            let rest = &self.src[self.at..];
            if marker(rest) && !(self.document_start && rest.starts_with(b"---\n")) {
                self.marker = true;
                return None;
            }
            let indent = self.skip_spaces();
            match self.peek() {
                None => return None,
                Some(b'\n') => {}
                Some(b'#') => {
                    while !matches!(self.peek(), None | Some(b'\n')) {
                        self.at += 1;
                    }
                }
                Some(_) => return Some(indent),
            }
        }
    }

    /// Whether `at` is on a block sequence entry (`- `).
    fn dash_entry(&self) -> bool {
        self.peek() == Some(b'-') && self.peek_at(1) == Some(b' ')
    }

    /// A block sequence whose entries start at column `indent` (0-based); `at` on the first
    /// `-`; `indentless` when at the indentation of its mapping key. Leaves `at` on the next
    /// content line, its indentation in `next`.
    fn block_seq(&mut self, indent: usize, depth: usize, indentless: bool) -> Option<Node<'a>> {
        if depth >= self.limits.max_depth {
            return None;
        }
        let base = self.items.len();
        let mut pos = self.pos();
        loop {
            // On `- `.
            self.at += 1;
            self.skip_spaces();
            let (item, nested) = match self.peek() {
                None | Some(b'\n' | b'#') => return None,
                Some(b'-') if self.peek_at(1) == Some(b' ') => return None,
                _ => self.inline_item(depth + 1)?,
            };
            if indentless && self.items.len() == base {
                // The full parser places a sequence not indented under its key where its
                // first entry starts, others on their first `-`.
                pos = item.pos;
            }
            self.items.push(item);
            if !nested {
                self.next = self.next_content();
            }
            match self.next {
                None => break,
                Some(next) if next == indent && self.dash_entry() => {}
                Some(next) if next < indent || (next == indent && !self.dash_entry()) => break,
                Some(_) => return None,
            }
        }
        let items = self.items.split_off(base);
        self.node(pos, Kind::Seq(items))
    }

    /// A sequence entry's content after `- `: a scalar or flow collection alone on the line,
    /// or the first key of a mapping (then `true`: the mapping has set `next`).
    fn inline_item(&mut self, depth: usize) -> Option<(Node<'a>, bool)> {
        let key_col = self.at - self.line_start;
        let start = self.at;
        let (line, line_start) = (self.line, self.line_start);
        if matches!(self.peek(), Some(b'[' | b'{')) {
            let node = self.flow(depth)?;
            self.end_of_line()?;
            return Some((node, false));
        }
        let nodes = self.nodes;
        let scalar = self.scalar(false)?;
        self.skip_spaces();
        if self.peek() == Some(b':') && matches!(self.peek_at(1), None | Some(b' ' | b'\n')) {
            // A mapping: read it again from its first key.
            self.at = start;
            self.line = line;
            self.line_start = line_start;
            self.nodes = nodes;
            return Some((self.block_map(key_col, depth)?, true));
        }
        self.end_of_line()?;
        Some((scalar, false))
    }

    /// A block mapping whose keys start at column `indent` (0-based); `at` on the first key.
    /// Leaves `at` on the next content line, its indentation in `next`.
    fn block_map(&mut self, indent: usize, depth: usize) -> Option<Node<'a>> {
        if depth >= self.limits.max_depth {
            return None;
        }
        let pos = self.pos();
        let base = self.entries.len();
        loop {
            if matches!(self.peek(), Some(b'[' | b'{')) {
                return None;
            }
            let key = self.scalar(false)?;
            self.skip_spaces();
            if !(self.peek() == Some(b':') && matches!(self.peek_at(1), None | Some(b' ' | b'\n')))
            {
                return None;
            }
            self.at += 1;
            let spaces = self.skip_spaces();
            let value = match self.peek() {
                None | Some(b'\n') => self.block_value(indent, depth + 1)?,
                Some(b'#') if spaces > 0 => {
                    self.end_of_line()?;
                    self.block_value(indent, depth + 1)?
                }
                Some(b'[' | b'{') => {
                    let node = self.flow(depth + 1)?;
                    self.end_of_line()?;
                    self.next = self.next_content();
                    node
                }
                _ => {
                    let node = self.scalar(false)?;
                    self.end_of_line()?;
                    self.next = self.next_content();
                    node
                }
            };
            self.entries.push((key, value));
            match self.next {
                None => break,
                Some(next) if next < indent => break,
                Some(next) if next == indent && !self.dash_entry() => {}
                Some(_) => return None,
            }
        }
        let entries = self.entries.split_off(base);
        self.node(pos, Kind::Map(entries))
    }

    /// A mapping value on the lines after its key (at column `key_indent`): a more indented
    /// block mapping or sequence, or a sequence at the key's own indentation. Leaves `at` on
    /// the next content line, its indentation in `next`.
    fn block_value(&mut self, key_indent: usize, depth: usize) -> Option<Node<'a>> {
        let indent = self.next_content()?;
        let node = if self.dash_entry() && indent >= key_indent {
            self.block_seq(indent, depth, indent == key_indent)?
        } else if indent > key_indent && !matches!(self.peek(), Some(b'-')) {
            self.block_map(indent, depth)?
        } else {
            return None;
        };
        Some(node)
    }

    /// A flow collection on one line; `at` on `[` or `{`.
    fn flow(&mut self, depth: usize) -> Option<Node<'a>> {
        if depth >= self.limits.max_depth {
            return None;
        }
        let pos = self.pos();
        let open = self.peek()?;
        self.at += 1;
        let close = if open == b'[' { b']' } else { b'}' };
        let (items, entries) = (self.items.len(), self.entries.len());
        self.skip_spaces();
        if self.peek() == Some(close) {
            self.at += 1;
        } else {
            loop {
                let first = self.flow_node(depth + 1)?;
                self.skip_spaces();
                if open == b'{' {
                    if self.peek() != Some(b':') {
                        return None;
                    }
                    self.at += 1;
                    if self.skip_spaces() == 0 {
                        return None;
                    }
                    let value = self.flow_node(depth + 1)?;
                    self.entries.push((first, value));
                    self.skip_spaces();
                } else {
                    self.items.push(first);
                }
                match self.peek() {
                    Some(b',') => {
                        self.at += 1;
                        self.skip_spaces();
                        if matches!(self.peek(), Some(b']' | b'}' | b',')) {
                            return None;
                        }
                    }
                    Some(c) if c == close => {
                        self.at += 1;
                        break;
                    }
                    _ => return None,
                }
            }
        }
        let kind = if open == b'[' {
            Kind::Seq(self.items.split_off(items))
        } else {
            Kind::Map(self.entries.split_off(entries))
        };
        self.node(pos, kind)
    }

    fn flow_node(&mut self, depth: usize) -> Option<Node<'a>> {
        match self.peek()? {
            b'[' | b'{' => self.flow(depth),
            _ => self.scalar(true),
        }
    }

    /// A plain or quoted scalar on one line; `flow` for one inside a flow collection.
    fn scalar(&mut self, flow: bool) -> Option<Node<'a>> {
        let pos = self.pos();
        let start = self.at;
        let (text, style) = match self.peek()? {
            quote @ (b'"' | b'\'') => {
                self.at += 1;
                // The text is a slice of the source unless it holds a `''` escape.
                let mut owned: Option<String> = None;
                let mut from = self.at;
                let text = loop {
                    while !matches!(self.peek(), None | Some(b'\n' | b'\\' | b'"' | b'\'')) {
                        self.at += 1;
                    }
                    match self.peek() {
                        Some(c) if c == quote => {
                            if quote == b'\'' && self.peek_at(1) == Some(b'\'') {
                                // One quote, kept; the other skipped.
                                owned
                                    .get_or_insert_with(String::new)
                                    .push_str(&self.text[from..=self.at]);
                                self.at += 2;
                                from = self.at;
                            } else {
                                let rest = &self.text[from..self.at];
                                self.at += 1;
                                break match owned {
                                    Some(mut text) => {
                                        text.push_str(rest);
                                        Cow::Owned(text)
                                    }
                                    None => Cow::Borrowed(rest),
                                };
                            }
                        }
                        // The other quote is text.
                        Some(b'"' | b'\'') => self.at += 1,
                        _ => return None,
                    }
                };
                (text, Style::Literal)
            }
            first => {
                let indicator = matches!(
                    first,
                    b'-' | b'?'
                        | b':'
                        | b','
                        | b'['
                        | b']'
                        | b'{'
                        | b'}'
                        | b'#'
                        | b'&'
                        | b'*'
                        | b'!'
                        | b'|'
                        | b'>'
                        | b'%'
                        | b'@'
                        | b'`'
                        | b' '
                        | b'\n'
                );
                let dash_word = first == b'-'
                    && self
                        .peek_at(1)
                        .is_some_and(|b| b.is_ascii_alphanumeric() || b == b'.');
                if indicator && !dash_word {
                    return None;
                }
                loop {
                    // Most of a scalar is bytes that mean nothing here: one table look-up each.
                    while self
                        .src
                        .get(self.at)
                        .is_some_and(|&b| !PLAIN_STOPS[usize::from(b)])
                    {
                        self.at += 1;
                    }
                    match self.peek() {
                        None | Some(b'\n') => break,
                        Some(b':') => {
                            if matches!(self.peek_at(1), None | Some(b' ' | b'\n'))
                                || (flow && matches!(self.peek_at(1), Some(b',' | b']' | b'}')))
                            {
                                break;
                            }
                            // Inside a block scalar a colon before other text is text
                            // (`https://host/`); in a flow collection it is not simple.
                            if flow {
                                return None;
                            }
                            self.at += 1;
                        }
                        Some(b'#') => {
                            if self.src[self.at - 1] == b' ' {
                                break;
                            }
                            return None;
                        }
                        Some(b'[' | b']' | b'{' | b'}' | b',') if flow => break,
                        Some(b'[' | b']' | b'{' | b'}') => return None,
                        Some(_) => self.at += 1,
                    }
                }
                let trimmed = self.text[start..self.at].trim_end_matches(' ');
                if trimmed.is_empty() || trimmed.len() > 1000 {
                    return None;
                }
                // Leave the trailing spaces unread: the caller skips them.
                self.at = start + trimmed.len();
                (Cow::Borrowed(trimmed), Style::Plain)
            }
        };
        if self.at - start > 1000 {
            return None;
        }
        self.node(pos, Kind::Scalar(text, style))
    }
}
