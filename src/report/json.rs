//! The rich report as JSON or YAML: the whole [`Report`] model, pretty-printed.

use std::io::{self, Write};

use super::Report;

/// Renders the report as pretty JSON with a trailing newline.
pub fn render_json<T: serde::Serialize + ?Sized>(
    value: &T,
    out: &mut impl Write,
) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, value).map_err(io::Error::other)?;
    out.write_all(b"\n")
}

/// Renders the report as YAML.
pub fn render_yaml<T: serde::Serialize + ?Sized>(
    value: &T,
    out: &mut impl Write,
) -> io::Result<()> {
    let text = yaml_serde::to_string(value).map_err(io::Error::other)?;
    out.write_all(text.as_bytes())
}

/// Renders one report as JSON.
pub fn render(report: &Report, out: &mut impl Write) -> io::Result<()> {
    render_json(report, out)
}
