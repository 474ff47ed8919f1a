//! Documents recognised page by page: the services read one PDF page per call or job, so a
//! provider learns the page count and runs one call per requested page, a few at a time,
//! then assembles the pages in order ([`Document::from_pages`](crate::Document::from_pages)).

use std::future::Future;

use futures_util::stream::{self, StreamExt};

use crate::error::{Error, Result};
use crate::request::PageSet;

/// How many page calls a provider runs at once by default (its rate limiter still applies).
pub const DEFAULT_PAGE_CONCURRENCY: usize = 4;

/// Runs `call` for every page of `pages`, at most `concurrency` at a time, and returns each
/// page's result in page order. One page failing does not stop the others.
///
/// ```
/// # tokio_test::block_on(async {
/// let results = ocr_core::pages::for_each_page(&[1, 2, 3], 2, |page| async move {
///     Ok::<_, ocr_core::Error>(page * 10)
/// }).await;
/// assert_eq!(results.iter().map(|(p, r)| (*p, *r.as_ref().unwrap())).collect::<Vec<_>>(), [(1, 10), (2, 20), (3, 30)]);
/// # });
/// ```
pub async fn for_each_page<T, F, Fut>(
    pages: &[u32],
    concurrency: usize,
    call: F,
) -> Vec<(u32, Result<T>)>
where
    F: Fn(u32) -> Fut,
    Fut: Future<Output = Result<T>>,
{
    stream::iter(pages.iter().copied())
        .map(|page| {
            let fut = call(page);
            async move { (page, fut.await) }
        })
        .buffered(concurrency.max(1))
        .collect()
        .await
}

/// The pages to recognise in a document of `page_count` pages: the selection, checked
/// against the count, or every page.
///
/// ```
/// use ocr_core::pages::requested_pages;
/// assert_eq!(requested_pages(None, 3).unwrap(), [1, 2, 3]);
/// assert_eq!(requested_pages(Some(&"2-3".parse().unwrap()), 5).unwrap(), [2, 3]);
/// assert!(requested_pages(Some(&"6".parse().unwrap()), 5).is_err());
/// ```
pub fn requested_pages(selection: Option<&PageSet>, page_count: u32) -> Result<Vec<u32>> {
    match selection {
        Some(pages) => pages.within(page_count),
        None => Ok((1..=page_count.max(1)).collect()),
    }
}

/// The number of pages of a PDF held in memory, read from its page tree.
///
/// A file that is not a readable PDF (truncated, damaged, encrypted beyond reading) is
/// refused as [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) on field `source`,
/// before anything is sent.
#[cfg(feature = "pdf")]
pub fn pdf_page_count(data: &[u8]) -> Result<u32> {
    // A complete PDF ends with `%%EOF` (a little trailing garbage is common); without it the
    // file was cut short, and a lenient parser would count only what survived.
    let tail = &data[data.len().saturating_sub(1024)..];
    if !tail.windows(5).any(|w| w == b"%%EOF") {
        return Err(Error::invalid_input(
            "source",
            "is a truncated PDF (it does not end with %%EOF); check that the file is complete",
        ));
    }
    let meta = lopdf::Document::load_metadata_mem(data).map_err(|e| {
        Error::invalid_input(
            "source",
            format!("is not a readable PDF ({e}); check that the file is complete"),
        )
    })?;
    match meta.page_count {
        0 => Err(Error::invalid_input("source", "is a PDF with no pages")),
        n => Ok(n),
    }
}

/// Refuses a page selection for a source that has no pages to select.
pub fn refuse_pages_for_single_image(selection: Option<&PageSet>, what: &str) -> Result<()> {
    match selection {
        Some(pages)
            if pages
                .as_range()
                .is_none_or(|r| r.start() != 1 || r.end() != 1) =>
        {
            Err(Error::invalid_input(
                "pages",
                format!("{pages} were asked for, but the source is {what}, which has one page"),
            ))
        }
        _ => Ok(()),
    }
}

#[cfg(all(test, feature = "pdf"))]
mod tests {
    use super::*;

    fn pdf(pages: usize) -> Vec<u8> {
        // The smallest well-formed PDF with `pages` empty pages.
        let mut objects = vec![
            "<< /Type /Catalog /Pages 2 0 R >>".to_owned(),
            format!(
                "<< /Type /Pages /Kids [{}] /Count {pages} >>",
                (0..pages)
                    .map(|i| format!("{} 0 R", 3 + i))
                    .collect::<Vec<_>>()
                    .join(" ")
            ),
        ];
        for _ in 0..pages {
            objects.push("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>".to_owned());
        }
        let mut out = b"%PDF-1.4\n".to_vec();
        let mut offsets = Vec::new();
        for (i, body) in objects.iter().enumerate() {
            offsets.push(out.len());
            out.extend_from_slice(format!("{} 0 obj\n{body}\nendobj\n", i + 1).as_bytes());
        }
        let xref = out.len();
        out.extend_from_slice(
            format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
        );
        for off in offsets {
            out.extend_from_slice(format!("{off:010} 00000 n \n").as_bytes());
        }
        out.extend_from_slice(
            format!(
                "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
                objects.len() + 1
            )
            .as_bytes(),
        );
        out
    }

    #[test]
    fn counts_pages_and_refuses_damaged_files() {
        assert_eq!(pdf_page_count(&pdf(5)).unwrap(), 5);
        assert_eq!(pdf_page_count(&pdf(1)).unwrap(), 1);
        let whole = pdf(3);
        let err = pdf_page_count(&whole[..whole.len() / 3]).unwrap_err();
        assert_eq!(err.field(), Some("source"));
        assert!(pdf_page_count(b"%PDF-1.4\n").is_err());
    }

    #[test]
    fn single_images_take_no_page_selection_beyond_page_one() {
        assert!(refuse_pages_for_single_image(None, "a PNG image").is_ok());
        assert!(refuse_pages_for_single_image(Some(&"1".parse().unwrap()), "a PNG image").is_ok());
        let err =
            refuse_pages_for_single_image(Some(&"2".parse().unwrap()), "a PNG image").unwrap_err();
        assert!(err.to_string().contains("one page"), "{err}");
    }
}
