//! Many typed records through several v4 calls at once:
//! [`Client::execute_typed_chunked`](crate::Client::execute_typed_chunked).
//!
//! One v4 call is evaluated by one Spark worker, record after record, so a single call of
//! 10,000 records takes 10,000 record times. Split into chunks with several calls in flight,
//! the same records run on several workers at once, and the answer still comes back as one
//! list in input order. For inputs that do not fit in memory, or runs that take minutes, use
//! the batch pipeline ([`Client::run_typed_batch`](crate::Client::run_typed_batch)), which
//! streams.

use futures::{StreamExt, TryStreamExt};

use crate::SparkError;
use crate::services::ExecuteOptions;
use crate::typed::{OutputsOf, RecordResult, ServiceInputs};

/// How [`Client::execute_typed_chunked`](crate::Client::execute_typed_chunked) splits the
/// records: `chunk_size` records per v4 call, at most `in_flight` calls at once.
///
/// ```
/// let chunking = cspark::Chunking::default().chunk_size(250).in_flight(16);
/// assert_eq!((chunking.chunk_size, chunking.in_flight), (250, 16));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Chunking {
    /// Records per v4 call (default 500; at least 1).
    pub chunk_size: usize,
    /// v4 calls in flight at once (default 4; at least 1).
    pub in_flight: usize,
}

impl Default for Chunking {
    fn default() -> Self {
        Chunking {
            chunk_size: 500,
            in_flight: 4,
        }
    }
}

impl Chunking {
    /// Records per v4 call.
    #[must_use]
    pub fn chunk_size(mut self, records: usize) -> Self {
        self.chunk_size = records;
        self
    }

    /// v4 calls in flight at once.
    #[must_use]
    pub fn in_flight(mut self, calls: usize) -> Self {
        self.in_flight = calls;
        self
    }

    fn check(&self) -> crate::Result<()> {
        for (what, value) in [
            ("chunk_size", self.chunk_size),
            ("in_flight", self.in_flight),
        ] {
            if value == 0 {
                return Err(SparkError::invalid(
                    what,
                    value.to_string(),
                    "must be at least 1",
                ));
            }
        }
        Ok(())
    }
}

/// One v4 call of a chunked execution.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ChunkCall {
    /// Index (in the caller's input) of the call's first record.
    pub first_record: usize,
    /// Records the call carried.
    pub records: usize,
    /// The call id Spark gave it.
    pub call_id: Option<String>,
    /// Semantic version that ran.
    pub version: Option<String>,
    /// Id of the version that ran.
    pub version_id: Option<String>,
    /// The `x-request-id` sent.
    pub request_id: String,
}

/// Typed results of a chunked execution: every record in input order, and the calls made.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct TypedChunked<O> {
    /// One result per input record, in input order.
    pub records: Vec<RecordResult<O>>,
    /// The v4 calls, in input order.
    pub calls: Vec<ChunkCall>,
}

impl<O> TypedChunked<O> {
    /// The outputs alone, in input order.
    pub fn outputs(&self) -> impl Iterator<Item = &O> {
        self.records.iter().map(|r| &r.outputs)
    }
}

impl crate::Client {
    /// Runs the service that the records belong to (inferred from their type) once per
    /// record, `chunking.chunk_size` records per v4 call with up to `chunking.in_flight`
    /// calls at once; results come back in input order. Pins the bindings' version like
    /// [`execute_typed`](Self::execute_typed).
    ///
    /// The first call that fails ends the execution: the calls still in flight are dropped
    /// and its error is returned (a decoding error names the records of its chunk). Each call
    /// is retried by the client's retry policy before it counts as failed. No call is sent
    /// for an empty input.
    ///
    /// ```no_run
    /// # async fn demo<I: cspark::ServiceInputs>(client: cspark::Client, records: Vec<I>) -> cspark::Result<()> {
    /// let chunking = cspark::Chunking::default().chunk_size(500).in_flight(8);
    /// let results = client.execute_typed_chunked(&records, chunking).await?;
    /// assert_eq!(results.records.len(), records.len());
    /// println!("{} v4 calls", results.calls.len());
    /// # Ok(()) }
    /// ```
    pub async fn execute_typed_chunked<I: ServiceInputs>(
        &self,
        records: &[I],
        chunking: Chunking,
    ) -> crate::Result<TypedChunked<OutputsOf<I>>> {
        self.execute_typed_chunked_with(records, chunking, ExecuteOptions::default())
            .await
    }

    /// [`execute_typed_chunked`](Self::execute_typed_chunked) with metadata options, sent
    /// with every call.
    pub async fn execute_typed_chunked_with<I: ServiceInputs>(
        &self,
        records: &[I],
        chunking: Chunking,
        options: ExecuteOptions,
    ) -> crate::Result<TypedChunked<OutputsOf<I>>> {
        chunking.check()?;
        // Every record is checked before the first call, so a bad record sends nothing
        // and is named by its index in `records`; the chunk calls then skip the check.
        crate::typed::check_records::<I::Service>(records, &options)?;
        let options = options.skip_input_rules(true);
        let calls = records
            .chunks(chunking.chunk_size)
            .enumerate()
            .map(|(k, part)| {
                let options = options.clone();
                let first = k * chunking.chunk_size;
                async move {
                    self.execute_typed_many_with(part, options)
                        .await
                        .map(|many| (first, part.len(), many))
                        .map_err(|e| in_chunk(e, first, part.len()))
                }
            });
        // `buffered` keeps input order and at most `in_flight` calls pending, in this task:
        // the records are borrowed, so nothing is spawned.
        let mut answers = futures::stream::iter(calls).buffered(chunking.in_flight);
        let mut out = TypedChunked {
            records: Vec::with_capacity(records.len()),
            calls: Vec::with_capacity(records.len().div_ceil(chunking.chunk_size)),
        };
        while let Some((first_record, count, many)) = answers.try_next().await? {
            out.calls.push(ChunkCall {
                first_record,
                records: count,
                call_id: many.call_id,
                version: many.version,
                version_id: many.version_id,
                request_id: many.request_id,
            });
            out.records.extend(many.records);
        }
        Ok(out)
    }
}

/// A decoding error counts records from its chunk's start: say which records those are.
fn in_chunk(error: SparkError, first: usize, count: usize) -> SparkError {
    match error {
        SparkError::Decode {
            what,
            request_id,
            reason,
        } => SparkError::Decode {
            what,
            request_id,
            reason: format!(
                "in the chunk of records #{first}..#{}: {reason}",
                first + count
            ),
        },
        other => other,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn zero_sizes_are_refused_by_name() {
        let err = Chunking::default().chunk_size(0).check().unwrap_err();
        assert!(err.to_string().contains("chunk_size"), "{err}");
        let err = Chunking::default().in_flight(0).check().unwrap_err();
        assert!(err.to_string().contains("in_flight"), "{err}");
        assert!(Chunking::default().check().is_ok());
    }
}
