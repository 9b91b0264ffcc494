//! Streaming split of a JSON snapshot into its list items, without parsing them.
//!
//! A NodeFeatureList of 10,000 nodes is hundreds of megabytes; building one `serde_json::Value`
//! of it would cost gigabytes. [`split`] reads the document in chunks and tracks only strings,
//! escapes and bracket depth, so it runs at memory speed on one core; each item of the
//! top-level `items` array is handed over as its own bytes and parsed (typed, with serde) on a
//! worker thread. Everything outside `items` (`apiVersion`, `kind`, `metadata`) is kept, with
//! `items` emptied, so that the caller can check the list's kind with serde. A document without
//! `items` (a bare Features object or one NodeFeature) is returned whole.
//!
//! The splitter does not validate JSON: serde does that on every item and on the remainder, so
//! syntax errors get serde's messages. It only reports what it alone can see: the input ended
//! inside the list (a truncated `kubectl` output), or an item is larger than the limit.

use std::io::{self, Read};

/// The largest single item (one NodeFeature) accepted, in bytes.
pub(crate) const MAX_ITEM_BYTES: usize = 64 << 20;

/// What was left after the items were handed over.
#[derive(Debug)]
pub(crate) enum Split {
    /// The document has a top-level `items` array; the bytes are the document with `items`
    /// emptied (`{"apiVersion":"v1","items":[],"kind":"List"}`).
    List {
        /// How many items were handed over.
        items: usize,
        /// The rest of the document.
        rest: Vec<u8>,
    },
    /// The document has no `items` array: all of it (possibly invalid or truncated JSON).
    Document(Vec<u8>),
}

/// Why splitting stopped.
#[derive(Debug, thiserror::Error)]
pub(crate) enum SplitError {
    /// Reading failed.
    #[error("cannot read")]
    Read(#[source] io::Error),
    /// The input ended inside the `items` array.
    #[error("the input ends inside `items[{index}]`: truncated after {index} complete items")]
    Truncated {
        /// The index of the incomplete item.
        index: usize,
    },
    /// An item or the document is too large.
    #[error("`{place}` is larger than {limit} bytes")]
    TooLarge {
        /// `items[N]` or `the document`.
        place: String,
        /// The limit.
        limit: usize,
    },
}

/// Where the scanner is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Before the `items` array (or in a document without one).
    Outside,
    /// Inside the `items` array, between items.
    Between,
    /// Inside an item.
    Item,
    /// After the `items` array.
    After,
}

