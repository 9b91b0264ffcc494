//! A JSON reader for the common shape of a NodeFeature: objects, arrays, strings without
//! escapes, `null`, booleans, and numbers where the reader skips them. It is a serde
//! [`Deserializer`], so the typed visitors of [`super::typed`] read through it exactly what they
//! read through serde_json; it reads about four times faster because it does only what those
//! visitors ask (strings borrowed, skipped values checked byte by byte without a generic
//! machinery).
//!
//! Anything else (an escape, a number to be read as a value, a struct written as an array,
//! nesting deeper than [`MAX_DEPTH`], bytes that are not UTF-8, any error at all) gives up
//! with [`Unsupported`], and the caller reads the item with serde_json instead, which then
//! accepts it or names the fault. Whatever this reader accepts, serde_json accepts with the
//! same result: the `snapshot` and `fleet_split` fuzz targets check it (`check_fast_json`).

use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

use super::split::{HIGH, first, splat, zero_bytes};
use super::typed::{self, Item, Needed};

/// Nesting deeper than this is left to serde_json.
pub(crate) const MAX_DEPTH: usize = 100;

/// The item is not in the shape this reader reads (or not valid): read it with serde_json.
#[derive(Debug, thiserror::Error)]
#[error("not in the fast JSON reader's shape")]
pub(crate) struct Unsupported;

impl de::Error for Unsupported {
    fn custom<T: fmt::Display>(_: T) -> Self {
        Unsupported
    }
}

type Result<T> = std::result::Result<T, Unsupported>;

/// Reads one NodeFeature (see [`typed::parse`]), or gives up.
pub(crate) fn parse(bytes: &[u8], needed: &Needed) -> Result<Item> {
    whole(bytes, |reader| typed::item_seed(needed).deserialize(reader))
}

/// Reads a whole snapshot document (see [`typed::document`]), or gives up.
pub(crate) fn document(bytes: &[u8]) -> Result<typed::Document> {
    whole(bytes, |reader| typed::document(reader))
}

/// Reads `bytes` with `read`, which must take all of them but whitespace.
fn whole<'de, T>(bytes: &'de [u8], read: impl FnOnce(&mut Reader<'de>) -> Result<T>) -> Result<T> {
    let text = std::str::from_utf8(bytes).map_err(|_| Unsupported)?;
    let mut reader = Reader {
        text,
        bytes,
        pos: 0,
        depth: 0,
    };
    let value = read(&mut reader)?;
    reader.skip_whitespace();
    if reader.pos == bytes.len() {
        Ok(value)
    } else {
        Err(Unsupported)
    }
}

/// Checks that what [`parse`] and [`document`] read, serde_json reads alike (the fuzz targets
/// call it): an item with everything kept and with a few names kept, and a whole document.
pub(crate) fn check_fast_json(bytes: &[u8]) {
    if let Ok(fast) = document(bytes) {
        let mut de = serde_json::Deserializer::from_slice(bytes);
        match typed::document(&mut de).and_then(|doc| de.end().map(|()| doc)) {
            Ok(full) => assert_eq!(
                format!("{fast:?}"),
                format!("{full:?}"),
                "the fast reader and serde_json read the document {:?} differently",
                String::from_utf8_lossy(bytes)
            ),
            Err(e) => panic!(
                "the fast reader reads a document serde_json rejects ({e}): {:?}",
                String::from_utf8_lossy(bytes)
            ),
        }
    }
    let mut some = Needed::default();
    some.add("pci.device", Some(&["vendor", "class"]));
    some.add("cpu.cpuid", Some(&["AVX"]));
    some.add("cpu.model", Some(&["vendor_id"]));
    some.add("kernel.loadedmodule", None);
    for needed in [Needed::all(), some] {
        if let Ok(fast) = parse(bytes, &needed) {
            match typed::parse(bytes, &needed) {
                Ok(full) => assert_eq!(
                    format!("{fast:?}"),
                    format!("{full:?}"),
                    "the fast reader and serde_json read {:?} differently",
                    String::from_utf8_lossy(bytes)
                ),
                Err(e) => panic!(
                    "the fast reader reads what serde_json rejects ({e}): {:?}",
                    String::from_utf8_lossy(bytes)
                ),
            }
        }
    }
}

struct Reader<'de> {
    text: &'de str,
    bytes: &'de [u8],
    pos: usize,
    /// Open objects and arrays.
    depth: usize,
}

/// Bytes that end the plain run of a string: `"`, `\` and control characters.
static STRING_SPECIAL: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 0x20 {
        table[b] = true;
        b += 1;
    }
    table[b'"' as usize] = true;
    table[b'\\' as usize] = true;
    table
};

