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
    serde_json::to_writer_pretty(&mut buffered, value).map_err(json_io)?;
    buffered.write_all(b"\n")?;
    // Hands the rest to `out`, which the caller flushes.
    buffered
        .into_inner()
        .map(drop)
        .map_err(io::IntoInnerError::into_error)
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
