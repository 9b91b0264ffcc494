//! Reading a paginated list (referrers, tags) to its end: following `Link: rel="next"` from
//! page to page, with the limits a registry's untrusted answers need (a `Link` back to a page
//! already read is a loop, and so is a page of only repeated entries; at most
//! [`MAX_PAGES`] pages).

use crate::spec::shorten;

use super::error::RegistryError;
use super::repo::{Page, Repo};

/// The most pages read of one list; a list that goes on is an error.
pub(crate) const MAX_PAGES: usize = 100;

/// Reads a paginated list from its `first` page: `read` takes a page and says how many
/// entries it had and how many of them were new. A `Link` back to a page already read, a page
/// of only repeated entries and more than [`MAX_PAGES`] pages are errors naming `list`.
pub(crate) fn follow_pages(
    repo: &Repo<'_>,
    list: &str,
    first: Page,
    mut read: impl FnMut(&Page) -> Result<(usize, usize), RegistryError>,
) -> Result<(), RegistryError> {
    let problem = |problem: String| RegistryError::Pagination {
        list: list.to_owned(),
        problem,
    };
    let mut pages = vec![first.url().to_owned()];
    let mut page = first;
    loop {
        let (entries, new) = read(&page)?;
        if entries > 0 && new == 0 && pages.len() > 1 {
            return Err(problem(format!(
                "loops: page {} repeats only entries of earlier pages",
                pages.len()
            )));
        }
        let Some(next) = page.next() else {
            return Ok(());
        };
        if let Some(earlier) = pages.iter().position(|p| *p == next) {
            return Err(problem(format!(
                "loops: the `Link` of page {} leads back to page {} (`{}`)",
                pages.len(),
                earlier + 1,
                shorten(&next, 200)
            )));
        }
        if pages.len() == MAX_PAGES {
            return Err(problem(format!(
                "has more than {MAX_PAGES} pages (the limit); detach old artifacts, or ask the registry's operator why the list goes on"
            )));
        }
        pages.push(next.clone());
        page = repo.next_page(&page, next, list)?;
    }
}