/// Flags `"`, `\\` and control characters (the lowest flagged byte is exact).
fn string_special(word: u64) -> u64 {
    (word.wrapping_sub(splat(0x20)) & !word & HIGH)
        | zero_bytes(word ^ splat(b'"'))
        | zero_bytes(word ^ splat(b'\\'))
}

impl<'de> Reader<'de> {
    fn skip_whitespace(&mut self) {
        while let Some(b' ' | b'\n' | b'\r' | b'\t') = self.bytes.get(self.pos) {
            self.pos += 1;
        }
    }

    /// The next byte after whitespace, not consumed.
    fn peek(&mut self) -> Result<u8> {
        self.skip_whitespace();
        self.bytes.get(self.pos).copied().ok_or(Unsupported)
    }

    fn expect(&mut self, byte: u8) -> Result<()> {
        if self.peek()? == byte {
            self.pos += 1;
            Ok(())
        } else {
            Err(Unsupported)
        }
    }

    /// A string without escapes, after whitespace.
    fn string(&mut self) -> Result<&'de str> {
        self.expect(b'"')?;
        let start = self.pos;
        let i = first(self.bytes, start, string_special, |b| {
            STRING_SPECIAL[usize::from(b)]
        })
        .ok_or(Unsupported)?;
        if self.bytes[i] != b'"' {
            return Err(Unsupported);
        }
        self.pos = i + 1;
        self.text.get(start..i).ok_or(Unsupported)
    }

    fn literal(&mut self, word: &[u8]) -> Result<()> {
        if self.bytes.get(self.pos..self.pos + word.len()) == Some(word) {
            self.pos += word.len();
            Ok(())
        } else {
            Err(Unsupported)
        }
    }

    fn digits(&mut self) -> usize {
        let start = self.pos;
        while self.bytes.get(self.pos).is_some_and(u8::is_ascii_digit) {
            self.pos += 1;
        }
        self.pos - start
    }

    /// A number as JSON writes it: `-`, an integer without leading zeros, a fraction, an
    /// exponent.
    fn number(&mut self) -> Result<()> {
        if self.bytes.get(self.pos) == Some(&b'-') {
            self.pos += 1;
        }
        match self.bytes.get(self.pos) {
            Some(b'0') => self.pos += 1,
            Some(b'1'..=b'9') => {
                self.digits();
            }
            _ => return Err(Unsupported),
        }
        if self.bytes.get(self.pos) == Some(&b'.') {
            self.pos += 1;
            if self.digits() == 0 {
                return Err(Unsupported);
            }
        }
        if let Some(b'e' | b'E') = self.bytes.get(self.pos) {
            self.pos += 1;
            if let Some(b'+' | b'-') = self.bytes.get(self.pos) {
                self.pos += 1;
            }
            if self.digits() == 0 {
                return Err(Unsupported);
            }
        }
        Ok(())
    }

    fn enter(&mut self) -> Result<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(Unsupported);
        }
        Ok(())
    }

    /// Skips an object (`keyed`: each value after its key) or an array, from its opening
    /// bracket to `close`, checking it.
    fn skip_collection(&mut self, close: u8, keyed: bool) -> Result<()> {
        self.pos += 1;
        self.enter()?;
        if self.peek()? == close {
            self.pos += 1;
        } else {
            loop {
                if keyed {
                    self.string()?;
                    self.expect(b':')?;
                }
                self.skip()?;
                match self.peek()? {
                    b',' => self.pos += 1,
                    c if c == close => {
                        self.pos += 1;
                        break;
                    }
                    _ => return Err(Unsupported),
                }
            }
        }
        self.depth -= 1;
        Ok(())
    }

    /// Skips one value, checking it.
    fn skip(&mut self) -> Result<()> {
        match self.peek()? {
            b'"' => self.string().map(drop),
            b'{' => self.skip_collection(b'}', true),
            b'[' => self.skip_collection(b']', false),
            b'n' => self.literal(b"null"),
            b't' => self.literal(b"true"),
            b'f' => self.literal(b"false"),
            b'-' | b'0'..=b'9' => self.number(),
            _ => Err(Unsupported),
        }
    }

    fn map<V: Visitor<'de>>(&mut self, visitor: V) -> Result<V::Value> {
        self.collection(b'{', |access| visitor.visit_map(access))
    }

    fn seq<V: Visitor<'de>>(&mut self, visitor: V) -> Result<V::Value> {
        self.collection(b'[', |access| visitor.visit_seq(access))
    }

    /// An object or array opened by `open`, its entries read by `visit`, which must read to
    /// its close.
    fn collection<T>(
        &mut self,
        open: u8,
        visit: impl FnOnce(&mut Access<'_, 'de>) -> Result<T>,
    ) -> Result<T> {
        self.expect(open)?;
        self.enter()?;
        let mut access = Access {
            reader: self,
            first: true,
            done: false,
        };
        let value = visit(&mut access)?;
        if !access.done {
            return Err(Unsupported);
        }
        self.depth -= 1;
        Ok(value)
    }
}

