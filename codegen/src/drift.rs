//! Drift between two versions of a service's documents (committed versus live).
//!
//! `cspark-codegen diff --live` fetches the current documents and compares them with the
//! committed ones. The comparison is done here on documents only; fetching is the caller's job
//! (it needs the SDK client), so this module is pure and unit-tested.

use std::collections::BTreeMap;
use std::fmt;

use crate::error::Result;
use crate::service::ServiceDocs;
use crate::service::model::{Kind, Resolved, ResolvedService};

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

/// What happened to one field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChangeKind {
    /// Only in the new documents.
    Added,
    /// Only in the old documents.
    Removed,
    /// In both, with another type (as [`Kind::describe`], `?` = nullable).
    Retyped {
        /// Type before.
        old: String,
        /// Type after.
        new: String,
    },
}

/// One change, classified for a pull-request check.
///
/// **Breaking** means a caller built against the old bindings may now be refused, send
/// something Spark reads differently, or fail to decode the answer: an input added without a
/// workbook value (Spark cannot fill it in), an input or output removed or retyped, a list
/// value removed, a table column removed or retyped. **Additive** means old calls keep
/// working on the wire: an output (or output-table column) added, an input added that is
/// nullable or has a workbook value (Spark uses it when the input is left out; in Rust,
/// `Inputs { …, ..Inputs::workbook_defaults() }` keeps compiling), a list value added, an input
/// becoming nullable. Regenerated bindings may still ask for source edits where code builds
/// whole structs or matches enums exhaustively.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// `input` or `output`.
    pub side: &'static str,
    /// Wire name.
    pub field: String,
    /// What happened.
    pub kind: ChangeKind,
    /// Breaking (else additive).
    pub breaking: bool,
    /// Why, in a few words.
    pub reason: String,
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
    /// Every change above, classified as breaking or additive.
    pub changes: Vec<Change>,
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

    /// True when some change is breaking (see [`Change`] for the classification).
    pub fn is_breaking(&self) -> bool {
        self.changes().any(|c| c.breaking)
    }

    /// Every classified change, inputs first.
    pub fn changes(&self) -> impl Iterator<Item = &Change> {
        self.inputs.changes.iter().chain(&self.outputs.changes)
    }
}

fn describe(r: &Resolved) -> String {
    let mut s = r.kind.describe();
    if r.nullable {
        s.push('?');
    }
    s
}

/// True when the workbook value of an input fits its type, so Spark (and
/// `Inputs::workbook_defaults`) can fill the input in when it is left out.
fn has_default(r: &Resolved) -> bool {
    if r.nullable {
        return true;
    }
    let Some(v) = &r.workbook_value else {
        return false;
    };
    match &r.kind {
        Kind::Number => v.is_number(),
        Kind::Text => !v.is_null() && !v.is_array() && !v.is_object(),
        Kind::Boolean => v.is_boolean(),
        Kind::Date => crate::service::model::rules::date(v).is_some(),
        Kind::Choice(options) => v.as_str().is_some_and(|s| options.iter().any(|o| o == s)),
        Kind::Table(_) | Kind::List(_) => v.is_array(),
        Kind::Record(_) => v.is_object(),
        Kind::Json => true,
    }
}

/// Whether retyping `old` to `new` on `side` breaks old callers, and why.
fn retype_severity(input: bool, old: &Resolved, new: &Resolved) -> (bool, String) {
    match (&old.kind, &new.kind) {
        (a, b) if a == b => {
            // Only nullability changed.
            if input && new.nullable {
                (false, "the input became optional".into())
            } else if input {
                (true, "the input became required".into())
            } else {
                (false, "only nullability changed".into())
            }
        }
        (Kind::Choice(a), Kind::Choice(b)) => {
            let removed: Vec<&String> = a.iter().filter(|x| !b.contains(x)).collect();
            let added: Vec<&String> = b.iter().filter(|x| !a.contains(x)).collect();
            if removed.is_empty() {
                (false, format!("list value(s) added: {}", quoted(&added)))
            } else {
                (true, format!("list value(s) removed: {}", quoted(&removed)))
            }
        }
        (Kind::Table(a), Kind::Table(b)) => {
            let removed: Vec<&String> = a.keys().filter(|k| !b.contains_key(*k)).collect();
            let changed: Vec<&String> = a
                .iter()
                .filter(|(k, v)| b.get(*k).is_some_and(|w| describe(v) != describe(w)))
                .map(|(k, _)| k)
                .collect();
            let added: Vec<&String> = b.keys().filter(|k| !a.contains_key(*k)).collect();
            if !removed.is_empty() {
                (true, format!("column(s) removed: {}", quoted(&removed)))
            } else if !changed.is_empty() {
                (true, format!("column(s) retyped: {}", quoted(&changed)))
            } else if input {
                (
                    true,
                    format!("column(s) added to an input table: {}", quoted(&added)),
                )
            } else {
                (false, format!("column(s) added: {}", quoted(&added)))
            }
        }
        _ => (true, "the type changed".into()),
    }
}

fn quoted(names: &[&String]) -> String {
    names
        .iter()
        .map(|n| format!("{n:?}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn side(
    old: &BTreeMap<String, Resolved>,
    new: &BTreeMap<String, Resolved>,
    input: bool,
) -> SideDrift {
    let label = if input { "input" } else { "output" };
    let mut d = SideDrift::default();
    for (name, o) in old {
        match new.get(name) {
            None => {
                d.removed.push(name.clone());
                d.changes.push(Change {
                    side: label,
                    field: name.clone(),
                    kind: ChangeKind::Removed,
                    breaking: true,
                    reason: format!("the {label} was removed"),
                });
            }
            Some(n) => {
                let (od, nd) = (describe(o), describe(n));
                if od != nd {
                    let (breaking, reason) = retype_severity(input, o, n);
                    d.changes.push(Change {
                        side: label,
                        field: name.clone(),
                        kind: ChangeKind::Retyped {
                            old: od.clone(),
                            new: nd.clone(),
                        },
                        breaking,
                        reason,
                    });
                    d.retyped.push(Retyped {
                        name: name.clone(),
                        old: od,
                        new: nd,
                    });
                }
            }
        }
    }
    for (name, n) in new.iter().filter(|(k, _)| !old.contains_key(*k)) {
        d.added.push(name.clone());
        let (breaking, reason) = match (input, has_default(n)) {
            (false, _) => (false, "a new output".to_string()),
            (true, true) if n.nullable => (false, "a new optional input".to_string()),
            (true, true) => (
                false,
                "a new input with a workbook value (Spark uses it when the input is left out)"
                    .to_string(),
            ),
            (true, false) => (
                true,
                "a new input without a workbook value: every call must now send it".to_string(),
            ),
        };
        d.changes.push(Change {
            side: label,
            field: name.clone(),
            kind: ChangeKind::Added,
            breaking,
            reason,
        });
    }
    d
}

/// Compares two resolved services.
pub fn compare_resolved(old: &ResolvedService, new: &ResolvedService) -> Drift {
    Drift {
        inputs: side(&old.inputs, &new.inputs, true),
        outputs: side(&old.outputs, &new.outputs, false),
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
