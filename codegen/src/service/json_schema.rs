//! JSON Schemas of a service's inputs and outputs, from the resolved model — the same facts
//! the generated Rust types carry, for consumers that are not Rust: MCP tool descriptions
//! (`cspark mcp serve`), forms, request validation ([`super::json_check`]).
//!
//! Mapping of a [`Kind`] (draft 2020-12 keywords; anything a checker does not know is
//! ignored by JSON Schema rules):
//!
//! | kind | schema |
//! |------|--------|
//! | number | `number`, or `integer` under a "Whole number" rule; `minimum`/`maximum` |
//! | text | `string`; `minLength`/`maxLength` from a "Text length" rule |
//! | boolean | `boolean` |
//! | date | `string` with `format: date` (`YYYY-MM-DD`); `formatMinimum`/`formatMaximum` |
//! | choice | `string` with `enum` (the List validation's values) |
//! | table | `array` of `object`s, one property per column, all columns required |
//! | list | `array` of the item kind |
//! | json | `{}` (anything) |
//!
//! **Inputs** form a closed object (`additionalProperties: false`). An input is `required`
//! unless the swagger marks it nullable or the workbook holds a value for it (Spark then
//! uses that value; a scalar one is given as `default`). Rules and workbook values come from
//! [`super::rule::input_facts`]. **Outputs** are all nullable (Excel leaves cells empty); a
//! text output may also arrive as a number or a boolean (a text cell holding `42`), so its
//! schema admits those, as the generated bindings do.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use super::ServiceDocs;
use super::model::{Kind, Resolved, ResolvedService};
use super::rule::{InputFacts, Rule, input_facts};
use super::schema::Side;
use crate::error::Result;

/// The two schemas of a service.
#[derive(Debug, Clone, PartialEq)]
pub struct ServiceSchemas {
    /// The schema of the `inputs` object of a call.
    pub inputs: Value,
    /// The schema of the `outputs` object of an answer.
    pub outputs: Value,
}

/// Both schemas of a service, from its documents. Fields whose type cannot be determined
/// get an open schema (`{}`) rather than an error.
pub fn service_schemas(docs: &ServiceDocs) -> Result<ServiceSchemas> {
    let model = docs.resolve(true)?;
    Ok(ServiceSchemas {
        inputs: input_schema(&model, &input_facts(docs)),
        outputs: output_schema(&model),
    })
}

/// The schema of a service's `inputs` object; `facts` by wire name (missing = no rule, no
/// workbook value).
pub fn input_schema(service: &ResolvedService, facts: &BTreeMap<String, InputFacts>) -> Value {
    let none = InputFacts::default();
    let properties: Map<String, Value> = service
        .inputs
        .iter()
        .map(|(name, field)| {
            let facts = facts.get(name).unwrap_or(&none);
            (name.clone(), field_schema(field, Side::Inputs, facts))
        })
        .collect();
    let required: Vec<&String> = service
        .inputs
        .iter()
        .filter(|(name, f)| !f.nullable && !facts.get(*name).is_some_and(|x| x.has_workbook_value))
        .map(|(name, _)| name)
        .collect();
    json!({
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": false,
    })
}

/// The schema of a service's `outputs` object.
pub fn output_schema(service: &ResolvedService) -> Value {
    let none = InputFacts::default();
    let properties: Map<String, Value> = service
        .outputs
        .iter()
        .map(|(name, field)| (name.clone(), field_schema(field, Side::Outputs, &none)))
        .collect();
    json!({"type": "object", "properties": properties})
}

/// The schema of one field (input, output or table column); `facts` apply to inputs.
pub fn field_schema(field: &Resolved, side: Side, facts: &InputFacts) -> Value {
    let mut schema = kind_schema(&field.kind, side);
    if side == Side::Inputs {
        if let Some(rule) = &facts.rule {
            apply_rule(&mut schema, &field.kind, rule);
        }
        if let (Some(allowed), Kind::Number) = (&field.allowed, &field.kind)
            && allowed.iter().all(Value::is_number)
        {
            schema.insert("enum".into(), Value::Array(allowed.clone()));
        }
        if let Some(value) = &field.workbook_value
            && super::json_check::check(&Value::Object(schema.clone()), value).is_ok()
        {
            schema.insert("default".into(), value.clone());
        }
    }
    if side == Side::Outputs || field.nullable {
        add_null(&mut schema);
    }
    if let Some(text) = description(field) {
        schema.insert("description".into(), Value::String(text));
    }
    Value::Object(schema)
}

