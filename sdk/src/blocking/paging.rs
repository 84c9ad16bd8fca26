//! The blocking form of the self-paging listings ([`crate::resources::paging`]): an
//! [`Iterator`] that requests the next page when the items of the current one are used up.

use futures::StreamExt;

use super::Engine;
use crate::error::Result;
use crate::resources::paging::Items;

/// Items of a listing, page after page (blocking). An error is yielded once and ends it.
pub struct Paged<'c, T> {
    engine: &'c Engine,
    items: Option<Items<'c, T>>,
}

impl<'c, T> Paged<'c, T> {
    pub(crate) fn new(engine: &'c Engine, items: Items<'c, T>) -> Self {
        Self {
            engine,
            items: Some(items),
        }
    }
}

impl<T> std::fmt::Debug for Paged<'_, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Paged")
            .field("done", &self.items.is_none())
            .finish()
    }
}

impl<T> Iterator for Paged<'_, T> {
    type Item = Result<T>;

    fn next(&mut self) -> Option<Self::Item> {
        let items = self.items.as_mut()?;
        match self.engine.block_on(items.next()) {
            Ok(Some(Ok(item))) => Some(Ok(item)),
            Ok(Some(Err(e))) | Err(e) => {
                self.items = None;
                Some(Err(e))
            }
            Ok(None) => {
                self.items = None;
                None
            }
        }
    }
}