/// Splits the JSON document read from `reader`, calling `on_item(index, bytes)` for each
/// element of its top-level `items` array, in order (the bytes are lent: an item within one
/// chunk is handed over where it lies, one across chunks from a buffer used again for the
/// next). `doc_limit` bounds what is kept outside
/// the items (the whole document when it has no `items`). `size` is the input's size when it
/// is known (a file's length; 0 otherwise): a document without `items` is then read into one
/// buffer of that size, not into one grown by doubling and copied to fit, whose spare and
/// freed pages would count as much again while the document is parsed.
pub(crate) fn split<R: Read>(
    mut reader: R,
    doc_limit: usize,
    size: u64,
    mut on_item: impl FnMut(usize, &[u8]),
) -> Result<Split, SplitError> {
    let mut buf = vec![0u8; 1 << 20];
    // Reserved only: pages are touched as the document fills them, and a list gives the spare
    // back as soon as its `items` begin.
    let reserve = usize::try_from(size).map_or(doc_limit, |s| s.min(doc_limit));
    let mut rest: Vec<u8> = Vec::with_capacity(reserve);
    let mut item: Vec<u8> = Vec::new();
    let mut mode = Mode::Outside;
    let mut depth: usize = 0;
    let mut in_string = false;
    let mut escaped = false;
    // Top-level keys: whether the next depth-1 string is a key, and the last key read.
    let mut expect_key = false;
    let mut key: Vec<u8> = Vec::new();
    let mut last_key_items = false;
    let mut items = 0usize;
    loop {
        let n = match reader.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(SplitError::Read(e)),
        };
        let chunk = &buf[..n];
        // Bytes of `chunk` from `start` belong to the current item (in `Mode::Item`) or to the
        // rest (otherwise); flushed at mode changes and at the chunk's end.
        let mut start = 0;
        let mut i = 0;
        while i < n {
            if mode == Mode::Item && depth > 2 {
                // Inside an object or array item: only strings and brackets matter.
                match scan_item(chunk, i, &mut depth, &mut in_string, &mut escaped) {
                    Some(end) => {
                        hand_over(&mut item, &chunk[start..=end], items, &mut on_item)?;
                        items += 1;
                        mode = Mode::Between;
                        i = end + 1;
                    }
                    None => i = n,
                }
                continue;
            }
            if in_string {
                if escaped {
                    escaped = false;
                    i += 1;
                    continue;
                }
                match memchr::memchr2(b'"', b'\\', &chunk[i..]) {
                    None => {
                        if depth == 1 && expect_key {
                            key.extend_from_slice(&chunk[i..]);
                        }
                        i = n;
                    }
                    Some(off) => {
                        if depth == 1 && expect_key {
                            key.extend_from_slice(&chunk[i..i + off]);
                        }
                        i += off;
                        if chunk[i] == b'\\' {
                            escaped = true;
                        } else {
                            in_string = false;
                            if depth == 1 && expect_key {
                                expect_key = false;
                                last_key_items = key == b"items";
                            }
                        }
                        i += 1;
                    }
                }
                continue;
            }
            let b = chunk[i];
            match mode {
                Mode::Between => match b {
                    b' ' | b'\n' | b'\r' | b'\t' | b',' => {}
                    b']' => {
                        mode = Mode::After;
                        depth -= 1;
                        start = i;
                    }
                    _ => {
                        mode = Mode::Item;
                        start = i;
                        // Re-scan this byte as the item's first.
                        continue;
                    }
                },
                // A scalar item (objects and arrays are scanned above).
                Mode::Item => match b {
                    b'"' => in_string = true,
                    b'{' | b'[' => depth += 1,
                    // It ends at the next `,` or `]` of the array.
                    b',' | b']' if depth == 2 => {
                        hand_over(&mut item, &chunk[start..i], items, &mut on_item)?;
                        items += 1;
                        mode = Mode::Between;
                        continue;
                    }
                    _ => {}
                },
                Mode::Outside | Mode::After => match b {
                    b'"' => {
                        in_string = true;
                        if depth == 1 && expect_key {
                            key.clear();
                        }
                    }
                    b'{' => {
                        depth += 1;
                        if depth == 1 {
                            expect_key = true;
                        }
                    }
                    b'[' => {
                        depth += 1;
                        if depth == 2 && mode == Mode::Outside && last_key_items {
                            rest.extend_from_slice(&chunk[start..=i]);
                            rest.shrink_to_fit();
                            mode = Mode::Between;
                        }
                    }
                    b'}' | b']' => depth = depth.saturating_sub(1),
                    b',' if depth == 1 => expect_key = true,
                    b':' => {}
                    _ => {
                        if depth == 1 && !b.is_ascii_whitespace() {
                            last_key_items = false;
                        }
                    }
                },
            }
            i += 1;
        }
        match mode {
            Mode::Item => push_item(&mut item, &chunk[start..n], items)?,
            Mode::Between => {}
            Mode::Outside | Mode::After => {
                rest.extend_from_slice(&chunk[start..n]);
                if rest.len() > doc_limit {
                    return Err(SplitError::TooLarge {
                        place: "the document".to_owned(),
                        limit: doc_limit,
                    });
                }
            }
        }
    }
    match mode {
        Mode::Outside => Ok(Split::Document(rest)),
        Mode::After => Ok(Split::List { items, rest }),
        Mode::Between | Mode::Item => Err(SplitError::Truncated { index: items }),
    }
}

/// Eight copies of a byte.
pub(super) const fn splat(b: u8) -> u64 {
    u64::from_ne_bytes([b; 8])
}

const LOW: u64 = splat(0x01);
pub(super) const HIGH: u64 = splat(0x80);