fn kind_schema(kind: &Kind, side: Side) -> Map<String, Value> {
    let value = match kind {
        Kind::Number => json!({"type": "number"}),
        Kind::Text if side == Side::Outputs => json!({"type": ["string", "number", "boolean"]}),
        Kind::Text => json!({"type": "string"}),
        Kind::Boolean => json!({"type": "boolean"}),
        Kind::Date => json!({"type": "string", "format": "date"}),
        Kind::Choice(options) => json!({"type": "string", "enum": options}),
        Kind::Table(columns) => {
            let properties: Map<String, Value> = columns
                .iter()
                .map(|(name, column)| {
                    let facts = InputFacts::default();
                    (name.clone(), field_schema(column, side, &facts))
                })
                .collect();
            let mut row = json!({"type": "object", "properties": properties});
            if side == Side::Inputs {
                let required: Vec<&String> = columns
                    .iter()
                    .filter(|(_, c)| !c.nullable)
                    .map(|(name, _)| name)
                    .collect();
                row["required"] = json!(required);
                row["additionalProperties"] = json!(false);
            }
            json!({"type": "array", "items": row})
        }
        Kind::Record(members) => {
            // An object-valued field (an output, in practice): its members as documented,
            // each nullable as the bindings' `Option` fields are; members Spark adds later
            // are allowed.
            let properties: Map<String, Value> = members
                .iter()
                .map(|(name, member)| {
                    let facts = InputFacts::default();
                    (name.clone(), field_schema(member, Side::Outputs, &facts))
                })
                .collect();
            json!({"type": "object", "properties": properties})
        }
        Kind::List(item) => {
            let mut items = kind_schema(item, side);
            if side == Side::Outputs {
                add_null(&mut items);
            }
            json!({"type": "array", "items": items})
        }
        Kind::Json => json!({}),
    };
    match value {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

fn apply_rule(schema: &mut Map<String, Value>, kind: &Kind, rule: &Rule) {
    let mut set = |key: &str, value: Option<Value>| {
        if let Some(v) = value {
            schema.insert(key.into(), v);
        }
    };
    match (kind, rule) {
        (Kind::Number, Rule::Number { min, max, whole }) => {
            if *whole {
                set("type", Some(json!("integer")));
            }
            set("minimum", min.map(|n| json!(n)));
            set("maximum", max.map(|n| json!(n)));
        }
        (Kind::Text, Rule::TextLength { min, max }) => {
            set("minLength", min.map(|n| json!(n)));
            set("maxLength", max.map(|n| json!(n)));
        }
        (Kind::Date, Rule::Date { min, max }) => {
            set("formatMinimum", min.clone().map(Value::String));
            set("formatMaximum", max.clone().map(Value::String));
        }
        _ => {}
    }
}

/// Makes a schema also accept `null` (in `type`, and in `enum` when there is one).
fn add_null(schema: &mut Map<String, Value>) {
    match schema.get_mut("type") {
        Some(Value::String(t)) => {
            let t = std::mem::take(t);
            schema.insert("type".into(), json!([t, "null"]));
        }
        Some(Value::Array(ts)) if !ts.contains(&json!("null")) => ts.push(json!("null")),
        _ => {}
    }
    if let Some(Value::Array(options)) = schema.get_mut("enum")
        && !options.contains(&Value::Null)
    {
        options.push(Value::Null);
    }
}

/// The Excel comment (or swagger description), then where the cell is and any list values
/// that could not become an `enum`.
fn description(field: &Resolved) -> Option<String> {
    let mut parts: Vec<String> = field.description.iter().cloned().collect();
    if let Some(location) = &field.location {
        parts.push(format!("Excel cell {location}."));
    }
    if let (Some(allowed), false) = (&field.allowed, field.kind == Kind::Number) {
        let items: Vec<String> = allowed.iter().take(20).map(Value::to_string).collect();
        parts.push(format!("Allowed values: {}.", items.join(", ")));
    }
    (!parts.is_empty()).then(|| parts.join(" "))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::service::json_check::check;

    /// The schemas of a fixture service (`tests/fixtures/<dir>`).
    fn fixture(dir: &str, service: &str) -> ServiceSchemas {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(dir);
        let docs = crate::service::load_dir(&root)
            .unwrap()
            .into_iter()
            .find(|d| d.service == service)
            .expect("fixture service");
        service_schemas(&docs).unwrap()
    }

    #[test]
    fn emulator_demo_insurance_quote_inputs() {
        let schema = fixture("emulator_demo", "insurance-quote").inputs;
        let p = &schema["properties"];
        assert_eq!(schema["type"], "object");
        assert_eq!(schema["additionalProperties"], false);
        // Every input has a workbook value (the Drivers table has rows), so none is required.
        assert_eq!(schema["required"], json!([]));
        assert_eq!(
            p["CoverLevel"]["enum"],
            json!(["Basic", "Standard", "Premium"])
        );
        assert_eq!(p["CoverLevel"]["default"], "Standard");
        assert_eq!(p["Region"]["enum"], json!(["North", "South", "City"]));
        assert_eq!(p["VehicleValue"]["type"], "integer");
        assert_eq!(p["VehicleValue"]["minimum"], 1000.0);
        assert_eq!(p["VehicleValue"]["maximum"], 200000.0);
        assert_eq!(p["VehicleValue"]["default"], 25000);
        assert_eq!(
            p["PolicyStart"],
            json!({"type": "string", "format": "date", "default": "2026-03-01", "description": "Excel cell Quote!B3."})
        );
        assert_eq!(p["HasClaims"]["type"], "boolean");
        let drivers = &p["Drivers"];
        assert_eq!(drivers["type"], "array");
        assert_eq!(drivers["items"]["type"], "object");
        assert_eq!(drivers["items"]["properties"]["Name"]["type"], "string");
        assert_eq!(drivers["items"]["properties"]["Age"]["type"], "number");
        assert_eq!(
            drivers["items"]["required"],
            json!(["Age", "Name", "Years Licensed"])
        );
        // The workbook's rows are the table's default (`field_schema` keeps a default only
        // when it satisfies the field's own schema).
        let rows = drivers["default"].as_array().expect("the workbook's rows");
        assert!(!rows.is_empty());
        let without_default = {
            let mut d = drivers.clone();
            d.as_object_mut().map(|m| m.remove("default"));
            d
        };
        assert!(check(&without_default, &drivers["default"]).is_ok());
        for row in rows {
            assert!(
                row.get("Name").is_some() && row.get("Age").is_some(),
                "{row}"
            );
        }
    }

    #[test]
    fn emulator_demo_outputs_are_nullable() {
        let schema = fixture("emulator_demo", "insurance-quote").outputs;
        let p = &schema["properties"];
        assert!(schema.get("required").is_none());
        assert_eq!(p["TotalPremium"]["type"], json!(["number", "null"]));
        assert_eq!(p["Eligible"]["type"], json!(["boolean", "null"]));
        assert_eq!(p["ExpiryDate"]["format"], "date");
        assert_eq!(
            p["RiskBand"]["type"],
            json!(["string", "number", "boolean", "null"])
        );
        let rows = &p["DriverPremiums"];
        assert_eq!(rows["type"], json!(["array", "null"]));
        assert_eq!(
            rows["items"]["properties"]["Premium"]["type"],
            json!(["number", "null"])
        );
        // The workbook's own answer (the schema document's output values) fits the schema.
        let outputs = json!({
            "DriverCount": 2, "Eligible": true, "ExpiryDate": "2027-02-28", "RiskBand": "Medium",
            "TotalPremium": 1437.5,
            "DriverPremiums": [{"Driver": "Alice", "Premium": 575, "Risk Factor": 1}],
        });
        assert_eq!(check(&schema, &outputs), Ok(()));
    }

    #[test]
    fn cylinder_bounds_and_checks() {
        let emulator = fixture("emulator_demo", "volume-cylinder").inputs;
        assert_eq!(emulator["properties"]["Radius"]["minimum"], 0.0);
        assert_eq!(emulator["properties"]["Radius"]["type"], "number");
        assert!(check(&emulator, &json!({"Radius": 2, "Height": 3})).is_ok());
        assert!(check(&emulator, &json!({})).is_ok());
        let errors = check(&emulator, &json!({"Radius": -1, "Height": "3", "Depth": 1}))
            .unwrap_err()
            .into_iter()
            .map(|v| v.to_string())
            .collect::<Vec<_>>();
        assert_eq!(
            errors,
            [
                "/Depth: unknown field \"Depth\" (known: Height, Radius)",
                "/Height: expected number, got string \"3\"",
                "/Radius: -1 is less than the minimum 0",
            ]
        );
    }

    #[test]
    fn required_nullable_rules_and_lists() {
        let field = |kind: Kind| Resolved {
            kind,
            nullable: false,
            description: None,
            location: None,
            data_type: None,
            note: None,
            workbook_value: None,
            allowed: None,
            rules: Vec::new(),
        };
        let mut facts = BTreeMap::new();
        let mut service = ResolvedService::default();
        service.inputs.insert("Must".into(), field(Kind::Number));
        service.inputs.insert(
            "Maybe".into(),
            Resolved {
                nullable: true,
                ..field(Kind::Choice(vec!["a".into()]))
            },
        );
        service.inputs.insert(
            "Code".into(),
            Resolved {
                workbook_value: Some(json!("toolong")),
                ..field(Kind::Text)
            },
        );
        facts.insert(
            "Code".to_string(),
            InputFacts {
                rule: Some(Rule::TextLength {
                    min: Some(2),
                    max: Some(4),
                }),
                has_workbook_value: true,
            },
        );
        service.inputs.insert("Day".into(), field(Kind::Date));
        facts.insert(
            "Day".to_string(),
            InputFacts {
                rule: Some(Rule::Date {
                    min: Some("2020-01-01".into()),
                    max: None,
                }),
                has_workbook_value: false,
            },
        );
        service.inputs.insert(
            "Pick".into(),
            Resolved {
                allowed: Some(vec![json!(1), json!(2)]),
                ..field(Kind::Number)
            },
        );
        service.inputs.insert(
            "Tags".into(),
            Resolved {
                allowed: Some(vec![json!(1), json!("x")]),
                ..field(Kind::List(Box::new(Kind::Text)))
            },
        );
        let schema = input_schema(&service, &facts);
        let p = &schema["properties"];
        assert_eq!(schema["required"], json!(["Day", "Must", "Pick", "Tags"]));
        assert_eq!(
            p["Maybe"],
            json!({"type": ["string", "null"], "enum": ["a", null]})
        );
        // A workbook value that breaks the rule is not advertised as the default.
        assert_eq!(
            p["Code"],
            json!({"type": "string", "minLength": 2, "maxLength": 4})
        );
        assert_eq!(p["Day"]["formatMinimum"], "2020-01-01");
        assert_eq!(p["Pick"]["enum"], json!([1, 2]));
        assert_eq!(
            p["Tags"],
            json!({"type": "array", "items": {"type": "string"}, "description": "Allowed values: 1, \"x\"."})
        );
        assert!(
            check(
                &schema,
                &json!({"Must": 1, "Day": "2021-05-05", "Pick": 2, "Tags": []})
            )
            .is_ok()
        );
        assert!(
            check(
                &schema,
                &json!({"Must": 1, "Day": "2019-05-05", "Pick": 3, "Tags": [], "Maybe": "b"})
            )
            .is_err()
        );
    }
}
