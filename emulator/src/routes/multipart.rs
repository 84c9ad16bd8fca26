//! One reader for every multipart upload (service files, folder forms, ImpEx packages, transform
//! documents, runner bundles): each part read whole, a broken body a 400 in the family's shape.

use axum::extract::Multipart;
use bytes::Bytes;

use crate::error::{ApiError, Family};

/// One part of a multipart body.
pub(super) struct Part {
    /// The form field name (empty when the part has none).
    pub name: String,
    /// The file name, for file parts.
    pub file_name: Option<String>,
    /// The content.
    pub bytes: Bytes,
}

impl Part {
    /// Whether the field is called `name`, ignoring case (clients differ in casing).
    pub fn is(&self, name: &str) -> bool {
        self.name.eq_ignore_ascii_case(name)
    }

    /// Whether the part carries a file.
    pub fn is_file(&self) -> bool {
        self.file_name.is_some()
    }

    /// The content as text (invalid UTF-8 replaced).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.bytes).into_owned()
    }
}

/// Every part of `multipart`, in order.
pub(super) async fn parts(mut multipart: Multipart, family: Family) -> Result<Vec<Part>, ApiError> {
    let invalid = |e: axum::extract::multipart::MultipartError| {
        ApiError::bad_request(family, format!("invalid multipart body: {e}"))
    };
    let mut parts = Vec::new();
    while let Some(field) = multipart.next_field().await.map_err(invalid)? {
        let name = field.name().unwrap_or_default().to_string();
        let file_name = field.file_name().map(String::from);
        let bytes = field.bytes().await.map_err(invalid)?;
        parts.push(Part {
            name,
            file_name,
            bytes,
        });
    }
    Ok(parts)
}
