//! Execution core shared by v3, v4, validation, metadata and batches: version resolution
//! (§3.3), input normalisation and output shaping.

use std::sync::Arc;
use std::time::Instant;

use chrono::{DateTime, Utc};
use serde_json::{Map, Value, json};

use crate::error::{ApiError, Family};
use crate::store::{Store, Version, parse_parts};
use crate::wire;
use crate::workbook::{Evaluation, Field, Shape};

/// How a request names its service.
#[derive(Debug, Clone, Default)]
pub struct Locator {
    /// Folder name (with `service`).
    pub folder: Option<String>,
    /// Service name (with `folder`).
    pub service: Option<String>,
    /// Service UUID.
    pub service_id: Option<String>,
    /// Version UUID (wins over everything).
    pub version_id: Option<String>,
    /// Full or partial semantic version (`1`, `1.2`, `1.2.3`).
    pub version: Option<String>,
    /// Instant for effective-window resolution (default now).
    pub at: Option<DateTime<Utc>>,
}

impl Locator {
    /// Parse a `service_uri` such as `folders/f/services/s`, `/folders/f/services/s`, `f/s`,
    /// `f/s[1.2.3]`, or a bare service id.
    pub fn parse_uri(&mut self, uri: &str) {
        let uri = uri.trim().trim_matches('/');
        let (path, version) = match uri.find('[') {
            Some(at) if uri.ends_with(']') => (&uri[..at], Some(&uri[at + 1..uri.len() - 1])),
            _ => (uri, None),
        };
        if let Some(v) = version.filter(|v| !v.is_empty()) {
            self.version = Some(v.to_string());
        }
        let parts: Vec<&str> = path.split('/').filter(|p| !p.is_empty()).collect();
        match parts.as_slice() {
            [f, fname, s, sname]
                if f.eq_ignore_ascii_case("folders") && s.eq_ignore_ascii_case("services") =>
            {
                self.folder = Some((*fname).to_string());
                self.service = Some((*sname).to_string());
            }
            [f, s] => {
                self.folder = Some((*f).to_string());
                self.service = Some((*s).to_string());
            }
            [id] => self.service_id = Some((*id).to_string()),
            _ => {}
        }
    }
}

/// Find the version a locator designates; inside a call of a public route, only a public
/// service's (`crate::access::check_public`).
pub fn resolve(store: &Store, loc: &Locator, family: Family) -> Result<Arc<Version>, ApiError> {
    let version = find(store, loc, family)?;
    crate::access::check_public(&version, family)?;
    Ok(version)
}

fn find(store: &Store, loc: &Locator, family: Family) -> Result<Arc<Version>, ApiError> {
    if let Some(vid) = loc.version_id.as_deref().filter(|v| !v.is_empty()) {
        let version = store.version(vid).ok_or_else(|| {
            ApiError::version_not_found(family, format!("version {vid} not found"))
        })?;
        let mismatch = match (&loc.folder, &loc.service, &loc.service_id) {
            (Some(f), Some(s), _) => {
                !(version.info.folder.eq_ignore_ascii_case(f)
                    && version.info.service.eq_ignore_ascii_case(s))
            }
            (_, _, Some(sid)) => !version.info.service_id.eq_ignore_ascii_case(sid),
            _ => false,
        };
        if mismatch {
            return Err(ApiError::version_not_found(
                family,
                format!("version {vid} does not belong to this service"),
            ));
        }
        return Ok(version);
    }
    let versions = match (&loc.folder, &loc.service, &loc.service_id) {
        (Some(f), Some(s), _) => store.versions(f, s),
        (_, _, Some(sid)) => store.versions_by_service_id(sid),
        _ => {
            return Err(ApiError::bad_request(
                family,
                "no service locator: give folder/service, service_id or version_id",
            ));
        }
    }
    .ok_or_else(|| ApiError::service_not_found(family))?;
    if let Some(v) = loc.version.as_deref().filter(|v| !v.trim().is_empty()) {
        let parts = parse_parts(v)
            .ok_or_else(|| ApiError::bad_request(family, format!("invalid version {v:?}")))?;
        return versions
            .iter()
            .filter(|x| x.info.version.matches(&parts))
            .max_by_key(|x| x.info.version)
            .cloned()
            .ok_or_else(|| ApiError::version_not_found(family, format!("version {v} not found")));
    }
    let at = loc.at.unwrap_or_else(Utc::now);
    versions
        .iter()
        .filter(|x| x.info.effective_start <= at && at <= x.info.effective_end)
        .max_by_key(|x| x.info.version)
        .cloned()
        .ok_or_else(|| {
            ApiError::version_not_found(
                family,
                format!("no version is effective at {}", wire::timestamp(at)),
            )
        })
}

/// Normalise request inputs: a one-element array becomes its object (TS SDK quirk), table
/// inputs in columnar form become row objects.
pub fn normalise_inputs(
    value: Option<&Value>,
    family: Family,
) -> Result<Map<String, Value>, ApiError> {
    let obj = match value {
        None | Some(Value::Null) => return Ok(Map::new()),
        Some(Value::Object(obj)) => obj.clone(),
        Some(Value::Array(items)) if items.len() == 1 && items[0].is_object() => match &items[0] {
            Value::Object(obj) => obj.clone(),
            _ => Map::new(),
        },
        Some(_) => {
            return Err(ApiError::bad_request(
                family,
                "request_data.inputs must be an object",
            ));
        }
    };
    Ok(obj
        .into_iter()
        .map(|(k, v)| (k, wire::rows_from_columnar(v)))
        .collect())
}

