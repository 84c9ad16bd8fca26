//! Criterion bench: µs per `Workbook::evaluate` for each demo workbook (filled in below).
fn main() {}
