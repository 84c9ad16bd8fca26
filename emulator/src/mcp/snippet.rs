//! `spark_generate_snippet`: code calling a service. Rust (the default) uses the typed
//! bindings `cspark-codegen` generates (module `{folder}_{service}`, marker type
//! `{Service}`, `Inputs` with snake_case fields); `language_variant: "json"` gives the
//! untyped call. Python, TypeScript and curl get a minimal call with the SDKs' documented
//! entry points.

use serde_json::{Value, json};

use super::services::resolve;
use super::{Args, McpState, ToolFailure};
use crate::workbook::{DataType, Field, Shape};

/// Words of a name: split at non-alphanumerics and at lower→upper case changes.
fn words(raw: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut current = String::new();
    let mut prev_lower = false;
    for c in raw.chars() {
        if !c.is_ascii_alphanumeric() {
            if !current.is_empty() {
                out.push(std::mem::take(&mut current));
            }
            prev_lower = false;
            continue;
        }
        if c.is_ascii_uppercase() && prev_lower && !current.is_empty() {
            out.push(std::mem::take(&mut current));
        }
        prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        current.push(c.to_ascii_lowercase());
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// `snake_case` as the bindings name fields and modules (common cases).
pub(crate) fn snake(raw: &str) -> String {
    let s = words(raw).join("_");
    if s.starts_with(|c: char| c.is_ascii_digit()) {
        format!("x{s}")
    } else {
        s
    }
}

/// A Rust expression for a field's workbook value.
fn rust_value(field: &Field) -> String {
    match (&field.shape, field.data_type, &field.default) {
        (Shape::Table { .. }, ..) => "Vec::new() /* table rows */".to_string(),
        (_, DataType::Number, Value::Number(n)) => {
            let text = n.to_string();
            if text.contains('.') || text.contains('e') {
                text
            } else {
                format!("{text}.0")
            }
        }
        (_, DataType::Boolean, Value::Bool(b)) => b.to_string(),
        (_, _, Value::String(s)) => format!("{s:?}.into()"),
        (_, DataType::Number, _) => "0.0".to_string(),
        (_, DataType::Boolean, _) => "false".to_string(),
        _ => "Default::default()".to_string(),
    }
}

fn inputs_json(fields: &[Field]) -> Value {
    Value::Object(
        fields
            .iter()
            .map(|f| (f.name.clone(), f.default.clone()))
            .collect(),
    )
}

/// `spark_generate_snippet`.
pub(super) fn generate(state: &McpState, args: &Args<'_>) -> Result<Value, ToolFailure> {
    let folder = args.required("folder")?;
    let service = args.required("service")?;
    let version = resolve(state, folder, service, args.str("version"), None)?;
    let (folder, service) = (&version.info.folder, &version.info.service);
    let inputs = version.engine.inputs();
    let language = args
        .str("language_code")
        .unwrap_or("rust")
        .to_ascii_lowercase();
    let variant = args.str("language_variant").map(str::to_ascii_lowercase);
    let example = serde_json::to_string_pretty(&inputs_json(inputs)).unwrap_or_default();
    let code = match (language.as_str(), variant.as_deref()) {
        ("rust", None | Some("typed")) => {
            let module = snake(&format!("{folder} {service}"));
            let fields: String = inputs
                .iter()
                .map(|f| format!("        {}: {},\n", snake(&f.name), rust_value(f)))
                .collect();
            format!(
                "// Bindings: `cspark codegen fetch --service {folder}/{service} --out spark/`\n\
                 use spark::{module}::Inputs;\n\n\
                 #[tokio::main]\n\
                 async fn main() -> cspark::Result<()> {{\n    \
                 let client = cspark::Client::from_env()?;\n    \
                 let inputs = Inputs {{\n{fields}    }};\n    \
                 let result = client.execute_typed(&inputs).await?;\n    \
                 println!(\"{{:#?}} (call id {{:?}})\", result.outputs, result.meta.call_id);\n    \
                 Ok(())\n}}\n"
            )
        }
        ("rust", Some(_)) => format!(
            "#[tokio::main]\nasync fn main() -> cspark::Result<()> {{\n    \
             let client = cspark::Client::from_env()?;\n    \
             let inputs = serde_json::json!({example});\n    \
             let response = client.services().execute(\"{folder}/{service}\", &inputs).await?;\n    \
             println!(\"{{:#?}}\", response.outputs());\n    Ok(())\n}}\n"
        ),
        ("python", _) => format!(
            "import cspark.sdk as Spark\n\nspark = Spark.Client()  # CSPARK_* environment variables\n\
             with spark.services as services:\n    \
             response = services.execute('{folder}/{service}', inputs={example})\n    \
             print(response.data)\n"
        ),
        ("typescript" | "javascript", _) => format!(
            "import Spark from '@cspark/sdk';\n\nconst spark = new Spark.Client();\n\
             const response = await spark.services.execute('{folder}/{service}', {{ inputs: {example} }});\n\
             console.log(response.data);\n"
        ),
        ("curl" | "shell" | "bash", _) => {
            let body = json!({"request_data": {"inputs": inputs_json(inputs)}, "request_meta": {}});
            format!(
                "curl -X POST \"$CSPARK_BASE_URL/api/v3/folders/{folder}/services/{service}/execute\" \\\n  \
                 -H \"Authorization: Bearer $CSPARK_BEARER_TOKEN\" -H 'Content-Type: application/json' \\\n  \
                 -d '{body}'\n"
            )
        }
        (other, _) => {
            return Err(ToolFailure(format!(
                "language_code {other:?} is not supported; use rust, python, typescript or curl"
            )));
        }
    };
    Ok(json!({
        "folder": folder,
        "service": service,
        "version": version.info.version.to_string(),
        "language_code": language,
        "language_variant": variant,
        "snippet": code,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_the_bindings() {
        assert_eq!(snake("demo volume-cylinder"), "demo_volume_cylinder");
        assert_eq!(snake("BaseArea"), "base_area");
        assert_eq!(snake("Loan Amount"), "loan_amount");
    }
}
