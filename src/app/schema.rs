//! `schema`: the spec's JSON Schema, generated from the spec's wire types.

use std::io::Write;

use anyhow::Result;

use super::{ExitStatus, Printer};
use crate::spec::schema::json_schema_text;

/// `schema`.
pub(crate) fn run(printer: Printer) -> Result<ExitStatus> {
    let mut out = printer.stdout();
    out.write_all(json_schema_text().as_bytes())?;
    out.flush()?;
    Ok(ExitStatus::Success)
}
