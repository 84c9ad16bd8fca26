//! JSON Schemas of a service's inputs and outputs, from the resolved model — the same facts
//! the generated Rust types carry, for consumers that are not Rust: MCP tool descriptions
//! (`cspark mcp serve`), forms, request validation ([`super::json_check`]).
//!
//! Mapping of a [`Kind`] (draft 2020-12 keywords; anything a checker does not know is
//! ignored by JSON Schema rules):
//!
//! | kind | schema |
//! |------|--------|
//! | number | `number`, or `integer` under a "Whole number" rule; `minimum`/`maximum`; `enum` from a List of numbers |
//! | text | `string`; `minLength`/`maxLength` from a "Text length" rule; `enum` from a List of mixed values |
//! | boolean | `boolean` |
//! | date | `string` with `format: date` (`YYYY-MM-DD`); `formatMinimum`/`formatMaximum` |
//! | choice | `string` with `enum` (the List validation's values) |
//! | table | `array` of `object`s, one property per column, all columns required |
//! | list | `array` of the item kind |
//! | json | `{}` (anything) |
//!
//! **Inputs** form a closed object (`additionalProperties: false`). An input is `required`
//! unless the swagger marks it nullable or the workbook holds a value for it (Spark then
//! uses that value; a scalar one is given as `default`). Rules and workbook values are the
//! model's ([`Resolved::rules`], [`Resolved::workbook_value`]): the very ones the generated
//! `Inputs::validate()` and `Inputs::workbook_defaults()` use. **Outputs** are all nullable (Excel leaves cells empty); a
//! text output may also arrive as a number or a boolean (a text cell holding `42`), so its
//! schema admits those, as the generated bindings do.

use serde_json::{Map, Value, json};

use super::ServiceDocs;
use super::model::rules::{Rule, Ymd};
use super::model::{Kind, Resolved, ResolvedService};
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
        inputs: input_schema(&model),
        outputs: output_schema(&model),
    })
}

/// The schema of a service's `inputs` object.
pub fn input_schema(service: &ResolvedService) -> Value {
    let properties: Map<String, Value> = service
        .inputs
        .iter()
        .map(|(name, field)| (name.clone(), field_schema(field, Side::Inputs)))
        .collect();
    let required: Vec<&String> = service
        .inputs
        .iter()
        .filter(|(_, f)| !f.nullable && !is_value(f.workbook_value.as_ref()))
        .map(|(name, _)| name)
        .collect();
    json!({
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": false,
    })
}

/// A workbook value Spark would use for an omitted input: not `null`, `""` or an empty
/// table.
fn is_value(v: Option<&Value>) -> bool {
    match v {
        None | Some(Value::Null) => false,
        Some(Value::String(s)) => !s.is_empty(),
        Some(Value::Array(rows)) => !rows.is_empty(),
        Some(_) => true,
    }
}

/// The schema of a service's `outputs` object.
pub fn output_schema(service: &ResolvedService) -> Value {
    let properties: Map<String, Value> = service
        .outputs
        .iter()
        .map(|(name, field)| (name.clone(), field_schema(field, Side::Outputs)))
        .collect();
    json!({"type": "object", "properties": properties})
}

/// The schema of one field (input, output or table column); its rules and workbook value
/// apply to inputs.
pub fn field_schema(field: &Resolved, side: Side) -> Value {
    let mut schema = kind_schema(&field.kind, side);
    if side == Side::Inputs {
        for rule in &field.rules {
            apply_rule(&mut schema, rule);
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
                .map(|(name, column)| (name.clone(), field_schema(column, side)))
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
                .map(|(name, member)| (name.clone(), field_schema(member, Side::Outputs)))
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

/// A rule of the model in JSON Schema terms (the model keeps only rules that fit the
/// field's kind).
fn apply_rule(schema: &mut Map<String, Value>, rule: &Rule) {
    let mut set = |key: &str, value: Option<Value>| {
        if let Some(v) = value {
            schema.insert(key.into(), v);
        }
    };
    let day = |d: &Option<Ymd>| d.map(|(y, m, d)| json!(format!("{y:04}-{m:02}-{d:02}")));
    match rule {
        Rule::Whole(min, max) | Rule::Decimal(min, max) => {
            if matches!(rule, Rule::Whole(..)) {
                set("type", Some(json!("integer")));
            }
            set("minimum", min.map(|n| json!(n)));
            set("maximum", max.map(|n| json!(n)));
        }
        Rule::TextLength(min, max) => {
            set("minLength", min.map(|n| json!(n)));
            set("maxLength", max.map(|n| json!(n)));
        }
        Rule::Date(min, max) => {
            set("formatMinimum", day(min));
            set("formatMaximum", day(max));
        }
        Rule::NumberList(values) => {
            // Whole values as integers (`[1, 2.5]`, not `[1.0, 2.5]`), as a reader expects.
            let values: Vec<Value> = values
                .iter()
                .map(|x| match *x {
                    x if x.fract() == 0.0 && x.abs() < 9.0e15 => json!(x as i64),
                    x => json!(x),
                })
                .collect();
            set("enum", Some(Value::Array(values)));
        }
        Rule::TextList(values) => set("enum", Some(json!(values))),
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
                rules: vec![Rule::TextLength(Some(2), Some(4))],
                ..field(Kind::Text)
            },
        );
        service.inputs.insert(
            "Day".into(),
            Resolved {
                rules: vec![Rule::Date(Some((2020, 1, 1)), None)],
                ..field(Kind::Date)
            },
        );
        service.inputs.insert(
            "Pick".into(),
            Resolved {
                allowed: Some(vec![json!(1), json!(2.5)]),
                rules: vec![Rule::NumberList(vec![1.0, 2.5])],
                ..field(Kind::Number)
            },
        );
        service.inputs.insert(
            "Size".into(),
            Resolved {
                workbook_value: Some(json!("")),
                allowed: Some(vec![json!("S"), json!(10)]),
                rules: vec![Rule::TextList(vec!["S".into(), "10".into()])],
                ..field(Kind::Text)
            },
        );
        service.inputs.insert(
            "Count".into(),
            Resolved {
                workbook_value: Some(json!(3)),
                rules: vec![Rule::Whole(Some(0.0), None)],
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
        let schema = input_schema(&service);
        let p = &schema["properties"];
        // An empty text is no workbook value: `Size` stays required.
        assert_eq!(
            schema["required"],
            json!(["Day", "Must", "Pick", "Size", "Tags"])
        );
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
        assert_eq!(p["Pick"]["enum"], json!([1, 2.5]));
        assert_eq!(
            p["Count"],
            json!({"type": "integer", "minimum": 0.0, "default": 3})
        );
        assert_eq!(p["Size"]["enum"], json!(["S", "10"]));
        assert_eq!(
            p["Tags"],
            json!({"type": "array", "items": {"type": "string"}, "description": "Allowed values: 1, \"x\"."})
        );
        assert!(
            check(
                &schema,
                &json!({"Must": 1, "Day": "2021-05-05", "Pick": 2.5, "Size": "10", "Tags": []})
            )
            .is_ok()
        );
        assert!(
            check(
                &schema,
                &json!({"Must": 1, "Day": "2021-05-05", "Pick": 1, "Size": "M", "Tags": []})
            )
            .is_err()
        );
        assert!(
            check(
                &schema,
                &json!({"Must": 1, "Day": "2019-05-05", "Pick": 3, "Size": "S", "Tags": [], "Maybe": "b"})
            )
            .is_err()
        );
    }
}
