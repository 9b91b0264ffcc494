//! The rich report as JSON or YAML: the whole [`Report`](super::Report) model, pretty-printed.

use std::io::{self, Write};

/// Renders the report as pretty JSON with a trailing newline.
///
/// The pretty printer makes several small writes per value (indentation, quotes,
/// separators); a buffer of its own takes them inline, where each went through the whole
/// `Write` chain of `out`, and hands `out` large pieces (memory stays bounded: the document
/// is not built whole).
pub(crate) fn render_json<T: serde::Serialize + ?Sized>(
    value: &T,
    out: &mut impl Write,
) -> io::Result<()> {
    let mut buffered = io::BufWriter::with_capacity(1 << 16, &mut *out);
    let mut serializer = serde_json::Serializer::with_formatter(&mut buffered, Pretty::default());
    value.serialize(&mut serializer).map_err(json_io)?;
    buffered.write_all(b"\n")?;
    // Hands the rest to `out`, which the caller flushes.
    buffered
        .into_inner()
        .map(drop)
        .map_err(io::IntoInnerError::into_error)
}

/// A line break and indentation, written at once up to this depth.
const BREAKS: &[u8] = b",\n                                                                ";

/// serde_json's `PrettyFormatter` (two spaces per level), byte for byte, writing each line
/// break with its indentation at once, where serde_json writes the indentation one level at a
/// time: a report lists matching instances one per line, a dozen levels deep, so that most
/// writes of a large report were indentation.
#[derive(Default)]
struct Pretty {
    depth: usize,
    has_value: bool,
}

impl Pretty {
    /// A line break (after a comma when not `first`) and the current indentation.
    fn line<W: ?Sized + Write>(&self, writer: &mut W, first: bool) -> io::Result<()> {
        let start = usize::from(first);
        let end = 2 + 2 * self.depth;
        if end <= BREAKS.len() {
            return writer.write_all(&BREAKS[start..end]);
        }
        writer.write_all(&BREAKS[start..2])?;
        for _ in 0..self.depth {
            writer.write_all(b"  ")?;
        }
        Ok(())
    }

    fn open<W: ?Sized + Write>(&mut self, writer: &mut W, bracket: &[u8]) -> io::Result<()> {
        self.depth += 1;
        self.has_value = false;
        writer.write_all(bracket)
    }

    fn close<W: ?Sized + Write>(&mut self, writer: &mut W, bracket: &[u8]) -> io::Result<()> {
        self.depth -= 1;
        if self.has_value {
            self.line(writer, true)?;
        }
        writer.write_all(bracket)
    }
}

impl serde_json::ser::Formatter for Pretty {
    fn begin_array<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.open(writer, b"[")
    }

    fn end_array<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.close(writer, b"]")
    }

    fn begin_array_value<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.line(writer, first)
    }

    fn end_array_value<W: ?Sized + Write>(&mut self, _writer: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }

    fn begin_object<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.open(writer, b"{")
    }

    fn end_object<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.close(writer, b"}")
    }

    fn begin_object_key<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.line(writer, first)
    }

    fn begin_object_value<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        writer.write_all(b": ")
    }

    fn end_object_value<W: ?Sized + Write>(&mut self, _writer: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }
}

/// Renders the report as YAML.
pub(crate) fn render_yaml<T: serde::Serialize + ?Sized>(
    value: &T,
    out: &mut impl Write,
) -> io::Result<()> {
    let text = yaml_serde::to_string(value).map_err(io::Error::other)?;
    out.write_all(text.as_bytes())
}

/// A serde_json error as an I/O error, keeping the kind of an underlying I/O failure (so that
/// a broken pipe is still recognised as one).
pub(crate) fn json_io(e: serde_json::Error) -> io::Error {
    match e.io_error_kind() {
        Some(kind) => io::Error::new(kind, e),
        None => io::Error::other(e),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    #[test]
    fn pretty_is_serde_jsons_pretty_printer() {
        // Deeper than the indentation written at once, with empty and nested containers.
        let mut deep = json!([1, {"a": [], "b": {}, "c": "x"}, [[]]]);
        for depth in 0..40 {
            deep = json!({ "level": depth, "inner": deep, "list": [depth, [depth]] });
        }
        for value in [json!(null), json!([]), json!({}), json!([1, 2]), deep] {
            let mut ours = Vec::new();
            super::render_json(&value, &mut ours).unwrap();
            let theirs = serde_json::to_string_pretty(&value).unwrap() + "\n";
            assert_eq!(String::from_utf8(ours).unwrap(), theirs);
        }
    }
}