/// Methods the typed visitors never call: left to serde_json.
macro_rules! unsupported {
    ($($method:ident)*) => {
        $(
            fn $method<V: Visitor<'de>>(self, _: V) -> Result<V::Value> {
                Err(Unsupported)
            }
        )*
    };
}

impl<'de> Deserializer<'de> for &mut Reader<'de> {
    type Error = Unsupported;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self.peek()? {
            b'"' => visitor.visit_borrowed_str(self.string()?),
            b'{' => self.map(visitor),
            b'[' => self.seq(visitor),
            b'n' => {
                self.literal(b"null")?;
                visitor.visit_unit()
            }
            b't' => {
                self.literal(b"true")?;
                visitor.visit_bool(true)
            }
            b'f' => {
                self.literal(b"false")?;
                visitor.visit_bool(false)
            }
            _ => Err(Unsupported),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        if self.peek()? == b'n' {
            self.literal(b"null")?;
            visitor.visit_none()
        } else {
            visitor.visit_some(self)
        }
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.map(visitor)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        _: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value> {
        self.map(visitor)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.seq(visitor)
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        visitor.visit_borrowed_str(self.string()?)
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        visitor.visit_borrowed_str(self.string()?)
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        visitor.visit_borrowed_str(self.string()?)
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.skip()?;
        visitor.visit_unit()
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(self, _: &'static str, _: V) -> Result<V::Value> {
        Err(Unsupported)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        _: V,
    ) -> Result<V::Value> {
        Err(Unsupported)
    }

    fn deserialize_tuple<V: Visitor<'de>>(self, _: usize, _: V) -> Result<V::Value> {
        Err(Unsupported)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        _: usize,
        _: V,
    ) -> Result<V::Value> {
        Err(Unsupported)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _: &'static str,
        _: &'static [&'static str],
        _: V,
    ) -> Result<V::Value> {
        Err(Unsupported)
    }

    unsupported! {
        deserialize_bool deserialize_i8 deserialize_i16 deserialize_i32 deserialize_i64
        deserialize_u8 deserialize_u16 deserialize_u32 deserialize_u64 deserialize_f32
        deserialize_f64 deserialize_char deserialize_bytes deserialize_byte_buf
        deserialize_unit
    }
}

/// The entries of an object or the elements of an array.
struct Access<'a, 'de> {
    reader: &'a mut Reader<'de>,
    first: bool,
    /// The closing bracket was read.
    done: bool,
}

impl Access<'_, '_> {
    /// Whether another entry follows (reading the `,` before it), else reads `close`.
    fn more(&mut self, close: u8) -> Result<bool> {
        if self.done {
            return Err(Unsupported);
        }
        let b = self.reader.peek()?;
        if b == close {
            self.reader.pos += 1;
            self.done = true;
            return Ok(false);
        }
        if self.first {
            self.first = false;
        } else if b == b',' {
            self.reader.pos += 1;
        } else {
            return Err(Unsupported);
        }
        Ok(true)
    }
}

impl<'de> MapAccess<'de> for Access<'_, 'de> {
    type Error = Unsupported;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>> {
        if !self.more(b'}')? {
            return Ok(None);
        }
        // A key is a string (so `,}` is refused here).
        if self.reader.peek()? != b'"' {
            return Err(Unsupported);
        }
        let key = seed.deserialize(&mut *self.reader)?;
        self.reader.expect(b':')?;
        Ok(Some(key))
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value> {
        seed.deserialize(&mut *self.reader)
    }
}

impl<'de> SeqAccess<'de> for Access<'_, 'de> {
    type Error = Unsupported;

    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>> {
        if !self.more(b']')? {
            return Ok(None);
        }
        // `,]` is refused by the element's reader.
        seed.deserialize(&mut *self.reader).map(Some)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Whole documents (a bare Features object, a NodeFeature, a list) read as serde_json
    /// reads them; a list or a quirk is left to serde_json.
    #[test]
    fn reads_whole_documents_as_serde_json() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/fuzz/seeds/snapshot");
        let mut read = 0;
        for entry in std::fs::read_dir(dir).unwrap() {
            let bytes = std::fs::read(entry.unwrap().path()).unwrap();
            check_fast_json(&bytes);
            read += usize::from(document(&bytes).is_ok());
        }
        assert!(read >= 2, "the fast reader read {read} seed documents");
        let bare = br#"{"flags":{"cpu.cpuid":{"elements":{"AVX":{}}}},"attributes":{"cpu.model":{"elements":{"vendor_id":"Intel"}}},"instances":{"pci.device":{"elements":[{"attributes":{"class":"0200"}}]}}}"#;
        assert!(matches!(document(bare), Ok(typed::Document::Features(_))));
        check_fast_json(bare);
        for other in [
            &br#"{"flags":{"a.b":{"elements":{"xA":{}}}}}"#[..],
            br#"{"attributes":{"a.b":{"elements":{"n":5}}}}"#,
            br#"{"flags":{}} x"#,
        ] {
            check_fast_json(other);
        }
    }

