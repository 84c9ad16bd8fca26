//! Reads a response body under a size cap, decompressing it here rather than in reqwest.
//!
//! The SDK's HTTP client is built with reqwest's automatic decompression off, and the
//! transport asks for `gzip, deflate` itself, so the body arrives as the server sent it.
//! Both sizes are then bounded by the client's `max_response_bytes`:
//! - the bytes on the wire (a `Content-Length` above the cap is refused before reading);
//! - the bytes after decompression, counted while inflating, so a small gzip body that
//!   inflates to gigabytes stops at the cap with memory bounded by the cap.
//!
//! A body over the cap is a [`BodyError::TooLarge`], which the transport turns into
//! [`SparkError::ResponseTooLarge`](crate::SparkError::ResponseTooLarge) (never retried).

use std::io::Write;

use bytes::Bytes;
use flate2::write::{MultiGzDecoder, ZlibDecoder};
use http::HeaderMap;
use http::header::{CONTENT_ENCODING, CONTENT_LENGTH};

/// Default cap on a response body, compressed and decompressed (64 MiB).
pub const DEFAULT_MAX_RESPONSE_BYTES: u64 = 64 * 1024 * 1024;

/// Why a body could not be read.
#[derive(Debug)]
pub(crate) enum BodyError {
    /// The connection failed while reading.
    Http(reqwest::Error),
    /// The body (on the wire or inflated) is larger than the cap.
    TooLarge { limit: u64, decompressed: bool },
    /// The body claims an encoding its bytes do not follow.
    Corrupt {
        encoding: &'static str,
        reason: String,
    },
}

/// A `Vec` that refuses to grow past `limit` bytes.
struct CappedVec {
    data: Vec<u8>,
    limit: u64,
    overflowed: bool,
}

impl Write for CappedVec {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.data.len() as u64 + buf.len() as u64 > self.limit {
            self.overflowed = true;
            return Err(std::io::Error::other("response body over the size cap"));
        }
        self.data.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Where the wire bytes go.
enum Sink {
    Plain(CappedVec),
    Gzip(MultiGzDecoder<CappedVec>),
    Zlib(ZlibDecoder<CappedVec>),
}

impl Sink {
    fn for_encoding(encoding: Option<&'static str>, limit: u64) -> Self {
        let out = CappedVec {
            data: Vec::new(),
            limit,
            overflowed: false,
        };
        match encoding {
            Some("gzip") => Self::Gzip(MultiGzDecoder::new(out)),
            Some("deflate") => Self::Zlib(ZlibDecoder::new(out)),
            _ => Self::Plain(out),
        }
    }

    fn write_all(&mut self, chunk: &[u8]) -> std::io::Result<()> {
        match self {
            Self::Plain(v) => v.write_all(chunk),
            Self::Gzip(d) => d.write_all(chunk),
            Self::Zlib(d) => d.write_all(chunk),
        }
    }

    fn overflowed(&self) -> bool {
        match self {
            Self::Plain(v) => v.overflowed,
            Self::Gzip(d) => d.get_ref().overflowed,
            Self::Zlib(d) => d.get_ref().overflowed,
        }
    }

    fn finish(self) -> std::io::Result<Vec<u8>> {
        Ok(match self {
            Self::Plain(v) => v.data,
            Self::Gzip(d) => d.finish()?.data,
            Self::Zlib(d) => d.finish()?.data,
        })
    }
}

/// The content coding the transport decodes, if the response uses one.
fn encoding_of(headers: &HeaderMap) -> Option<&'static str> {
    let value = headers.get(CONTENT_ENCODING)?.to_str().ok()?.trim();
    if value.eq_ignore_ascii_case("gzip") || value.eq_ignore_ascii_case("x-gzip") {
        Some("gzip")
    } else if value.eq_ignore_ascii_case("deflate") {
        Some("deflate")
    } else {
        None
    }
}

/// Reads the whole body of `response` under `limit`. When the body was decoded here,
/// `Content-Encoding` and `Content-Length` are removed from `headers` (they described
/// the wire bytes), as reqwest does when it decompresses.
pub(crate) async fn read_body(
    mut response: reqwest::Response,
    headers: &mut HeaderMap,
    limit: u64,
) -> Result<Bytes, BodyError> {
    let too_large = |decompressed| BodyError::TooLarge {
        limit,
        decompressed,
    };
    if response.content_length().is_some_and(|n| n > limit) {
        return Err(too_large(false));
    }
    let encoding = encoding_of(headers);
    let mut sink = Sink::for_encoding(encoding, limit);
    let mut on_wire = 0u64;
    while let Some(chunk) = response.chunk().await.map_err(BodyError::Http)? {
        on_wire = on_wire.saturating_add(chunk.len() as u64);
        if on_wire > limit {
            return Err(too_large(false));
        }
        if let Err(e) = sink.write_all(&chunk) {
            return Err(corrupt_or_large(&sink, encoding, e, limit));
        }
    }
    if on_wire == 0 {
        // No body (HEAD, 204, 304) whatever the headers claim: nothing to inflate.
        return Ok(Bytes::new());
    }
    let overflow_probe = sink.overflowed();
    let data = match sink.finish() {
        Ok(data) => data,
        Err(_) if overflow_probe => return Err(too_large(encoding.is_some())),
        Err(e) => {
            return Err(BodyError::Corrupt {
                encoding: encoding.unwrap_or("identity"),
                reason: e.to_string(),
            });
        }
    };
    if encoding.is_some() {
        headers.remove(CONTENT_ENCODING);
        headers.remove(CONTENT_LENGTH);
    }
    Ok(Bytes::from(data))
}

fn corrupt_or_large(
    sink: &Sink,
    encoding: Option<&'static str>,
    error: std::io::Error,
    limit: u64,
) -> BodyError {
    if sink.overflowed() {
        BodyError::TooLarge {
            limit,
            decompressed: encoding.is_some(),
        }
    } else {
        BodyError::Corrupt {
            encoding: encoding.unwrap_or("identity"),
            reason: error.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inflating_stops_at_the_cap() {
        let bomb = crate::Compression::Gzip
            .compress(&vec![0u8; 4 * 1024 * 1024])
            .unwrap_or_default();
        assert!(bomb.len() < 64 * 1024);
        let mut sink = Sink::for_encoding(Some("gzip"), 1024 * 1024);
        let outcome = sink.write_all(&bomb);
        assert!(outcome.is_err());
        assert!(sink.overflowed());
        let mut fits = Sink::for_encoding(Some("gzip"), 8 * 1024 * 1024);
        assert!(fits.write_all(&bomb).is_ok());
        assert_eq!(fits.finish().map(|v| v.len()).ok(), Some(4 * 1024 * 1024));
    }
}
