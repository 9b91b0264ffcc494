//! `list`: the compatibility artifacts of an image, as a table or JSON.

use std::io::{self, Write};

use comfy_table::{ContentArrangement, Table, presets};
use serde::Serialize;

use crate::registry::LookupPath;

/// What `list` found.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Listing {
    /// The image, normalised.
    pub image: String,
    /// The manifest the artifacts are attached to.
    pub subject: String,
    /// How the artifacts were found (`referrersApi` or `tagSchema` in JSON).
    pub lookup: LookupPath,
    /// The artifacts, newest first.
    pub artifacts: Vec<ArtifactRow>,
}

/// One artifact.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ArtifactRow {
    /// The artifact manifest's digest.
    pub digest: String,
    /// Its creation time.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    /// The spec's size in bytes.
    pub size: u64,
    /// The compatibility sets inside.
    pub sets: Vec<SetSummary>,
}

/// A compatibility set, briefly.
#[derive(Debug, Clone, Serialize)]
pub struct SetSummary {
    /// Its tag.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub tag: String,
    /// Its description.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub description: String,
}

/// Renders the listing as a table.
pub fn render_table(listing: &Listing, out: &mut impl Write) -> io::Result<()> {
    writeln!(out, "{}@{}", listing.image, listing.subject)?;
    if listing.artifacts.is_empty() {
        return writeln!(out, "no compatibility artifacts attached");
    }
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
            .map(|s| match (s.tag.is_empty(), s.description.is_empty()) {
                (true, true) => "(untagged)".to_owned(),
                (true, false) => s.description.clone(),
                (false, true) => s.tag.clone(),
                (false, false) => format!("{}: {}", s.tag, s.description),
            })
            .collect();
        table.add_row(vec![
            a.digest.clone(),
            a.created.clone().unwrap_or_else(|| "-".to_owned()),
            a.size.to_string(),
            sets.join("\n"),
        ]);
    }
    writeln!(out, "{table}")
}
