//! The `search` list of search and list requests (services, folders, transforms): each term
//! names a field and a value. A term may be spelt `{"field", "value"}` (both SDKs: python
//! `_services.py` / `_folders.py` / `_transforms.py`, ts `services.ts` / `folders.ts`) or
//! `{"fieldName", "fieldValue"}` (Coherent's Postman collection, the only public example of a
//! services-search term). A term in neither spelling, or on a field the emulator cannot filter
//! on, is a 400 naming it: answering everything for a filter that was not applied would look
//! like a match.

use serde_json::Value;

use crate::error::{ApiError, Family};

/// The terms of `search`, each `(field, lower-cased value)`, `field` looked up (ignoring case)
/// in `fields`: the accepted names, each with what it filters on.
pub(super) fn terms<T: Copy>(
    search: Option<&Value>,
    family: Family,
    fields: &[(&str, T)],
) -> Result<Vec<(T, String)>, ApiError> {
    let items = match search {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Array(items)) => items,
        Some(other) => {
            return Err(ApiError::bad_request(
                family,
                format!("search must be a list of terms, got {other}"),
            ));
        }
    };
    items
        .iter()
        .map(|term| {
            let pick = |a: &str, b: &str| term.get(a).or_else(|| term.get(b));
            let (Some(Value::String(field)), Some(value)) =
                (pick("field", "fieldName"), pick("value", "fieldValue"))
            else {
                return Err(ApiError::bad_request(
                    family,
                    format!(
                        "search term {term} needs \"field\" and \"value\" \
                         (or \"fieldName\" and \"fieldValue\")"
                    ),
                ));
            };
            let value = match value {
                Value::String(s) => s.to_lowercase(),
                Value::Number(n) => n.to_string(),
                Value::Bool(b) => b.to_string(),
                other => {
                    return Err(ApiError::bad_request(
                        family,
                        format!("search term value {other} for {field:?} must be text"),
                    ));
                }
            };
            let known = fields
                .iter()
                .find(|(name, _)| name.eq_ignore_ascii_case(field))
                .map(|(_, f)| *f)
                .ok_or_else(|| {
                    let names: Vec<&str> = fields.iter().map(|(n, _)| *n).collect();
                    ApiError::bad_request(
                        family,
                        format!(
                            "unknown search field {field:?}; the emulator filters on {}",
                            names.join(", ")
                        ),
                    )
                })?;
            Ok((known, value))
        })
        .collect()
}