/// The bytes of `word` that are zero have their high bit set in the result, and possibly
/// bytes above (later in memory than) a zero byte: the lowest flagged byte is exact.
pub(super) const fn zero_bytes(word: u64) -> u64 {
    word.wrapping_sub(LOW) & !word & HIGH
}

/// The index of the first byte of `chunk` from `i` that `find` flags (eight at a time), or
/// `None` when none does.
#[inline]
pub(super) fn first(
    chunk: &[u8],
    mut i: usize,
    find: impl Fn(u64) -> u64,
    byte: impl Fn(u8) -> bool,
) -> Option<usize> {
    while let Some(eight) = chunk.get(i..i + 8) {
        let mut word = [0u8; 8];
        word.copy_from_slice(eight);
        let found = find(u64::from_le_bytes(word));
        if found != 0 {
            return Some(i + (found.trailing_zeros() / 8) as usize);
        }
        i += 8;
    }
    chunk.get(i..)?.iter().position(|&b| byte(b)).map(|p| i + p)
}

/// Flags `"` and `\\` (the end of a string or an escape).
fn string_end(word: u64) -> u64 {
    zero_bytes(word ^ splat(b'"')) | zero_bytes(word ^ splat(b'\\'))
}

/// Flags `"`, `{`, `[`, `}` and `]` (`[` and `]` differ from `{` and `}` by bit 5 only).
fn structure(word: u64) -> u64 {
    let folded = word | splat(0x20);
    zero_bytes(word ^ splat(b'"'))
        | zero_bytes(folded ^ splat(b'{'))
        | zero_bytes(folded ^ splat(b'}'))
}

/// Scans `chunk` from `i` inside an object or array item (`depth` above 2), keeping track of
/// strings, escapes and depth across calls: the index of the bracket that closes the item,
/// or `None` when the chunk ends first. Eight bytes at a time: the strings of a NodeFeature
/// are short, shorter than what a `memchr` call costs to set up.
fn scan_item(
    chunk: &[u8],
    mut i: usize,
    depth: &mut usize,
    in_string: &mut bool,
    escaped: &mut bool,
) -> Option<usize> {
    let n = chunk.len();
    loop {
        if *in_string {
            if *escaped {
                if i >= n {
                    return None;
                }
                *escaped = false;
                i += 1;
            }
            loop {
                i = first(chunk, i, string_end, |b| b == b'"' || b == b'\\')?;
                let b = chunk[i];
                i += 1;
                if b == b'"' {
                    *in_string = false;
                    break;
                }
                if i >= n {
                    *escaped = true;
                    return None;
                }
                i += 1;
            }
        }
        loop {
            i = first(chunk, i, structure, |b| {
                matches!(b, b'"' | b'{' | b'[' | b'}' | b']')
            })?;
            let b = chunk[i];
            i += 1;
            match b {
                b'"' => {
                    *in_string = true;
                    break;
                }
                b'{' | b'[' => *depth += 1,
                _ => {
                    *depth -= 1;
                    if *depth == 2 {
                        return Some(i - 1);
                    }
                }
            }
        }
    }
}

/// Hands over item `index`, whose last bytes are `tail` (and first ones, when it began in an
/// earlier chunk, in `item`, which is emptied).
fn hand_over(
    item: &mut Vec<u8>,
    tail: &[u8],
    index: usize,
    on_item: &mut impl FnMut(usize, &[u8]),
) -> Result<(), SplitError> {
    if item.is_empty() {
        // Within one chunk (smaller than the limit).
        on_item(index, tail);
    } else {
        push_item(item, tail, index)?;
        on_item(index, item);
        item.clear();
    }
    Ok(())
}

