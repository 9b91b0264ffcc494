//! `list`: the compatibility artifacts of an image, as a table or JSON.

use std::io::{self, Write};

use comfy_table::{ContentArrangement, Table, presets};
use serde::Serialize;

use super::text::{self, escape};
use crate::registry::LookupPath;

/// What `list` found.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Listing {
    /// The image, normalised.
    pub(crate) image: String,
    /// The manifest the artifacts are attached to.
    pub(crate) subject: String,
    /// How the artifacts were found (`referrersApi` or `tagSchema` in JSON).
    pub(crate) lookup: LookupPath,
    /// The artifacts, newest first.
    pub(crate) artifacts: Vec<ArtifactRow>,
}

/// One artifact.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ArtifactRow {
    /// The artifact manifest's digest.
    pub(crate) digest: String,
    /// Its creation time.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) created: Option<String>,
    /// The spec's size in bytes.
    pub(crate) size: u64,
    /// The compatibility sets inside.
    pub(crate) sets: Vec<SetSummary>,
}

/// A compatibility set, briefly.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct SetSummary {
    /// Its tag.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub(crate) tag: String,
    /// Its description.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub(crate) description: String,
}

/// One set as shown: `tag: description`, either alone, or `(untagged)`.
fn set_label(s: &SetSummary) -> String {
    match (s.tag.is_empty(), s.description.is_empty()) {
        (true, true) => "(untagged)".to_owned(),
        (true, false) => escape(&s.description).into_owned(),
        (false, true) => escape(&s.tag).into_owned(),
        (false, false) => format!("{}: {}", escape(&s.tag), escape(&s.description)),
    }
}

/// The narrowest the sets column gets before each artifact is a block instead.
const MIN_SETS_COLUMN: usize = 24;

/// The table; with `cap`, the sets are wrapped at spaces to at most that many columns.
fn table(listing: &Listing, cap: Option<usize>) -> Table {
    let mut table = Table::new();
    table
        .load_style(presets::UTF8_FULL_CONDENSED)
        .force_no_tty()
        .set_content_arrangement(ContentArrangement::Disabled)
        .set_header(["Digest", "Created", "Size", "Sets (tag: description)"]);
    for a in &listing.artifacts {
        let sets: Vec<String> = a
            .sets
            .iter()
            .flat_map(|s| text::wrap(&set_label(s), cap, "", "  "))
            .collect();
        table.add_row(vec![
            a.digest.clone(),
            created(a),
            a.size.to_string(),
            sets.join("\n"),
        ]);
    }
    table
}

fn table_width(table: &Table) -> usize {
    table.lines().map(|l| text::width(&l)).max().unwrap_or(0)
}

/// Renders the listing as a table that fits `width` columns (a terminal's; `None` never
/// wraps), the sets wrapped at spaces if need be. When even that is too wide, each artifact
/// is a block instead: its digest, then its creation time and size, then its sets, wrapped
/// with a hanging indent.
pub(crate) fn render_table(
    listing: &Listing,
    out: &mut impl Write,
    width: Option<u16>,
) -> io::Result<()> {
    let head = format!("{}@{}", escape(&listing.image), listing.subject);
    match text::split_at(&head, '@', width.map(usize::from)) {
        Some((image, digest)) => writeln!(out, "{image}\n  {digest}")?,
        None => writeln!(out, "{head}")?,
    }
    if listing.artifacts.is_empty() {
        return writeln!(out, "no compatibility artifacts attached");
    }
    let natural = table(listing, None);
    let Some(columns) = width.map(usize::from) else {
        return writeln!(out, "{natural}");
    };
    let total = table_width(&natural);
    if total <= columns {
        return writeln!(out, "{natural}");
    }
    let widest = listing
        .artifacts
        .iter()
        .flat_map(|a| &a.sets)
        .map(|s| text::width(&set_label(s)))
        .max()
        .unwrap_or(0);
    if let Some(cap) = (widest + columns)
        .checked_sub(total)
        .filter(|c| *c >= MIN_SETS_COLUMN)
    {
        let wrapped = table(listing, Some(cap));
        if table_width(&wrapped) <= columns {
            return writeln!(out, "{wrapped}");
        }
    }
    for a in &listing.artifacts {
        writeln!(out)?;
        writeln!(out, "{}", a.digest)?;
        writeln!(out, "  created {}  size {} bytes", created(a), a.size)?;
        for set in &a.sets {
            for line in text::wrap(&set_label(set), Some(columns), "  set ", "      ") {
                writeln!(out, "{line}")?;
            }
        }
    }
    Ok(())
}

fn created(a: &ArtifactRow) -> String {
    a.created
        .as_deref()
        .map_or_else(|| "-".to_owned(), |c| escape(c).into_owned())
}
