//! `varsTemplate`: Go text/template, parsed when the spec is loaded (stub).

/// A parsed `varsTemplate`.
#[derive(Debug, Clone)]
pub struct VarsTemplate {
    source: String,
}

/// Why a template was rejected at load time.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct TemplateError(pub String);

impl VarsTemplate {
    /// Parses a template; unknown functions and syntax errors are rejected here.
    pub fn parse(source: &str) -> Result<VarsTemplate, TemplateError> {
        Ok(VarsTemplate {
            source: source.to_owned(),
        })
    }

    /// The template as written.
    pub fn source(&self) -> &str {
        &self.source
    }
}
