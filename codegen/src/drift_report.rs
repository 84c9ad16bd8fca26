//! `diff --report json|markdown`: a drift report for machines and for a pull-request comment.
//!
//! Both forms list every service compared and every change with its classification
//! ([`crate::drift::Change`]: breaking or additive). The exit status does not depend on the
//! format: 1 whenever anything drifted, breaking or not.

use serde_json::{Value, json};

use crate::drift::{Change, ChangeKind};
use crate::fetch::ServiceDrift;

/// The output format of `diff` (`--report`): `Text` (one line per change), `Json`
/// ([`to_json`]) or `Markdown` ([`to_markdown`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
pub enum DiffFormat {
    /// One line per change (`+`, `-`, `~`), as before.
    #[default]
    Text,
    /// One JSON document (see [`to_json`]).
    Json,
    /// A Markdown summary and table, for a pull-request comment (see [`to_markdown`]).
    Markdown,
}

/// Breaking and additive change counts over all services (a removed service counts as one
/// breaking change, an added one as one additive change).
fn counts(drifts: &[ServiceDrift]) -> (usize, usize) {
    let mut breaking = 0;
    let mut additive = 0;
    for d in drifts {
        match d {
            ServiceDrift::Removed(_) => breaking += 1,
            ServiceDrift::Added(_) => additive += 1,
            ServiceDrift::Changed { drift, .. } => {
                for c in drift.changes() {
                    if c.breaking {
                        breaking += 1;
                    } else {
                        additive += 1;
                    }
                }
            }
        }
    }
    (breaking, additive)
}

fn change_json(c: &Change) -> Value {
    let mut v = json!({
        "side": c.side,
        "field": c.field,
        "severity": if c.breaking { "breaking" } else { "additive" },
        "reason": c.reason,
    });
    match &c.kind {
        ChangeKind::Added => v["change"] = json!("added"),
        ChangeKind::Removed => v["change"] = json!("removed"),
        ChangeKind::Retyped { old, new } => {
            v["change"] = json!("retyped");
            v["old"] = json!(old);
            v["new"] = json!(new);
        }
    }
    v
}

/// The JSON form:
///
/// ```json
/// {"drift": true, "breaking": 1, "additive": 1,
///  "services": [{"service": "demo/loan-calc", "status": "changed", "severity": "breaking",
///    "changes": [{"side": "input", "field": "Years", "change": "retyped", "old": "number",
///      "new": "text", "severity": "breaking", "reason": "the type changed"}]}]}
/// ```
///
/// `status` is `unchanged`, `changed`, `added` or `removed`; `severity` is `breaking`,
/// `additive` or `none`.
pub fn to_json(drifts: &[ServiceDrift]) -> Value {
    let (breaking, additive) = counts(drifts);
    let services: Vec<Value> = drifts
        .iter()
        .map(|d| match d {
            ServiceDrift::Added(s) => json!({
                "service": s, "status": "added", "severity": "additive", "changes": [],
            }),
            ServiceDrift::Removed(s) => json!({
                "service": s, "status": "removed", "severity": "breaking", "changes": [],
            }),
            ServiceDrift::Changed { service, drift } => {
                let (status, severity) = match (drift.is_empty(), drift.is_breaking()) {
                    (true, _) => ("unchanged", "none"),
                    (false, true) => ("changed", "breaking"),
                    (false, false) => ("changed", "additive"),
                };
                json!({
                    "service": service,
                    "status": status,
                    "severity": severity,
                    "changes": drift.changes().map(change_json).collect::<Vec<_>>(),
                })
            }
        })
        .collect();
    json!({
        "drift": drifts.iter().any(ServiceDrift::is_drift),
        "breaking": breaking,
        "additive": additive,
        "services": services,
    })
}

/// Text for a Markdown table cell: no line breaks, pipes escaped.
fn cell(s: &str) -> String {
    s.replace(['\r', '\n'], " ").replace('|', "\\|")
}

/// An inline code span that survives backticks in the name.
fn code(s: &str) -> String {
    let s = cell(s);
    if s.contains('`') {
        format!("`` {s} ``")
    } else {
        format!("`{s}`")
    }
}

