//! `schema`: the spec's JSON Schema, generated from the spec's wire types.

use std::io::Write;

use anyhow::Result;

use super::ExitStatus;
use crate::spec::schema::json_schema_text;

/// `schema`.
pub(crate) fn run() -> Result<ExitStatus> {
    let mut out = super::stdout();
    out.write_all(json_schema_text().as_bytes())?;
    out.flush()?;
    Ok(ExitStatus::Success)
}