fn push_item(item: &mut Vec<u8>, bytes: &[u8], index: usize) -> Result<(), SplitError> {
    if item.len() + bytes.len() > MAX_ITEM_BYTES {
        return Err(SplitError::TooLarge {
            place: format!("items[{index}]"),
            limit: MAX_ITEM_BYTES,
        });
    }
    item.extend_from_slice(bytes);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(input: &str, chunked: bool) -> (Vec<String>, Result<String, String>) {
        // A reader that returns one byte at a time exercises items spanning chunks.
        struct OneByte<'a>(&'a [u8]);
        impl Read for OneByte<'_> {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                if self.0.is_empty() || buf.is_empty() {
                    return Ok(0);
                }
                buf[0] = self.0[0];
                self.0 = &self.0[1..];
                Ok(1)
            }
        }
        let mut items = Vec::new();
        let on_item = |_, b: &[u8]| items.push(String::from_utf8(b.to_vec()).unwrap());
        let result = if chunked {
            split(OneByte(input.as_bytes()), 1 << 20, 0, on_item)
        } else {
            split(input.as_bytes(), 1 << 20, input.len() as u64, on_item)
        };
        let result = match result {
            Ok(Split::List { items, rest }) => Ok(format!(
                "list {items}: {}",
                String::from_utf8(rest).unwrap()
            )),
            Ok(Split::Document(d)) => Ok(format!("doc: {}", String::from_utf8(d).unwrap())),
            Err(e) => Err(e.to_string()),
        };
        (items, result)
    }

    #[test]
    fn splits_items_and_keeps_the_rest() {
        let input = r#"{"apiVersion":"v1","items":[ {"a":"x]}\"","b":[1,{}]}, {"c":{"items":[]}} ,3,"s",[{"d":"\\","e":[["]{"]]}]],"kind":"List"}"#;
        for chunked in [false, true] {
            let (items, rest) = run(input, chunked);
            assert_eq!(
                items,
                [
                    r#"{"a":"x]}\"","b":[1,{}]}"#,
                    r#"{"c":{"items":[]}}"#,
                    "3",
                    r#""s""#,
                    r#"[{"d":"\\","e":[["]{"]]}]"#
                ]
            );
            assert_eq!(
                rest.unwrap(),
                r#"list 5: {"apiVersion":"v1","items":[],"kind":"List"}"#
            );
        }
    }

    #[test]
    fn items_are_scanned_eight_bytes_at_a_time_wherever_the_structure_falls() {
        // Strings and brackets at every offset within and across eight-byte words.
        let mut elements = Vec::new();
        for len in 0..20 {
            for special in ["\"", "\\", "]", "}", "[", "{", "é"] {
                let text: String = (0..len)
                    .map(|k| {
                        if k % 3 == 1 {
                            special.to_owned()
                        } else {
                            "a".to_owned()
                        }
                    })
                    .collect();
                elements.push(serde_json::json!({"k": text, "n": [[len], {"x": [special]}]}));
            }
        }
        let list = serde_json::json!({"items": elements, "kind": "List"}).to_string();
        for chunked in [false, true] {
            let (items, rest) = run(&list, chunked);
            let got: Vec<serde_json::Value> = items
                .iter()
                .map(|i| serde_json::from_str(i).unwrap())
                .collect();
            assert_eq!(got, elements);
            assert_eq!(
                rest.unwrap(),
                format!(
                    "list {}: {{\"items\":[],\"kind\":\"List\"}}",
                    elements.len()
                )
            );
        }
    }

    #[test]
    fn nested_items_keys_and_values_named_items_are_not_the_list() {
        let input = r#"{"spec":{"items":[1]},"x":"items","y":["items"]}"#;
        let (items, rest) = run(input, false);
        assert!(items.is_empty());
        assert_eq!(rest.unwrap(), format!("doc: {input}"));
    }

    #[test]
    fn truncation_inside_items_is_an_error_after_the_complete_items() {
        let (items, rest) = run(r#"{"items":[{"a":1},{"b":"#, true);
        assert_eq!(items, [r#"{"a":1}"#]);
        assert_eq!(
            rest.unwrap_err(),
            "the input ends inside `items[1]`: truncated after 1 complete items"
        );
        // Outside the list, the caller's parser reports it.
        let (_, rest) = run(r#"{"flags": {"#, false);
        assert_eq!(rest.unwrap(), r#"doc: {"flags": {"#);
    }
}
