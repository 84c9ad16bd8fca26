//! Prints what the emulator makes of a workbook: its inputs, outputs and one evaluation.
//!
//! `cargo run -p cspark-emulator --example inspect_workbook -- path/to/book.xlsx ['{"Radius": 2}']`

use cspark_emulator::workbook::Workbook;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let path = args
        .next()
        .ok_or("usage: inspect_workbook FILE.xlsx [INPUTS_JSON]")?;
    let inputs: serde_json::Map<String, serde_json::Value> = match args.next() {
        Some(json) => serde_json::from_str(&json)?,
        None => serde_json::Map::new(),
    };
    let bytes = std::fs::read(&path)?;
    let name = std::path::Path::new(&path)
        .file_name()
        .map_or(path.clone(), |n| n.to_string_lossy().into_owned());
    let book = Workbook::from_xlsx(&bytes, &name)?;
    for (kind, fields) in [("input", book.inputs()), ("output", book.outputs())] {
        for f in fields {
            println!(
                "{kind:6} {:24} sub={:?} {}!{} {:?} {:?} fmt={:?} default={} validation={:?}",
                f.name,
                f.subservice,
                f.sheet,
                f.address,
                f.data_type,
                f.shape,
                f.number_format,
                f.default,
                f.validation
            );
        }
    }
    let ev = book.evaluate(&inputs, None);
    println!("outputs: {}", serde_json::Value::Object(ev.outputs));
    println!("inputs used: {}", serde_json::Value::Object(ev.inputs));
    for w in ev.warnings {
        println!("warning: {}", w.message);
    }
    for e in ev.errors {
        println!("error: {} {}", e.field, e.message);
    }
    Ok(())
}
