//! What a tool call returns, normalised as the Python client (`cspark.mcp`, 0.3.3) does:
//! `isError` → [`McpError::Tool`]; else the structured content; else the text content
//! parsed as JSON; else the text itself.

use rmcp::model::CallToolResult;
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::error::{McpError, McpResult};

/// The normalised result of a tool call.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum ToolOutput {
    /// Structured content, or text content that parsed as JSON.
    Json(Value),
    /// Text content that is not JSON (content blocks joined by new lines).
    Text(String),
    /// A result with neither structured content nor text (e.g. only images).
    Empty,
}

impl ToolOutput {
    /// The JSON value, if the tool returned one.
    pub fn json(&self) -> Option<&Value> {
        match self {
            Self::Json(v) => Some(v),
            _ => None,
        }
    }

    /// The text, if the tool returned non-JSON text.
    pub fn text(&self) -> Option<&str> {
        match self {
            Self::Text(t) => Some(t),
            _ => None,
        }
    }

    /// The output as a JSON value (`Text` becomes a JSON string, `Empty` becomes `null`).
    pub fn into_value(self) -> Value {
        match self {
            Self::Json(v) => v,
            Self::Text(t) => Value::String(t),
            Self::Empty => Value::Null,
        }
    }

    /// Decodes the output into `T`; `tool` names the tool in the error.
    pub fn parse<T: DeserializeOwned>(self, tool: &str) -> McpResult<T> {
        serde_json::from_value(self.into_value()).map_err(|e| McpError::Decode {
            tool: tool.to_owned(),
            reason: e.to_string(),
        })
    }
}

/// The text blocks of a result, joined by new lines; `None` without any text block.
fn content_text(result: &CallToolResult) -> Option<String> {
    let texts: Vec<&str> = result
        .content
        .iter()
        .filter_map(|block| block.as_text().map(|t| t.text.as_str()))
        .collect();
    (!texts.is_empty()).then(|| texts.join("\n"))
}

/// Applies the normalisation rules to a `tools/call` result.
pub(crate) fn normalise(tool: &str, result: CallToolResult) -> McpResult<ToolOutput> {
    if result.is_error == Some(true) {
        let message = content_text(&result)
            .or_else(|| result.structured_content.as_ref().map(Value::to_string))
            .unwrap_or_else(|| "the tool reported an error without a message".to_owned());
        return Err(McpError::Tool {
            tool: tool.to_owned(),
            message,
            details: result.structured_content,
        });
    }
    if let Some(structured) = result.structured_content {
        return Ok(ToolOutput::Json(structured));
    }
    match content_text(&result) {
        Some(text) => Ok(match serde_json::from_str::<Value>(&text) {
            Ok(v) => ToolOutput::Json(v),
            Err(_) => ToolOutput::Text(text),
        }),
        None => Ok(ToolOutput::Empty),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rmcp::model::ContentBlock as Content;
    use serde_json::json;

    #[test]
    fn error_results_become_typed_errors() {
        let result = CallToolResult::error(vec![Content::text("folder not found")]);
        let err = normalise("spark_service_info", result).err();
        assert!(
            matches!(&err, Some(McpError::Tool { tool, message, .. })
                if tool == "spark_service_info" && message == "folder not found"),
            "{err:?}"
        );
    }

    #[test]
    fn structured_content_wins_then_json_text_then_text() {
        let structured = CallToolResult::structured(json!({"a": 1}));
        assert_eq!(
            normalise("t", structured).ok(),
            Some(ToolOutput::Json(json!({"a": 1})))
        );
        let json_text = CallToolResult::success(vec![Content::text("[1, 2]")]);
        assert_eq!(
            normalise("t", json_text).ok(),
            Some(ToolOutput::Json(json!([1, 2])))
        );
        let text = CallToolResult::success(vec![Content::text("line 1"), Content::text("line 2")]);
        assert_eq!(
            normalise("t", text).ok(),
            Some(ToolOutput::Text("line 1\nline 2".into()))
        );
        assert_eq!(
            normalise("t", CallToolResult::success(vec![])).ok(),
            Some(ToolOutput::Empty)
        );
    }
}
