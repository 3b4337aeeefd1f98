//! Paged listings as `futures::Stream`s of items: offset/limit (GreenLake, nSA's start/limit)
//! and 1-based page numbers (Aruba Central's `limit` + `next`).
//!
//! The vendor specs page by offset, which progenitor's own paginator (dropshot `page_token`)
//! does not cover, so the loop is written here once over a caller-supplied fetch closure.
//!
//! Termination: a listing ends when the items seen reach the reported `total`, or a page comes
//! back empty (PyCentral loops forever when `total` is wrong: this does not), or, without a
//! `total`, when a page is shorter than asked. A hard bound of [`MAX_PAGES`] pages turns a
//! server that never ends into an error instead of a hang.

use std::future::Future;

use futures::stream::{self, Stream, TryStreamExt};

use crate::error::{Error, Result};

/// Most pages one listing fetches before giving up with [`Error::PagingBound`].
pub const MAX_PAGES: u64 = 100_000;

/// One page as the server answered it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Page<T> {
    /// The page's items.
    pub items: Vec<T>,
    /// The listing's total, when the server reports one.
    pub total: Option<u64>,
}

impl<T> Page<T> {
    /// A page with a reported total.
    pub fn new(items: Vec<T>, total: Option<u64>) -> Self {
        Self { items, total }
    }
}

/// Which page to fetch next.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PageRequest {
    /// Items to skip (offset/limit and start/limit listings).
    pub offset: u64,
    /// 1-based page number (Central's `next`).
    pub page: u64,
    /// Page size to ask for.
    pub limit: u32,
}

#[derive(Clone, Copy)]
enum Mode {
    Offset,
    Numbered,
}

struct State<F> {
    fetch: F,
    request: PageRequest,
    seen: u64,
    pages: u64,
    done: bool,
}

fn paged<T, F, Fut>(call: String, limit: u32, mode: Mode, fetch: F) -> impl Stream<Item = Result<T>>
where
    F: FnMut(PageRequest) -> Fut,
    Fut: Future<Output = Result<Page<T>>>,
{
    let limit = limit.max(1);
    let state = State {
        fetch,
        request: PageRequest {
            offset: 0,
            page: 1,
            limit,
        },
        seen: 0,
        pages: 0,
        done: false,
    };
    stream::try_unfold(state, move |mut st| {
        let call = call.clone();
        async move {
            if st.done {
                return Ok(None);
            }
            if st.pages >= MAX_PAGES {
                return Err(Error::PagingBound {
                    call,
                    pages: st.pages,
                });
            }
            let page = (st.fetch)(st.request).await?;
            st.pages += 1;
            let n = page.items.len() as u64;
            st.seen += n;
            st.done = n == 0
                || match page.total {
                    Some(total) => st.seen >= total,
                    None => n < u64::from(st.request.limit),
                };
            match mode {
                // Advance by what came back, so a server that caps the page size loses nothing.
                Mode::Offset => st.request.offset += n,
                Mode::Numbered => {
                    st.request.offset += n;
                    st.request.page += 1;
                }
            }
            Ok(Some((page.items, st)))
        }
    })
    .map_ok(|items| stream::iter(items.into_iter().map(Ok)))
    .try_flatten()
}

/// Every item of an offset/limit listing (GreenLake `offset`+`limit`, nSA `start`+`limit`).
///
/// `fetch` receives the offset and limit to ask for and returns that page.
///
/// ```
/// # use futures::TryStreamExt;
/// # use msp_client::paging::{offset_pages, Page};
/// # tokio_test_block_on(async {
/// let data: Vec<u32> = (0..7).collect();
/// let all: Vec<u32> = offset_pages("numbers", 3, |req| {
///     let data = data.clone();
///     async move {
///         let start = req.offset as usize;
///         let end = (start + req.limit as usize).min(data.len());
///         Ok(Page::new(data[start.min(end)..end].to_vec(), Some(data.len() as u64)))
///     }
/// })
/// .try_collect()
/// .await
/// .unwrap();
/// assert_eq!(all, (0..7).collect::<Vec<_>>());
/// # });
/// # fn tokio_test_block_on<F: std::future::Future>(f: F) -> F::Output {
/// #     tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(f)
/// # }
/// ```
pub fn offset_pages<T, F, Fut>(
    call: impl Into<String>,
    limit: u32,
    fetch: F,
) -> impl Stream<Item = Result<T>>
where
    F: FnMut(PageRequest) -> Fut,
    Fut: Future<Output = Result<Page<T>>>,
{
    paged(call.into(), limit, Mode::Offset, fetch)
}

