//! `TEXTJOIN` and `CONCAT`, rewritten at load as `REDUCE` folds the engine evaluates as Excel.
//!
//! IronCalc 0.9.1's `TEXTJOIN` / `CONCAT` take ranges but not arrays (`#N/IMPL!` for
//! `TEXTJOIN(",", TRUE, IF(r>1, r, ""))`, the usual way to join a filtered list), and its
//! `TEXTJOIN` with `ignore_empty` TRUE keeps empty strings that Excel drops. Its `REDUCE` and
//! `LAMBDA` handle ranges, arrays and scalars alike, so each call is rewritten:
//!
//! * `CONCAT(a, b…)` → `REDUCE(REDUCE("", a, L), b, L)` with `L = LAMBDA(acc, v, acc & v)`;
//! * `TEXTJOIN(d, TRUE, a…)` → the same fold with `L` skipping empty values and putting `d`
//!   between the others;
//! * `TEXTJOIN(d, FALSE, a…)` → the fold with `d` before every value, its first `d` cut off
//!   with `MID`; an `ignore_empty` that is not a literal chooses between both with `IF`.

use ironcalc::base::Model;

/// Lambda parameter names (unlikely to clash with a workbook's defined names).
const ACC: &str = "cspark_acc";
const VAL: &str = "cspark_val";

/// Position of the `)` matching the `(` just before `start`, and the top-level arguments
/// between, or `None` if the parentheses do not balance.
fn split_args(text: &str, start: usize) -> Option<(Vec<String>, usize)> {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut in_string = false;
    let mut in_quote = false;
    let mut args = Vec::new();
    let mut from = start;
    let mut i = start;
    while i < bytes.len() {
        let c = bytes[i];
        if in_string {
            if c == b'"' {
                in_string = false;
            }
        } else if in_quote {
            if c == b'\'' {
                in_quote = false;
            }
        } else {
            match c {
                b'"' => in_string = true,
                b'\'' => in_quote = true,
                b'(' | b'{' => depth += 1,
                b')' | b'}' if depth > 0 => depth -= 1,
                b')' => {
                    args.push(text[from..i].trim().to_string());
                    return Some((args, i));
                }
                b',' if depth == 0 => {
                    args.push(text[from..i].trim().to_string());
                    from = i + 1;
                }
                _ => {}
            }
        }
        i += 1;
    }
    None
}

fn fold(values: &[String], lambda: &str) -> String {
    let mut acc = "\"\"".to_string();
    for value in values.iter().filter(|v| !v.is_empty()) {
        acc = format!("REDUCE({acc},{value},{lambda})");
    }
    acc
}

fn concat(values: &[String]) -> String {
    fold(values, &format!("LAMBDA({ACC},{VAL},{ACC}&{VAL})"))
}

fn textjoin(args: &[String]) -> Option<String> {
    let [delimiter, ignore, values @ ..] = args else {
        return None;
    };
    if values.is_empty() {
        return None;
    }
    let d = format!("({delimiter})");
    let skipping = fold(
        values,
        &format!("LAMBDA({ACC},{VAL},IF({VAL}=\"\",{ACC},IF({ACC}=\"\",{VAL},{ACC}&{d}&{VAL})))"),
    );
    let keeping = format!(
        "MID({},LEN({d})+1,32767)",
        fold(values, &format!("LAMBDA({ACC},{VAL},{ACC}&{d}&{VAL})"))
    );
    Some(match ignore.to_ascii_uppercase().as_str() {
        "TRUE" | "1" => skipping,
        "FALSE" | "0" | "" => keeping,
        _ => format!("IF({ignore},{skipping},{keeping})"),
    })
}

/// The formula with every `TEXTJOIN` / `CONCAT` call rewritten (nested calls too), or `None`
/// when it has none or one cannot be read.
pub(crate) fn rewrite(formula: &str) -> Option<String> {
    let upper = formula.to_ascii_uppercase();
    if !upper.contains("TEXTJOIN(") && !upper.contains("CONCAT(") {
        return None;
    }
    let bytes = formula.as_bytes();
    let mut out = String::with_capacity(formula.len() * 2);
    let mut i = 0;
    let mut in_string = false;
    let mut changed = false;
    while i < formula.len() {
        let c = bytes[i];
        if in_string {
            if c == b'"' {
                in_string = false;
            }
            out.push(c as char);
            i += 1;
            continue;
        }
        let boundary = i == 0 || !(bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'_');
        let rest = &upper[i..];
        let prefix = if rest.starts_with("_XLFN.") { 6 } else { 0 };
        let name = if rest[prefix..].starts_with("TEXTJOIN(") {
            Some("TEXTJOIN")
        } else if rest[prefix..].starts_with("CONCAT(") {
            Some("CONCAT")
        } else {
            None
        };
        if let (true, Some(name)) = (boundary, name) {
            let open = i + prefix + name.len() + 1;
            let (args, close) = split_args(formula, open)?;
            let args: Vec<String> = args
                .iter()
                .map(|a| rewrite(a).unwrap_or_else(|| a.clone()))
                .collect();
            let replaced = if name == "CONCAT" {
                concat(&args)
            } else {
                textjoin(&args)?
            };
            out.push_str(&replaced);
            changed = true;
            i = close + 1;
            continue;
        }
        if c == b'"' {
            in_string = true;
        }
        // Copy one whole UTF-8 character.
        let width = formula[i..].chars().next().map_or(1, char::len_utf8);
        out.push_str(&formula[i..i + width]);
        i += width;
    }
    changed.then_some(out)
}

/// Rewrites every `TEXTJOIN` / `CONCAT` formula cell of the model (before it is evaluated).
pub(crate) fn rewrite_joins(model: &mut Model<'static>) -> Result<(), String> {
    let mut edits = Vec::new();
    for index in model.get_all_cells() {
        let Ok(Some(formula)) = model.get_cell_formula(index.index, index.row, index.column) else {
            continue;
        };
        if let Some(new) = rewrite(&formula) {
            edits.push((index, new));
        }
    }
    for (index, formula) in edits {
        let formula = if formula.starts_with('=') {
            formula
        } else {
            format!("={formula}")
        };
        model.set_user_input(index.index, index.row, index.column, formula)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rewrites_calls() {
        assert_eq!(rewrite("=SUM(A1:A3)"), None);
        assert_eq!(rewrite("=CONCATENATE(A1,B1)"), None);
        assert_eq!(
            rewrite("=CONCAT(A1:A2,\"x\")").as_deref(),
            Some(
                "=REDUCE(REDUCE(\"\",A1:A2,LAMBDA(cspark_acc,cspark_val,cspark_acc&cspark_val)),\"x\",LAMBDA(cspark_acc,cspark_val,cspark_acc&cspark_val))"
            )
        );
        let nested =
            rewrite("=\"TEXTJOIN(\"&_xlfn.TEXTJOIN(\",\",FALSE,CONCAT(B1:B2))").unwrap_or_default();
        assert!(
            nested.starts_with("=\"TEXTJOIN(\"&MID(REDUCE(\"\",REDUCE("),
            "{nested}"
        );
        assert!(!nested.contains("CONCAT("), "{nested}");
        assert_eq!(rewrite("=TEXTJOIN(\",\",TRUE)"), None);
        assert_eq!(rewrite("=TEXTJOIN(\",\",TRUE,A1"), None);
    }
}