/// Output selection: requested names and subservice categories.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    /// Only these outputs (`requested_output` / v4 `output`).
    pub outputs: Option<Vec<String>>,
    /// Only outputs of these subservices (`#Default#` = none; `*` / absent = all).
    pub categories: Option<Vec<String>>,
    /// Only outputs whose names match (v3 `requested_output_regex`, the SDKs' `outputs_filter`:
    /// python-sdk `_services.py` `_ExecuteMeta`, ts-sdk `services.ts` `outputsFilter`).
    pub pattern: Option<regex::Regex>,
}

/// Compile a v3 `requested_output_regex`; an invalid pattern is a 400 naming it.
pub fn output_pattern(
    value: Option<&Value>,
    family: Family,
) -> Result<Option<regex::Regex>, ApiError> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) if text.is_empty() => Ok(None),
        Some(Value::String(text)) => regex::Regex::new(text).map(Some).map_err(|e| {
            ApiError::bad_request(
                family,
                format!("invalid requested_output_regex {text:?}: {e}"),
            )
        }),
        Some(other) => Err(ApiError::bad_request(
            family,
            format!("requested_output_regex must be text, got {other}"),
        )),
    }
}

impl Selection {
    /// The output names to request from the engine, or `None` for all.
    pub fn requested(&self, fields: &[Field]) -> Option<Vec<String>> {
        let by_category: Option<Vec<String>> = self.categories.as_ref().and_then(|cats| {
            if cats.iter().any(|c| c == "*") {
                return None;
            }
            Some(
                fields
                    .iter()
                    .filter(|f| {
                        cats.iter().any(|c| match &f.subservice {
                            None => c.eq_ignore_ascii_case("#Default#"),
                            Some(sub) => sub.eq_ignore_ascii_case(c),
                        })
                    })
                    .map(|f| f.name.clone())
                    .collect(),
            )
        });
        let chosen = match (&self.outputs, by_category) {
            (None, None) => None,
            (Some(o), None) => Some(resolve_names(o, fields)),
            (None, Some(c)) => Some(c),
            (Some(o), Some(c)) => Some(
                resolve_names(o, fields)
                    .into_iter()
                    .filter(|n| c.contains(n))
                    .collect(),
            ),
        };
        let Some(pattern) = &self.pattern else {
            return chosen;
        };
        let names = chosen.unwrap_or_else(|| fields.iter().map(|f| f.name.clone()).collect());
        Some(names.into_iter().filter(|n| pattern.is_match(n)).collect())
    }
}

/// Map requested names to the fields' spelling, case-insensitively; unknown names are kept.
fn resolve_names(names: &[String], fields: &[Field]) -> Vec<String> {
    names
        .iter()
        .map(|n| {
            fields
                .iter()
                .find(|f| f.name.eq_ignore_ascii_case(n))
                .map(|f| f.name.clone())
                .unwrap_or_else(|| n.clone())
        })
        .collect()
}

/// Evaluate one record; returns the evaluation and its compute time in whole ms.
pub fn evaluate(
    version: &Version,
    inputs: &Map<String, Value>,
    requested: Option<&[String]>,
) -> (Evaluation, u64) {
    let started = Instant::now();
    let mut eval = version.engine.evaluate(inputs, requested);
    if let Some(req) = requested {
        eval.outputs.retain(|k, _| req.iter().any(|r| r == k));
    }
    (eval, started.elapsed().as_millis() as u64)
}

/// `warnings` as Spark sends them: `null` or `[{source_path, message}]`.
pub fn warnings_json(eval: &Evaluation) -> Value {
    if eval.warnings.is_empty() {
        return Value::Null;
    }
    Value::Array(
        eval.warnings
            .iter()
            .map(|w| json!({"source_path": w.field, "message": w.message}))
            .collect(),
    )
}

/// `errors` as Spark sends them: `null` or `[{source_path, message, error_category, …}]`.
/// Input problems come first, then each output cell holding an Excel error (its value stays
/// in `outputs`); Spark's category for the latter is not public, so the emulator names it
/// `calculation_error` and puts the cell and the error value in `additional_details`.
pub fn errors_json(eval: &Evaluation) -> Value {
    if eval.errors.is_empty() && eval.output_errors.is_empty() {
        return Value::Null;
    }
    let inputs = eval.errors.iter().map(|e| {
        json!({"source_path": e.field, "message": e.message,
               "error_category": "input_error", "error_type": "validation_error",
               "additional_details": null})
    });
    let outputs = eval.output_errors.iter().map(|e| {
        json!({"source_path": e.output, "message": e.message,
               "error_category": "calculation_error", "error_type": "excel_error",
               "additional_details": {"cell": e.cell, "value": e.error}})
    });
    Value::Array(inputs.chain(outputs).collect())
}

/// Apply `array_outputs` (`*` or names): listed table outputs become `[[headers], rows…]`.
pub fn apply_array_outputs(outputs: &mut Map<String, Value>, fields: &[Field], which: &[String]) {
    let all = which.iter().any(|w| w == "*");
    for field in fields {
        let Shape::Table { columns, .. } = &field.shape else {
            continue;
        };
        if !all && !which.iter().any(|w| w.eq_ignore_ascii_case(&field.name)) {
            continue;
        }
        if let Some(Value::Array(rows)) = outputs.get(&field.name) {
            let headers: Vec<String> = columns.iter().map(|(h, _)| h.clone()).collect();
            let table = wire::columnar_from_rows(rows, &headers);
            outputs.insert(field.name.clone(), table);
        }
    }
}

/// The compiler version this emulator reports.
pub const COMPILER_VERSION: &str = "1.12.0";