    #[test]
    fn reads_the_common_shape_and_gives_up_on_the_rest() {
        let good = [
            r#"{"apiVersion":"nfd.k8s-sigs.io/v1alpha1","kind":"NodeFeature","metadata":{"generation":5,"labels":{"nfd.node.kubernetes.io/node-name":"n1"},"name":"x","f":[1.5e3,-0,true,false,null,{"a":[]}]},"spec":{"features":{"flags":{"cpu.cpuid":{"elements":{"AVX":{},"SSE":{}}}},"attributes":{"cpu.model":{"elements":{"vendor_id":"Intel","family":null,"x":true}}},"instances":{"pci.device":{"elements":[{"attributes":{"vendor":"8086","class":"0200","device":"é"}},null,"s",[1]]}}}}}"#,
            " {\n\t\"spec\" : { \"features\" : { } } ,\r\"x\":{}} ",
            r#"{"spec":{"features":{"flags":null,"instances":{"a":null,"b":{"elements":null}}}}}"#,
        ];
        for text in good {
            assert!(parse(text.as_bytes(), &Needed::all()).is_ok(), "{text}");
            check_fast_json(text.as_bytes());
        }
        let handed_over = [
            // An escape, a number where a value is read, a struct as an array.
            r#"{"apiVersion":"a\"b"}"#,
            r#"{"spec":{"features":{"attributes":{"a":{"elements":{"k":1}}}}}}"#,
            r#"{"metadata":["n"]}"#,
            // Not JSON: trailing commas, leading zeros, a bare minus, a control character,
            // trailing bytes, an unknown features key.
            r#"{"x":[1,]}"#,
            r#"{"x":{"a":1,}}"#,
            r#"{"x":01}"#,
            r#"{"x":-}"#,
            "{\"x\":\"a\u{1}\"}",
            r#"{"x":1} x"#,
            r#"{"x":1.}"#,
            r#"{"x":1e}"#,
            r#"{"spec":{"features":{"other":{}}}}"#,
            r#"{"spec":{"features":{}},}"#,
            r#"{"x":nul}"#,
            "{\"x\":\"\u{ff}\"",
        ];
        for text in handed_over {
            assert!(parse(text.as_bytes(), &Needed::all()).is_err(), "{text}");
            check_fast_json(text.as_bytes());
        }
        // Strings of every length, special bytes at every offset of a word.
        for len in 0..20 {
            for k in 0..len {
                let plain: String = (0..len).map(|j| if j == k { 'é' } else { 'a' }).collect();
                let text = format!("{{\"metadata\":{{\"name\":\"{plain}\"}}}}");
                let item = parse(text.as_bytes(), &Needed::all()).expect(&text);
                assert_eq!(item.name.as_deref(), Some(plain.as_str()));
                for special in ["\\\"", "\\n", "\u{1f}", "\u{0}"] {
                    let s: String = (0..len)
                        .map(|j| if j == k { special } else { "a" })
                        .collect();
                    let text = format!("{{\"metadata\":{{\"name\":\"{s}\"}}}}");
                    assert!(parse(text.as_bytes(), &Needed::all()).is_err(), "{text}");
                    check_fast_json(text.as_bytes());
                }
            }
        }
        let deep = format!(
            "{{\"x\":{}{}}}",
            "[".repeat(MAX_DEPTH),
            "]".repeat(MAX_DEPTH)
        );
        assert!(parse(deep.as_bytes(), &Needed::all()).is_err());
        assert!(typed::parse(deep.as_bytes(), &Needed::all()).is_ok());
        let fine = format!("{{\"x\":{}{}}}", "[".repeat(50), "]".repeat(50));
        assert!(parse(fine.as_bytes(), &Needed::all()).is_ok());
        assert!(parse(b"{\"x\":\"\xff\"}", &Needed::all()).is_err());
    }
}
