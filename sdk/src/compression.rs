//! Optional request-body compression (python-sdk.md §5.5).

use std::io::Write;

use flate2::Compression as Level;
use flate2::write::{GzEncoder, ZlibEncoder};

/// How JSON request bodies of execute calls are compressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Compression {
    /// RFC 1952 gzip; `Content-Encoding: gzip`.
    Gzip,
    /// zlib-wrapped deflate (RFC 1950), as the reference SDKs send; `Content-Encoding: deflate`.
    Deflate,
}

impl Compression {
    /// The `Content-Encoding` token.
    pub fn token(self) -> &'static str {
        match self {
            Self::Gzip => "gzip",
            Self::Deflate => "deflate",
        }
    }

    /// Compresses `data`.
    pub fn compress(self, data: &[u8]) -> std::io::Result<Vec<u8>> {
        match self {
            Self::Gzip => {
                let mut enc = GzEncoder::new(Vec::new(), Level::default());
                enc.write_all(data)?;
                enc.finish()
            }
            Self::Deflate => {
                let mut enc = ZlibEncoder::new(Vec::new(), Level::default());
                enc.write_all(data)?;
                enc.finish()
            }
        }
    }
}
