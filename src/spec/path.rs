//! A place in a spec (`compatibilities[0].rules[2].matchFeatures[1].matchExpressions.vendor`),
//! kept as links to its parent and written out only when a finding or an error names it:
//! the loader and the lint walk every part of a spec, and most parts have nothing to report.

use std::fmt;

/// A path in the spec: the document itself, a field of a path, or an item of a list at a path.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Path<'p> {
    /// The whole document (written as nothing).
    Root,
    /// A field (or a mapping key) of the part at the parent path.
    Field(&'p Path<'p>, &'p str),
    /// An item of the list at the parent path.
    Index(&'p Path<'p>, usize),
}

impl<'p> Path<'p> {
    /// The field `name` of this part.
    pub(crate) fn field<'q>(&'q self, name: &'q str) -> Path<'q>
    where
        'p: 'q,
    {
        Path::Field(self, name)
    }

    /// Item `index` of this list.
    pub(crate) fn index<'q>(&'q self, index: usize) -> Path<'q>
    where
        'p: 'q,
    {
        Path::Index(self, index)
    }

    /// The path written out as [`fmt::Display`] writes it, into a string of its own without
    /// a formatting pass per piece (findings and errors each write their path).
    pub(crate) fn render(&self) -> String {
        let mut out = String::with_capacity(96);
        self.push_to(&mut out);
        out
    }

    fn push_to(&self, out: &mut String) {
        match self {
            Path::Root => {}
            Path::Field(parent, name) => {
                parent.push_to(out);
                if !matches!(parent, Path::Root) {
                    out.push('.');
                }
                out.push_str(name);
            }
            Path::Index(parent, index) => {
                parent.push_to(out);
                out.push('[');
                push_number(out, *index);
                out.push(']');
            }
        }
    }
}

/// `n` in decimal.
fn push_number(out: &mut String, n: usize) {
    if n >= 10 {
        push_number(out, n / 10);
    }
    out.push(char::from(b"0123456789"[n % 10]));
}

/// `a.b[1].c`; the root is empty, and a field of the root has no leading `.`.
impl fmt::Display for Path<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Piece by piece rather than through `write!` at each level, which costs a formatting
        // pass per level.
        match self {
            Path::Root => Ok(()),
            Path::Field(parent, name) => {
                fmt::Display::fmt(*parent, f)?;
                if !matches!(parent, Path::Root) {
                    f.write_str(".")?;
                }
                f.write_str(name)
            }
            Path::Index(parent, index) => {
                fmt::Display::fmt(*parent, f)?;
                f.write_str("[")?;
                fmt::Display::fmt(index, f)?;
                f.write_str("]")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_written_as_the_loader_names_them() {
        let root = Path::Root;
        assert_eq!(root.to_string(), "");
        assert_eq!(root.field("version").to_string(), "version");
        let sets = root.field("compatibilities");
        let set = sets.index(3);
        let rules = set.field("rules");
        let rule = rules.index(0);
        let exprs = rule.field("matchExpressions");
        let element = exprs.field("VERSION_ID.major");
        assert_eq!(
            element.to_string(),
            "compatibilities[3].rules[0].matchExpressions.VERSION_ID.major"
        );
        assert_eq!(root.index(2).to_string(), "[2]");
        for path in [root, root.field("version"), element, root.index(2)] {
            assert_eq!(path.render(), path.to_string());
        }
        let big = sets.index(1_234_567_890);
        let big_rules = big.field("rules");
        let ten = big_rules.index(10);
        let first = ten.index(0);
        let deep = first.field("x");
        assert_eq!(deep.render(), "compatibilities[1234567890].rules[10][0].x");
        assert_eq!(deep.render(), deep.to_string());
    }
}
