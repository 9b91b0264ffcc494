//! `copy`: carry an image's compatibility artifacts to another registry or OCI layout.

use std::io::Write;

use anyhow::{Context as _, Result};

use super::image::{open, registry_warnings};
use super::{ExitStatus, Printer};
use crate::cli::CopyArgs;
use crate::registry::reference::parse_digest;
use crate::registry::transfer::copy_artifacts;
use crate::registry::{ImageRef, Platform};

/// Copies the artifacts; prints each digest with `copied` or `present` on stdout.
pub(crate) fn run(args: &CopyArgs, printer: Printer) -> Result<ExitStatus> {
    let from = ImageRef::parse(&args.image, args.registry.oci_layout)?;
    let to =
        ImageRef::parse(&args.to, args.to_oci_layout).map_err(|e| anyhow::anyhow!("--to: {e}"))?;
    let artifact = args
        .artifact
        .as_deref()
        .map(|d| parse_digest(d).map_err(|e| anyhow::anyhow!("invalid --artifact: {e}")))
        .transpose()?;
    let platform = args.platform.as_deref().map(Platform::parse).transpose()?;
    let mut warnings = Vec::new();
    let source = open(&from, &args.registry, false, &mut warnings, printer)?;
    // A secret on stdin is read once, for the source.
    let stdin_used = matches!(from, ImageRef::Registry(_))
        && (args.registry.registry_password_stdin || args.registry.registry_token_stdin);
    let destination = open(&to, &args.registry, stdin_used, &mut warnings, printer)?;
    printer.warn_all(&warnings);
    let done = copy_artifacts(
        &*source.sink("pull"),
        &from,
        &*destination.sink("pull,push"),
        &to,
        platform.as_ref(),
        artifact.as_deref(),
    )
    .with_context(|| format!("copying the artifacts of `{from}` to `{to}`"))?;
    printer.warn_all(&registry_warnings(&done.warnings));
    let mut out = printer.stdout();
    for d in &done.copied {
        writeln!(out, "{d} copied")?;
    }
    for d in &done.present {
        writeln!(out, "{d} present")?;
    }
    out.flush()?;
    let how = done
        .lookup
        .map(|l| format!(" (found through the {l})"))
        .unwrap_or_default();
    printer.info(&format!(
        "copied {} artifact(s) of `{from}` to `{to}` on {}{how}; {} already there",
        done.copied.len(),
        done.subject,
        done.present.len()
    ));
    Ok(ExitStatus::Success)
}
