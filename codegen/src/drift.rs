//! Drift between two versions of a service's documents (committed versus live).
//!
//! `cspark-codegen diff --live` fetches the current documents and compares them with the
//! committed ones. The comparison is done here on documents only; fetching is the caller's job
//! (it needs the SDK client), so this module is pure and unit-tested.

use std::collections::BTreeMap;
use std::fmt;

use crate::error::Result;
use crate::service::ServiceDocs;
use crate::service::model::{Resolved, ResolvedService};

/// A field whose type changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Retyped {
    /// Wire name (table columns as `table.column`).
    pub name: String,
    /// Type before, as [`crate::service::model::Kind::describe`] (`?` = nullable).
    pub old: String,
    /// Type after.
    pub new: String,
}

/// Changes on one side (inputs or outputs).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SideDrift {
    /// Fields only in the new documents.
    pub added: Vec<String>,
    /// Fields only in the old documents.
    pub removed: Vec<String>,
    /// Fields in both with a different type.
    pub retyped: Vec<Retyped>,
}

impl SideDrift {
    /// True when nothing changed.
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty() && self.retyped.is_empty()
    }
}

/// Everything that differs between two versions of a service.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Drift {
    /// Input changes.
    pub inputs: SideDrift,
    /// Output changes.
    pub outputs: SideDrift,
}

impl Drift {
    /// True when the typed bindings would not change.
    pub fn is_empty(&self) -> bool {
        self.inputs.is_empty() && self.outputs.is_empty()
    }

    /// True when code written against the old bindings may stop compiling or deserialising:
    /// something was removed or retyped, or an input was added (every `Inputs` field is
    /// required in the generated struct).
    pub fn is_breaking(&self) -> bool {
        !self.inputs.is_empty()
            || !self.outputs.removed.is_empty()
            || !self.outputs.retyped.is_empty()
    }
}

fn describe(r: &Resolved) -> String {
    let mut s = r.kind.describe();
    if r.nullable {
        s.push('?');
    }
    s
}

fn side(old: &BTreeMap<String, Resolved>, new: &BTreeMap<String, Resolved>) -> SideDrift {
    let mut d = SideDrift::default();
    for (name, o) in old {
        match new.get(name) {
            None => d.removed.push(name.clone()),
            Some(n) => {
                let (od, nd) = (describe(o), describe(n));
                if od != nd {
                    d.retyped.push(Retyped {
                        name: name.clone(),
                        old: od,
                        new: nd,
                    });
                }
            }
        }
    }
    d.added = new
        .keys()
        .filter(|k| !old.contains_key(*k))
        .cloned()
        .collect();
    d
}

/// Compares two resolved services.
pub fn compare_resolved(old: &ResolvedService, new: &ResolvedService) -> Drift {
    Drift {
        inputs: side(&old.inputs, &new.inputs),
        outputs: side(&old.outputs, &new.outputs),
    }
}

/// Compares two versions of a service's documents.
///
/// Untypable fields are compared as `json` rather than failing, so a drift report is always
/// produced.
pub fn compare(old: &ServiceDocs, new: &ServiceDocs) -> Result<Drift> {
    Ok(compare_resolved(&old.resolve(true)?, &new.resolve(true)?))
}

impl fmt::Display for Drift {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_empty() {
            return writeln!(f, "no drift");
        }
        for (label, s) in [("input", &self.inputs), ("output", &self.outputs)] {
            for a in &s.added {
                writeln!(f, "+ {label} {a:?}")?;
            }
            for r in &s.removed {
                writeln!(f, "- {label} {r:?}")?;
            }
            for t in &s.retyped {
                writeln!(f, "~ {label} {:?}: {} -> {}", t.name, t.old, t.new)?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    fn schema(inputs: &[(&str, &str)], outputs: &[(&str, &str)]) -> Value {
        let cells = |list: &[(&str, &str)]| -> Vec<Value> {
            list.iter()
                .map(|(n, t)| json!({"name": n, "dataType": t}))
                .collect()
        };
        json!({"xlInputs": cells(inputs), "xOutput": cells(outputs)})
    }

    fn docs(schema: Value) -> ServiceDocs {
        ServiceDocs {
            folder: "f".into(),
            service: "s".into(),
            schema: Some(schema),
            ..Default::default()
        }
    }

    #[test]
    fn identical_documents_have_no_drift() {
        let a = docs(schema(&[("x", "NUMBER")], &[("y", "TEXT")]));
        let d = compare(&a, &a).unwrap();
        assert!(d.is_empty() && !d.is_breaking());
        assert_eq!(d.to_string(), "no drift\n");
    }

    #[test]
    fn added_removed_retyped() {
        let old = docs(schema(
            &[("x", "NUMBER"), ("gone", "TEXT")],
            &[("y", "TEXT"), ("z", "NUMBER")],
        ));
        let new = docs(schema(
            &[("x", "DATE"), ("fresh", "BOOLEAN")],
            &[("y", "TEXT"), ("w", "NUMBER")],
        ));
        let d = compare(&old, &new).unwrap();
        assert_eq!(d.inputs.added, vec!["fresh"]);
        assert_eq!(d.inputs.removed, vec!["gone"]);
        assert_eq!(
            d.inputs.retyped,
            vec![Retyped {
                name: "x".into(),
                old: "number".into(),
                new: "date".into()
            }]
        );
        assert_eq!(d.outputs.added, vec!["w"]);
        assert_eq!(d.outputs.removed, vec!["z"]);
        assert!(d.is_breaking());
        let text = d.to_string();
        assert!(text.contains("~ input \"x\": number -> date"), "{text}");
        assert!(text.contains("- output \"z\""), "{text}");
    }

    #[test]
    fn only_added_outputs_is_not_breaking() {
        let old = docs(schema(&[], &[("y", "TEXT")]));
        let new = docs(schema(&[], &[("y", "TEXT"), ("w", "NUMBER")]));
        let d = compare(&old, &new).unwrap();
        assert!(!d.is_empty() && !d.is_breaking());
    }

    #[test]
    fn table_columns_and_choices_are_compared() {
        let swagger = |col_type: &str, options: Value| {
            json!({"paths": {"/t/api/v3/folders/f/services/s/execute": {"post": {
                "parameters": [{"in": "body", "name": "request", "schema": {"type": "object", "properties": {
                    "request_data": {"type": "object", "properties": {"inputs": {"type": "object", "properties": {
                        "mode": {"type": "string", "enum": options},
                        "tbl": {"type": "array", "items": {"type": "object", "properties": {"c": {"type": col_type}}}}
                    }}}}}}}],
                "responses": {"200": {"schema": {"type": "object"}}}
            }}}})
        };
        let mk = |s: Value| ServiceDocs {
            folder: "f".into(),
            service: "s".into(),
            swagger: Some(s),
            ..Default::default()
        };
        let d = compare(
            &mk(swagger("number", json!(["a", "b"]))),
            &mk(swagger("string", json!(["a", "c"]))),
        )
        .unwrap();
        let names: Vec<&str> = d.inputs.retyped.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, vec!["mode", "tbl"]);
        assert_eq!(d.inputs.retyped[1].new, "table{c: text}");
    }
}
