//! `export`: what discovery finds, as NFD's Features object.

use std::io::{self, Write};

use anyhow::Result;

use super::discover::discover;
use super::{ExitStatus, write_atomically};
use crate::cli::{DataFormat, ExportFeaturesArgs};
use crate::report;

/// `export features`.
pub(crate) fn features(args: &ExportFeaturesArgs) -> Result<ExitStatus> {
    let (features, warnings) = discover(&args.discovery)?;
    for w in &warnings {
        let _ = writeln!(io::stderr().lock(), "warning: {w}");
    }
    let mut text = Vec::new();
    match args.output {
        DataFormat::Json => {
            let formatter = serde_json::ser::PrettyFormatter::with_indent(b"    ");
            let mut ser = serde_json::Serializer::with_formatter(&mut text, formatter);
            serde::Serialize::serialize(&features, &mut ser)?;
            let escaped = report::nfd::go_html_escape(&String::from_utf8(text)?);
            text = escaped.into_bytes();
            text.push(b'\n');
        }
        DataFormat::Yaml => report::json::render_yaml(&features, &mut text)?,
    }
    match &args.path {
        None => {
            let mut out = io::stdout().lock();
            out.write_all(&text)?;
            out.flush()?;
        }
        Some(path) => write_atomically(path, &text)?,
    }
    Ok(ExitStatus::Success)
}
