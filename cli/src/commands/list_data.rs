//! `-d JSON` of `services list` and `folders list`: page and search options as one JSON
//! object, as the Python CLI 0.2.0 takes them (`cspark/cli/_commands/_services.py` sends
//! `{page, pageSize, search, sort}`; `_folders.py` passes `{name, favorite, page, size, sort}`
//! to `folders.find`). Unlike Python, every key is checked: an unknown key or a value of the
//! wrong type is a usage error naming it, not something silently sent or ignored.

use cspark::folders::FindFolders;
use cspark::services::SearchOptions;
use serde_json::{Map, Value};

use crate::error::CliError;

/// Parses `-d` as a JSON object.
fn object(text: &str) -> Result<Map<String, Value>, CliError> {
    let value: Value = serde_json::from_str(text)
        .map_err(|e| CliError::usage(format!("-d/--data: invalid JSON: {e}")))?;
    match value {
        Value::Object(map) => Ok(map),
        other => Err(CliError::usage(format!(
            "-d/--data must be a JSON object, got {}",
            kind(&other)
        ))),
    }
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn bad(key: &str, want: &str, got: &Value) -> CliError {
    CliError::usage(format!(
        "-d/--data: key {key:?} must be {want}, got {}",
        kind(got)
    ))
}

fn integer(key: &str, value: &Value, min: i64) -> Result<i64, CliError> {
    match value.as_i64() {
        Some(n) if n >= min => Ok(n),
        Some(n) => Err(CliError::usage(format!(
            "-d/--data: key {key:?} must be at least {min}, got {n}"
        ))),
        None => Err(bad(key, "an integer", value)),
    }
}

fn text(key: &str, value: &Value) -> Result<String, CliError> {
    value
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| bad(key, "a string", value))
}

/// `services list FOLDER -d JSON`: keys `page`, `pageSize` (-1 = everything), `sort`,
/// `search` (an array of `{"field", "value"}`), added to the folder term.
pub fn service_search(
    data: Option<&str>,
    mut options: SearchOptions,
) -> Result<SearchOptions, CliError> {
    let Some(data) = data else {
        return Ok(options);
    };
    for (key, value) in object(data)? {
        match key.as_str() {
            "page" => options.page = integer(&key, &value, 1)?,
            "pageSize" | "page_size" => {
                let size = integer(&key, &value, -1)?;
                if size == 0 {
                    return Err(CliError::usage(format!(
                        "-d/--data: key {key:?} must be -1 or at least 1, got 0"
                    )));
                }
                options.page_size = size;
            }
            "sort" => options.sort = text(&key, &value)?,
            "search" => {
                let Value::Array(terms) = &value else {
                    return Err(bad(&key, "an array of {\"field\", \"value\"}", &value));
                };
                for term in terms {
                    let field = term.get("field").and_then(Value::as_str);
                    match (field, term.get("value")) {
                        (Some(field), Some(v)) if !field.trim().is_empty() => {
                            options = options.term(field, v.clone());
                        }
                        _ => {
                            return Err(CliError::usage(format!(
                                "-d/--data: each item of \"search\" must be {{\"field\": NAME, \"value\": …}}, got {term}"
                            )));
                        }
                    }
                }
            }
            _ => {
                return Err(CliError::usage(format!(
                    "-d/--data: unknown key {key:?} (expected page, pageSize, sort, search)"
                )));
            }
        }
    }
    Ok(options)
}

/// `folders list -d JSON`: keys `name`, `favorite`, `page`, `size` (or `pageSize`), `sort`.
pub fn folder_find(data: Option<&str>, mut options: FindFolders) -> Result<FindFolders, CliError> {
    let Some(data) = data else {
        return Ok(options);
    };
    for (key, value) in object(data)? {
        match key.as_str() {
            "name" => options.name = Some(text(&key, &value)?),
            "favorite" => {
                options.favorite = Some(
                    value
                        .as_bool()
                        .ok_or_else(|| bad(&key, "a boolean", &value))?,
                )
            }
            "page" => options.page = page_number(&key, &value)?,
            "size" | "pageSize" | "page_size" => options.size = page_number(&key, &value)?,
            "sort" => options.sort = text(&key, &value)?,
            _ => {
                return Err(CliError::usage(format!(
                    "-d/--data: unknown key {key:?} (expected name, favorite, page, size, sort)"
                )));
            }
        }
    }
    Ok(options)
}

fn page_number(key: &str, value: &Value) -> Result<u32, CliError> {
    let n = integer(key, value, 1)?;
    u32::try_from(n)
        .map_err(|_| CliError::usage(format!("-d/--data: key {key:?} is too large: {n}")))
}