/// The Markdown form: a heading, a one-line summary, then one table per service that
/// drifted, breaking changes first.
pub fn to_markdown(drifts: &[ServiceDrift]) -> String {
    let (breaking, additive) = counts(drifts);
    let drifted = drifts.iter().filter(|d| d.is_drift()).count();
    let mut out = String::from("## Spark service drift\n\n");
    if drifted == 0 {
        out.push_str(&format!(
            "No drift: the committed documents match all {} service(s).\n",
            drifts.len()
        ));
        return out;
    }
    let verdict = if breaking > 0 {
        "**Breaking**"
    } else {
        "Additive only"
    };
    out.push_str(&format!(
        "{verdict}: {breaking} breaking and {additive} additive change(s) in {drifted} of {} service(s).\n",
        drifts.len()
    ));
    for d in drifts {
        match d {
            ServiceDrift::Added(s) => {
                out.push_str(&format!("\n### {} (new service): additive\n", code(s)));
            }
            ServiceDrift::Removed(s) => {
                out.push_str(&format!(
                    "\n### {} (service removed): **breaking**\n",
                    code(s)
                ));
            }
            ServiceDrift::Changed { drift, .. } if drift.is_empty() => {}
            ServiceDrift::Changed { service, drift } => {
                let severity = if drift.is_breaking() {
                    "**breaking**"
                } else {
                    "additive"
                };
                out.push_str(&format!("\n### {}: {severity}\n\n", code(service)));
                out.push_str("| Severity | Side | Field | Change | Why |\n");
                out.push_str("|---|---|---|---|---|\n");
                let mut changes: Vec<&Change> = drift.changes().collect();
                changes.sort_by_key(|c| !c.breaking);
                for c in changes {
                    let what = match &c.kind {
                        ChangeKind::Added => "added".to_string(),
                        ChangeKind::Removed => "removed".to_string(),
                        ChangeKind::Retyped { old, new } => {
                            format!("retyped {} → {}", code(old), code(new))
                        }
                    };
                    out.push_str(&format!(
                        "| {} | {} | {} | {} | {} |\n",
                        if c.breaking {
                            "**breaking**"
                        } else {
                            "additive"
                        },
                        c.side,
                        code(&c.field),
                        what,
                        cell(&c.reason),
                    ));
                }
            }
        }
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use crate::service::ServiceDocs;
    use serde_json::json;

    fn docs(inputs: Value, outputs: Value) -> ServiceDocs {
        ServiceDocs {
            folder: "f".into(),
            service: "s".into(),
            schema: Some(json!({"xlInputs": inputs, "xOutput": outputs})),
            ..Default::default()
        }
    }

    fn drift(old: &ServiceDocs, new: &ServiceDocs) -> Vec<ServiceDrift> {
        vec![ServiceDrift::Changed {
            service: "f/s".into(),
            drift: crate::drift::compare(old, new).unwrap(),
        }]
    }

    #[test]
    fn classification_in_both_forms() {
        let old = docs(
            json!([
                {"name": "Mode", "dataType": "TEXT", "validation": {"validation_allow": "List", "options": ["a", "b"]}},
                {"name": "Gone", "dataType": "NUMBER"},
            ]),
            json!([{"name": "Y", "dataType": "NUMBER"}]),
        );
        let new = docs(
            json!([
                {"name": "Mode", "dataType": "TEXT", "validation": {"validation_allow": "List", "options": ["a", "b", "c"]}},
                {"name": "WithValue", "dataType": "NUMBER", "value": 3},
                {"name": "NoValue", "dataType": "NUMBER"},
            ]),
            json!([{"name": "Y", "dataType": "NUMBER"}, {"name": "Z|z", "dataType": "TEXT"}]),
        );
        let drifts = drift(&old, &new);
        let v = to_json(&drifts);
        assert_eq!(
            (v["breaking"].as_u64(), v["additive"].as_u64()),
            (Some(2), Some(3))
        );
        let changes = v["services"][0]["changes"].as_array().unwrap();
        let find = |field: &str| {
            changes
                .iter()
                .find(|c| c["field"] == field)
                .unwrap_or_else(|| panic!("{field} in {v}"))
        };
        assert_eq!(find("Mode")["severity"], "additive");
        assert_eq!(find("Mode")["change"], "retyped");
        assert_eq!(find("WithValue")["severity"], "additive");
        assert_eq!(find("NoValue")["severity"], "breaking");
        assert_eq!(find("Gone")["change"], "removed");
        assert_eq!(find("Z|z")["side"], "output");
        assert_eq!(v["services"][0]["severity"], "breaking");

        let md = to_markdown(&drifts);
        assert!(
            md.contains("**Breaking**: 2 breaking and 3 additive"),
            "{md}"
        );
        assert!(
            md.contains("| **breaking** | input | `NoValue` | added |"),
            "{md}"
        );
        assert!(
            md.contains("| additive | output | `Z\\|z` | added |"),
            "{md}"
        );
        // Breaking rows come first.
        assert!(
            md.find("`Gone`").unwrap() < md.find("`Mode`").unwrap(),
            "{md}"
        );

        // Removing a list value is breaking.
        let drifts = drift(&new, &old);
        assert_eq!(
            to_json(&drifts)["services"][0]["changes"][0]["severity"],
            "breaking"
        );
    }

    #[test]
    fn no_drift() {
        let a = docs(json!([{"name": "x", "dataType": "NUMBER"}]), json!([]));
        let drifts = drift(&a, &a);
        assert_eq!(to_json(&drifts)["drift"], false);
        assert_eq!(to_json(&drifts)["services"][0]["status"], "unchanged");
        assert!(to_markdown(&drifts).contains("No drift"));
    }
}
