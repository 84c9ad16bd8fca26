//! Listings that page by themselves: services search, folder find, call-history search and
//! transform lists as a [`Stream`] of items that requests the next page only when the items
//! of the current one are used up. The single-page calls stay available.
//!
//! A listing ends after a page shorter than the page size (an empty one included), or when
//! the server's own page count says it was the last; an error ends it after being yielded.

use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;

use futures::Stream;

use crate::error::Result;

/// A boxed stream of listing items, as the `…_all` calls return.
pub type Items<'a, T> = Pin<Box<dyn Stream<Item = Result<T>> + Send + 'a>>;

/// One fetched page: its items and whether another page may follow.
pub(crate) struct Page<T> {
    pub(crate) items: Vec<T>,
    pub(crate) more: bool,
}

impl<T> Page<T> {
    /// A page of `items` asked for with `size` per page: more may follow when it is full
    /// (and `last` — the server's page count, when it sends one — does not say otherwise).
    pub(crate) fn sized(items: Vec<T>, size: u64, last: bool) -> Self {
        let full = size > 0 && !items.is_empty() && items.len() as u64 >= size;
        Self {
            more: full && !last,
            items,
        }
    }

    /// Page number `page` (1-based) of `size` items, where the server also reports the total
    /// `count` of matches: the page is the last once it reaches that count.
    pub(crate) fn counted<C: TryInto<u64>>(
        items: Vec<T>,
        page: u32,
        size: u32,
        count: Option<C>,
    ) -> Self {
        let seen = u64::from(page).saturating_mul(u64::from(size));
        let last = count.is_some_and(|count| count.try_into().unwrap_or(0) <= seen);
        Self::sized(items, u64::from(size), last)
    }
}

/// The items of pages `first`, `first + 1`, … fetched one at a time by `fetch`.
pub(crate) fn items<'a, T, F, Fut>(first: u32, fetch: F) -> Items<'a, T>
where
    T: Send + 'a,
    F: FnMut(u32) -> Fut + Send + 'a,
    Fut: Future<Output = Result<Page<T>>> + Send + 'a,
{
    let start = (fetch, VecDeque::new(), Some(first));
    Box::pin(futures::stream::unfold(
        start,
        |(mut fetch, mut buffer, mut next)| async move {
            loop {
                if let Some(item) = buffer.pop_front() {
                    return Some((Ok(item), (fetch, buffer, next)));
                }
                let page = next?;
                match fetch(page).await {
                    Ok(fetched) => {
                        next = if fetched.more {
                            page.checked_add(1)
                        } else {
                            None
                        };
                        buffer.extend(fetched.items);
                    }
                    Err(e) => return Some((Err(e), (fetch, buffer, None))),
                }
            }
        },
    ))
}

/// A listing that fails before its first request (e.g. a bad service URI).
pub(crate) fn failed<'a, T: Send + 'a>(error: crate::error::SparkError) -> Items<'a, T> {
    Box::pin(futures::stream::once(async move { Err(error) }))
}