/// Every item of a page-numbered listing (Aruba Central `limit` + `next` = 1, 2, ...).
pub fn numbered_pages<T, F, Fut>(
    call: impl Into<String>,
    limit: u32,
    fetch: F,
) -> impl Stream<Item = Result<T>>
where
    F: FnMut(PageRequest) -> Fut,
    Fut: Future<Output = Result<Page<T>>>,
{
    paged(call.into(), limit, Mode::Numbered, fetch)
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures::StreamExt;
    use std::sync::{Arc, Mutex};

    fn server(
        data: Vec<u32>,
        reported_total: Option<u64>,
        cap: usize,
    ) -> impl FnMut(PageRequest) -> futures::future::Ready<Result<Page<u32>>> {
        move |req| {
            let start = (req.offset as usize).min(data.len());
            let end = (start + (req.limit as usize).min(cap)).min(data.len());
            futures::future::ready(Ok(Page::new(data[start..end].to_vec(), reported_total)))
        }
    }

    #[tokio::test]
    async fn offset_listing_yields_each_item_once() {
        for n in [0u32, 1, 2, 3, 4, 9, 10, 11] {
            let data: Vec<u32> = (0..n).collect();
            let got: Vec<u32> =
                offset_pages("t", 3, server(data.clone(), Some(n as u64), usize::MAX))
                    .try_collect()
                    .await
                    .unwrap();
            assert_eq!(got, data, "n={n}");
        }
    }

    #[tokio::test]
    async fn server_capping_the_page_size_loses_nothing() {
        let data: Vec<u32> = (0..25).collect();
        let got: Vec<u32> = offset_pages("t", 10, server(data.clone(), Some(25), 4))
            .try_collect()
            .await
            .unwrap();
        assert_eq!(got, data);
    }

    #[tokio::test]
    async fn a_total_that_is_too_large_stops_on_the_empty_page() {
        let data: Vec<u32> = (0..5).collect();
        let calls = Arc::new(Mutex::new(0));
        let c = calls.clone();
        let mut inner = server(data.clone(), Some(1_000), usize::MAX);
        let got: Vec<u32> = offset_pages("t", 2, move |req| {
            *c.lock().unwrap() += 1;
            inner(req)
        })
        .try_collect()
        .await
        .unwrap();
        assert_eq!(got, data);
        assert_eq!(*calls.lock().unwrap(), 4, "3 pages of data + 1 empty page");
    }

    #[tokio::test]
    async fn without_total_a_short_page_ends_the_listing() {
        let data: Vec<u32> = (0..5).collect();
        let got: Vec<u32> = offset_pages("t", 2, server(data.clone(), None, usize::MAX))
            .try_collect()
            .await
            .unwrap();
        assert_eq!(got, data);
    }

    #[tokio::test]
    async fn numbered_pages_count_from_one() {
        let data: Vec<u32> = (0..7).collect();
        let pages = Arc::new(Mutex::new(Vec::new()));
        let p = pages.clone();
        let d = data.clone();
        let got: Vec<u32> = numbered_pages("t", 3, move |req| {
            p.lock().unwrap().push(req.page);
            let start = ((req.page - 1) * u64::from(req.limit)) as usize;
            let end = (start + req.limit as usize).min(d.len());
            futures::future::ready(Ok(Page::new(d[start.min(end)..end].to_vec(), Some(7))))
        })
        .try_collect()
        .await
        .unwrap();
        assert_eq!(got, data);
        assert_eq!(*pages.lock().unwrap(), vec![1, 2, 3]);
    }

    #[tokio::test]
    async fn errors_end_the_stream() {
        let mut n = 0;
        let got: Vec<Result<u32>> = offset_pages("t", 1, move |_req| {
            n += 1;
            futures::future::ready(if n == 2 {
                Err(Error::InvalidInput("boom".into()))
            } else {
                Ok(Page::new(vec![n], Some(10)))
            })
        })
        .collect()
        .await;
        assert_eq!(got.len(), 2);
        assert!(got[1].is_err());
    }
}
