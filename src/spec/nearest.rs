//! The one policy for "did you mean ...?": the loader (unknown fields), the lint (unknown
//! features, elements and CPU flags) and the report's hints (a feature or element the node
//! does not have) all suggest a name through [`nearest_name`].

/// The candidate closest to `name`, when close enough to be a typo.
///
/// Names are compared ignoring ASCII case; one edit is a character inserted, deleted or
/// replaced, or two neighbours swapped. Close enough means at most one edit per four characters
/// of `name`, and always at least one and at most three. A candidate equal to `name` is never
/// suggested; of several equally close candidates the first wins.
pub(crate) fn nearest_name<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let length = name.chars().count();
    let mut limit = (length / 4).clamp(1, 3);
    let lower: Vec<char> = name.chars().map(|c| c.to_ascii_lowercase()).collect();
    let mut other: Vec<char> = Vec::new();
    let mut rows = Rows::default();
    let mut best = None;
    // Suggestions compare one name with every element of a feature (thousands of CPU flags):
    // a length that differs by more than the limit settles most candidates without computing
    // a distance, and once a candidate is found only a strictly closer one may replace it (the
    // first of equally close ones wins), so the limit tightens as the search goes.
    for candidate in candidates.into_iter().filter(|c| *c != name) {
        if candidate.chars().count().abs_diff(length) > limit {
            continue;
        }
        other.clear();
        other.extend(candidate.chars().map(|c| c.to_ascii_lowercase()));
        let d = rows.edits(&lower, &other, limit);
        if d <= limit {
            best = Some(candidate);
            match d.checked_sub(1) {
                Some(tighter) => limit = tighter,
                None => break,
            }
        }
    }
    best
}

/// The rows of the distance table, kept from one candidate to the next.
#[derive(Default)]
struct Rows {
    before: Vec<usize>,
    prev: Vec<usize>,
    cur: Vec<usize>,
}

impl Rows {
    /// Edit distance with adjacent transpositions (optimal string alignment); once it must
    /// be above `limit`, some number above `limit`.
    fn edits(&mut self, a: &[char], b: &[char], limit: usize) -> usize {
        let Rows { before, prev, cur } = self;
        // Three rows: the one before the previous (for transpositions), the previous, the
        // current.
        before.clear();
        before.resize(b.len() + 1, 0);
        prev.clear();
        prev.extend(0..=b.len());
        cur.clear();
        cur.resize(b.len() + 1, 0);
        for i in 0..a.len() {
            cur[0] = i + 1;
            for j in 0..b.len() {
                let cost = usize::from(a[i] != b[j]);
                let mut d = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
                if i > 0 && j > 0 && a[i] == b[j - 1] && a[i - 1] == b[j] {
                    d = d.min(before[j - 1] + 1);
                }
                cur[j + 1] = d;
            }
            std::mem::swap(before, prev);
            std::mem::swap(prev, cur);
            // A row is at least the smaller minimum of the two rows above it: once both are
            // above the limit, so is the distance.
            let above = |row: &[usize]| row.iter().all(|&d| d > limit);
            if above(prev) && above(before) {
                return limit.saturating_add(1);
            }
        }
        prev[b.len()]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edits(a: &str, b: &str) -> usize {
        let a: Vec<char> = a.chars().collect();
        let b: Vec<char> = b.chars().collect();
        Rows::default().edits(&a, &b, usize::MAX)
    }

    #[test]
    fn edits_count_swaps_as_one() {
        for (a, b, want) in [
            ("", "", 0),
            ("abc", "", 3),
            ("name", "nmae", 1),
            ("value", "values", 1),
            ("kitten", "sitting", 3),
            ("ca", "abc", 3),
        ] {
            assert_eq!(edits(a, b), want, "{a} -> {b}");
            assert_eq!(edits(b, a), want, "{b} -> {a}");
            // Cut short above a limit, never at or below it.
            let (x, y): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
            for limit in 0..4 {
                let cut = Rows::default().edits(&x, &y, limit);
                assert!(
                    if want <= limit {
                        cut == want
                    } else {
                        cut > limit
                    },
                    "{a} {b} {limit}"
                );
            }
        }
    }

    #[test]
    fn the_limit_grows_with_the_name() {
        let known = ["name", "value", "compatibilities", "AVX512F", "vendor_id"];
        for (typo, want) in [
            // Up to seven characters: one edit.
            ("nmae", Some("name")),
            ("nmea", None),
            ("values", Some("value")),
            ("avx512ff", Some("AVX512F")),
            ("AVX51", None),
            // Eight to eleven: two.
            ("vendorid", Some("vendor_id")),
            ("vendor-i", Some("vendor_id")),
            // Twelve and more: three at most.
            ("compatibility", Some("compatibilities")),
            ("compat", None),
            // Equal is no suggestion; another case is.
            ("name", None),
            ("Name", Some("name")),
        ] {
            assert_eq!(nearest_name(typo, known), want, "{typo}");
        }
    }

    #[test]
    fn the_closest_wins_then_the_first() {
        assert_eq!(
            nearest_name(
                "kernel.loadedmodules",
                ["kernel.enabledmodule", "kernel.loadedmodule"]
            ),
            Some("kernel.loadedmodule")
        );
        assert_eq!(nearest_name("ab", ["ac", "ad"]), Some("ac"));
    }
}
