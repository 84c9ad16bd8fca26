//! Function coverage: a workbook of the functions pricing and banking models use (lookup,
//! financial, date, statistical, text, logical, math, engineering), evaluated on several input
//! sets and compared with values LibreOffice computed for the same workbook.
//!
//! The expected values (`fixtures/functions_expected.json`) come from
//! `conformance/functions_expected.sh`, which writes the workbook of each input set through
//! the ignored test `write_function_workbooks` below, recalculates it with LibreOffice headless
//! and records every cell. The match rate and the remaining gaps are in `emulator/README.md`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use cspark_emulator::workbook::Workbook;
use rust_xlsxwriter::{Format, Workbook as XlsxBook};
use serde_json::{Map, Value, json};

/// The input sets: number X, number Y, date D (Excel serial), text T.
const INPUT_SETS: [(f64, f64, f64, &str); 3] = [
    (5.0, 3.0, 45322.0, "Hello World"),     // 2024-01-31
    (12.5, 0.25, 45092.0, "pricing model"), // 2023-06-15
    (-2.0, 7.0, 43890.0, " a-b-c "),        // 2020-02-29
];

/// Output name → formula. X = $B$1, Y = $B$2, D = $B$3, T = $B$4; a rate table D2:F6
/// (Age 20…60, Rate, Label) and cash flows H2:H5 dated I2:I5.
const FORMULAS: &[(&str, &str)] = &[
    // Math
    ("abs", "ABS($B$1)"),
    ("sign", "SIGN($B$1)"),
    ("round", "ROUND($B$1*1.2345,2)"),
    ("roundup", "ROUNDUP($B$1/3,1)"),
    ("rounddown", "ROUNDDOWN($B$1/3,1)"),
    ("int", "INT($B$1/3)"),
    ("trunc", "TRUNC($B$1/3)"),
    ("mod", "MOD($B$1,3)"),
    ("quotient", "QUOTIENT($B$1*7,3)"),
    ("power", "POWER(ABS($B$1),$B$2)"),
    ("sqrt", "SQRT(ABS($B$1))"),
    ("exp", "EXP($B$2/10)"),
    ("ln", "LN(ABS($B$1)+1)"),
    ("log", "LOG(ABS($B$1)+1,2)"),
    ("log10", "LOG10(ABS($B$1)+1)"),
    ("ceiling_math", "CEILING.MATH($B$1,0.5)"),
    ("floor_math", "FLOOR.MATH($B$1,0.5)"),
    ("mround", "MROUND(ABS($B$1),0.3)"),
    ("even", "EVEN($B$1)"),
    ("odd", "ODD($B$1)"),
    ("fact", "FACT(3+INT(ABS($B$2)))"),
    ("combin", "COMBIN(10,3)"),
    ("permut", "PERMUT(10,3)"),
    ("gcd", "GCD(12,18)"),
    ("lcm", "LCM(4,6)"),
    ("pi", "PI()*$B$1"),
    ("sumproduct", "SUMPRODUCT($E$2:$E$6,$D$2:$D$6)"),
    ("sumif", "SUMIF($D$2:$D$6,\">\"&ABS($B$1)*5,$E$2:$E$6)"),
    (
        "sumifs",
        "SUMIFS($E$2:$E$6,$D$2:$D$6,\">=30\",$D$2:$D$6,\"<=50\")",
    ),
    ("product", "PRODUCT($B$1,$B$2)"),
    ("sumsq", "SUMSQ($B$1,$B$2)"),
    ("sum", "SUM($B$1,$B$2,$E$2:$E$6)"),
    ("subtotal", "SUBTOTAL(9,$E$2:$E$6)"),
    // Statistical
    ("max", "MAX($B$1,$B$2,3)"),
    ("min", "MIN($B$1,$B$2,3)"),
    ("average", "AVERAGE($B$1,$B$2,3)"),
    ("median", "MEDIAN($B$1,$B$2,3,10)"),
    ("count", "COUNT($D$1:$F$6)"),
    ("counta", "COUNTA($D$1:$F$6)"),
    ("countblank", "COUNTBLANK($K$1:$K$4)"),
    ("countif", "COUNTIF($E$2:$E$6,\">0.003\")"),
    (
        "countifs",
        "COUNTIFS($D$2:$D$6,\">25\",$E$2:$E$6,\"<0.01\")",
    ),
    ("averageif", "AVERAGEIF($D$2:$D$6,\">25\",$E$2:$E$6)"),
    ("maxifs", "MAXIFS($E$2:$E$6,$D$2:$D$6,\"<45\")"),
    ("minifs", "MINIFS($E$2:$E$6,$D$2:$D$6,\">25\")"),
    ("large", "LARGE($E$2:$E$6,2)"),
    ("small", "SMALL($E$2:$E$6,2)"),
    ("rank", "RANK(40,$D$2:$D$6)"),
    ("stdev", "STDEV($D$2:$D$6)"),
    ("stdev_p", "STDEV.P($D$2:$D$6)"),
    ("var", "VAR($D$2:$D$6)"),
    ("var_p", "VAR.P($D$2:$D$6)"),
    ("percentile", "PERCENTILE($D$2:$D$6,0.3)"),
    ("quartile", "QUARTILE($D$2:$D$6,1)"),
    ("norm_s_dist", "NORM.S.DIST($B$2/10,TRUE)"),
    ("normsdist", "NORMSDIST($B$1/10)"),
    ("norm_dist", "NORM.DIST($B$1,3,2,TRUE)"),
    ("norm_inv", "NORM.INV(0.9,$B$1,2)"),
    ("norm_s_inv", "NORM.S.INV(0.975)"),
    ("correl", "CORREL($D$2:$D$6,$E$2:$E$6)"),
    ("slope", "SLOPE($E$2:$E$6,$D$2:$D$6)"),
    ("intercept", "INTERCEPT($E$2:$E$6,$D$2:$D$6)"),
    ("geomean", "GEOMEAN($D$2:$D$6)"),
    ("mode", "MODE(1,2,2,3,$B$1)"),
    // Financial
    ("pmt", "PMT(ABS($B$2)/100/12,240,-1000*ABS($B$1))"),
    ("pv", "PV(0.05,10,-ABS($B$1)*100)"),
    ("fv", "FV(0.04,10,-ABS($B$1)*100)"),
    ("nper", "NPER(0.01,-100,ABS($B$1)*1000)"),
    ("rate", "RATE(60,-ABS($B$1)*30,1000)"),
    ("npv", "NPV(0.05,$B$1,$B$2,10)"),
    ("irr", "IRR($H$2:$H$5)"),
    ("xnpv", "XNPV(0.05,$H$2:$H$5,$I$2:$I$5)"),
    ("xirr", "XIRR($H$2:$H$5,$I$2:$I$5)"),
    ("ipmt", "IPMT(0.01,1,12,-1000*ABS($B$1))"),
    ("ppmt", "PPMT(0.01,1,12,-1000*ABS($B$1))"),
    ("cumipmt", "CUMIPMT(0.01,12,1000,1,12,0)"),
    ("cumprinc", "CUMPRINC(0.01,12,1000,1,12,0)"),
    ("effect", "EFFECT(0.05+ABS($B$2)/100,12)"),
    ("nominal", "NOMINAL(0.06,12)"),
    ("sln", "SLN(1000,100,5+ABS($B$1))"),
    ("db", "DB(1000,100,5,1)"),
    ("ddb", "DDB(1000,100,5,1)"),
    ("syd", "SYD(1000,100,5,2)"),
    ("fvschedule", "FVSCHEDULE(1000,$E$2:$E$6)"),
    // Date and time
    ("date", "DATE(2024,1,31)+ABS($B$1)"),
    ("year", "YEAR($B$3)"),
    ("month", "MONTH($B$3)"),
    ("day", "DAY($B$3)"),
    ("edate", "EDATE($B$3,1)"),
    ("eomonth", "EOMONTH($B$3,1)"),
    ("datedif", "DATEDIF($B$3,DATE(2030,1,1),\"m\")"),
    ("yearfrac", "YEARFRAC($B$3,DATE(2030,1,1),1)"),
    ("days", "DAYS(DATE(2030,1,1),$B$3)"),
    ("days360", "DAYS360($B$3,DATE(2030,1,1))"),
    ("weekday", "WEEKDAY($B$3)"),
    ("weeknum", "WEEKNUM($B$3)"),
    ("isoweeknum", "ISOWEEKNUM($B$3)"),
    ("networkdays", "NETWORKDAYS($B$3,$B$3+30)"),
    ("workday", "WORKDAY($B$3,10)"),
    ("datevalue", "DATEVALUE(\"2024-03-01\")"),
    ("time", "TIME(12,30,0)"),
    ("hour", "HOUR(0.75)"),
    ("minute", "MINUTE(0.7654)"),
    ("second", "SECOND(0.7654)"),
    // Text
    ("len", "LEN($B$4)"),
    ("left", "LEFT($B$4,3)"),
    ("right", "RIGHT($B$4,3)"),
    ("mid", "MID($B$4,2,3)"),
    ("upper", "UPPER($B$4)"),
    ("lower", "LOWER($B$4)"),
    ("proper", "PROPER($B$4)"),
    ("trim", "TRIM($B$4)"),
    ("substitute", "SUBSTITUTE($B$4,\"-\",\"+\")"),
    ("replace", "REPLACE($B$4,1,2,\"XY\")"),
    ("find", "FIND(\"o\",$B$4&\"o\")"),
    ("search", "SEARCH(\"L\",$B$4&\"l\")"),
    ("rept", "REPT(\"ab\",2)"),
    ("concatenate", "CONCATENATE($B$4,\"!\")"),
    ("concat", "CONCAT($B$4,$B$1)"),
    ("textjoin", "TEXTJOIN(\"|\",TRUE,$F$2:$F$4)"),
    ("text", "TEXT($B$1,\"0.00\")"),
    ("value", "VALUE(\"12.5\")+$B$1"),
    ("exact", "EXACT($B$4,UPPER($B$4))"),
    ("char", "CHAR(65+ABS(INT($B$1)))"),
    ("code", "CODE($B$4)"),
    ("fixed", "FIXED($B$1*1000,1)"),
    ("clean", "CLEAN($B$4)"),
    // Logical and information
    ("if", "IF($B$1>$B$2,\"x\",\"y\")"),
    ("ifs", "IFS($B$1<0,\"neg\",$B$1<10,\"small\",TRUE,\"big\")"),
    ("and", "AND($B$1>0,$B$2>0)"),
    ("or", "OR($B$1>10,$B$2>5)"),
    ("not", "NOT($B$1>0)"),
    ("xor", "XOR($B$1>0,$B$2>1)"),
    ("iferror", "IFERROR(1/($B$1-$B$1),-1)"),
    ("ifna", "IFNA(VLOOKUP(99,$D$2:$F$6,3,FALSE),\"none\")"),
    (
        "switch",
        "SWITCH(INT(ABS($B$1)),5,\"five\",12,\"twelve\",\"other\")",
    ),
    ("choose", "CHOOSE(2,\"a\",\"b\",\"c\")"),
    ("isnumber", "ISNUMBER($B$4)"),
    ("istext", "ISTEXT($B$4)"),
    ("isblank", "ISBLANK($K$1)"),
    ("iserror", "ISERROR(1/($B$1-$B$1))"),
    ("iseven", "ISEVEN(INT($B$1))"),
    ("isodd", "ISODD(INT($B$1))"),
    ("n", "N(TRUE)+$B$1"),
    // Lookup and reference
    ("vlookup", "VLOOKUP(ABS($B$1)*4+20,$D$2:$F$6,3,TRUE)"),
    ("hlookup", "HLOOKUP(\"Rate\",$D$1:$F$6,3,FALSE)"),
    ("index", "INDEX($E$2:$E$6,2)"),
    ("match", "MATCH(40,$D$2:$D$6,0)"),
    ("lookup", "LOOKUP(35,$D$2:$D$6,$F$2:$F$6)"),
    ("offset", "SUM(OFFSET($D$1,2,1,2,1))"),
    ("indirect", "INDIRECT(\"E\"&3)"),
    ("rows", "ROWS($D$2:$F$6)"),
    ("columns", "COLUMNS($D$2:$F$6)"),
    ("address", "ADDRESS(2,3)"),
    // Engineering
    ("dec2bin", "DEC2BIN(10)"),
    ("bin2dec", "BIN2DEC(\"1010\")"),
    ("hex2dec", "HEX2DEC(\"FF\")"),
    ("dec2hex", "DEC2HEX(255)"),
];

/// Gaps found against LibreOffice, with what the caller sees (also in README.md).
/// * `rate`: `RATE(60, -150, 1000)` (about 15 % a period; by hand 150·(1−1.15⁻⁶⁰)/0.15 ≈ 999.6)
///   is `#NUM!`: IronCalc's iteration does not converge from its default guess. Smaller rates
///   (input set 2) agree.
/// * `second`: `SECOND(0.7654)` (18:22:10.56) is 10; LibreOffice rounds to the nearest
///   second, 11.
const KNOWN_GAPS: &[&str] = &["rate", "second"];

/// The function workbook holding one input set.
fn functions_book(set: usize) -> Vec<u8> {
    let (x, y, d, t) = INPUT_SETS[set];
    let mut book = XlsxBook::new();
    let date = Format::new().set_num_format("yyyy-mm-dd");
    let s = book.add_worksheet().set_name("Fx").unwrap();
    s.write_number(0, 1, x).unwrap();
    s.write_number(1, 1, y).unwrap();
    s.write_number_with_format(2, 1, d, &date).unwrap();
    s.write_string(3, 1, t).unwrap();
    for (c, h) in ["Age", "Rate", "Label"].iter().enumerate() {
        s.write_string(0, 3 + c as u16, *h).unwrap();
    }
    let rows = [
        (20.0, 0.001, "A"),
        (30.0, 0.002, "B"),
        (40.0, 0.004, "C"),
        (50.0, 0.008, "D"),
        (60.0, 0.016, "E"),
    ];
    for (i, (age, rate, label)) in rows.iter().enumerate() {
        let r = i as u32 + 1;
        s.write_number(r, 3, *age).unwrap();
        s.write_number(r, 4, *rate).unwrap();
        s.write_string(r, 5, *label).unwrap();
    }
    s.write_string(0, 7, "Flow").unwrap();
    s.write_string(0, 8, "Date").unwrap();
    let flows = [
        (-100.0, 45292.0),
        (30.0, 45474.0),
        (40.0, 45658.0),
        (50.0, 45839.0),
    ];
    for (i, (flow, when)) in flows.iter().enumerate() {
        let r = i as u32 + 1;
        if i == 2 {
            // 40 + X: the cash flows follow the inputs.
            s.write_formula(r, 7, "=40+$B$1").unwrap();
        } else {
            s.write_number(r, 7, *flow).unwrap();
        }
        s.write_number_with_format(r, 8, *when, &date).unwrap();
    }
    for (i, (name, formula)) in FORMULAS.iter().enumerate() {
        let r = 10 + i as u32;
        s.write_string(r, 0, *name).unwrap();
        s.write_formula(r, 1, format!("={formula}").as_str())
            .unwrap();
    }
    for (i, (name, _)) in FORMULAS.iter().enumerate() {
        book.define_name(format!("Xoutput_{name}"), &format!("=Fx!$B${}", 11 + i))
            .unwrap();
    }
    book.define_name("Xinput_X", "=Fx!$B$1").unwrap();
    book.define_name("Xinput_Y", "=Fx!$B$2").unwrap();
    book.define_name("Xinput_D", "=Fx!$B$3").unwrap();
    book.define_name("Xinput_T", "=Fx!$B$4").unwrap();
    book.save_to_buffer().unwrap()
}

/// Writes `functions-{set}.xlsx` for each input set into `$CSPARK_FUNCTIONS_DIR` (used by
/// `conformance/functions_expected.sh`; not a test).
#[test]
#[ignore]
fn write_function_workbooks() {
    let dir = std::env::var("CSPARK_FUNCTIONS_DIR").expect("CSPARK_FUNCTIONS_DIR");
    for set in 0..INPUT_SETS.len() {
        std::fs::write(format!("{dir}/functions-{set}.xlsx"), functions_book(set)).unwrap();
    }
}

/// Whether the emulator's value agrees with LibreOffice's (numbers to 1e-9 relative; LibreOffice
/// writes booleans as TRUE/FALSE and dates as serials).
fn agrees(ours: &Value, expected: &Value) -> bool {
    match (ours, expected) {
        (Value::Number(a), Value::Number(b)) => {
            let (a, b) = (a.as_f64().unwrap(), b.as_f64().unwrap());
            (a - b).abs() <= 1e-9 * b.abs().max(1.0)
        }
        (Value::String(a), Value::Number(b)) => {
            // A date output comes back as YYYY-MM-DD; LibreOffice wrote the serial.
            chrono::NaiveDate::parse_from_str(a, "%Y-%m-%d").is_ok_and(|d| {
                let epoch = chrono::NaiveDate::from_ymd_opt(1899, 12, 30).unwrap();
                ((d - epoch).num_days() as f64 - b.as_f64().unwrap()).abs() < 1e-9
            })
        }
        (Value::Bool(a), Value::Bool(b)) => a == b,
        (a, b) => a == b,
    }
}

#[test]
fn functions_agree_with_libreoffice() {
    let expected: Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/functions_expected.json"
        ))
        .unwrap(),
    )
    .unwrap();
    let book = Workbook::from_xlsx(&functions_book(0), "functions.xlsx").unwrap();
    // At least 100 distinct functions are called.
    let mut distinct = std::collections::BTreeSet::new();
    for (_, formula) in FORMULAS {
        let mut token = String::new();
        for c in formula.chars() {
            if c.is_ascii_alphanumeric() || c == '.' {
                token.push(c);
            } else {
                if c == '(' && token.starts_with(|c: char| c.is_ascii_uppercase()) {
                    distinct.insert(token.clone());
                }
                token.clear();
            }
        }
    }
    assert!(distinct.len() >= 100, "{} functions", distinct.len());
    let (mut matched, mut total) = (0, 0);
    let mut mismatches = Vec::new();
    for (set, (x, y, d, t)) in INPUT_SETS.iter().enumerate() {
        let date = {
            let epoch = chrono::NaiveDate::from_ymd_opt(1899, 12, 30).unwrap();
            (epoch + chrono::Duration::days(*d as i64))
                .format("%Y-%m-%d")
                .to_string()
        };
        let inputs: Map<String, Value> = match json!({"X": x, "Y": y, "D": date, "T": t}) {
            Value::Object(m) => m,
            _ => unreachable!(),
        };
        let ev = book.evaluate(&inputs, None);
        assert!(ev.errors.is_empty(), "{:?}", ev.errors);
        let want = &expected["sets"][set];
        for (name, _) in FORMULAS {
            total += 1;
            let ours = &ev.outputs[*name];
            let theirs = &want[*name];
            if agrees(ours, theirs) {
                matched += 1;
            } else {
                mismatches.push(format!(
                    "set {set} {name}: emulator {ours}, LibreOffice {theirs}"
                ));
            }
        }
    }
    println!(
        "{matched} of {total} outputs agree with LibreOffice ({} functions, {} input sets)",
        distinct.len(),
        INPUT_SETS.len()
    );
    for m in &mismatches {
        println!("{m}");
    }
    for m in &mismatches {
        let name = m.split(' ').nth(2).unwrap().trim_end_matches(':');
        assert!(KNOWN_GAPS.contains(&name), "unexpected difference: {m}");
    }
}

/// Dynamic-array functions (LibreOffice 7.4 has none of them, so the expected values are
/// derived by hand): over ages D2:D6 = 20…60, rates E2:E6 = 0.001, 0.002, 0.004, 0.008, 0.016,
/// labels F2:F6 = A…E, and X = B1 = 5.
const DYNAMIC: &[(&str, &str, DynExpected)] = &[
    ("xlookup", "XLOOKUP(40,D2:D6,F2:F6)", DynExpected::Text("C")),
    // No 45: the next smaller item, 40.
    (
        "xlookup_next",
        "XLOOKUP(45,D2:D6,F2:F6,\"none\",-1)",
        DynExpected::Text("C"),
    ),
    ("xmatch", "XMATCH(50,D2:D6)", DynExpected::Number(4.0)),
    ("sequence", "SUM(SEQUENCE(4))", DynExpected::Number(10.0)), // 1+2+3+4
    (
        "filter",
        "SUM(FILTER(E2:E6,D2:D6>30))",
        DynExpected::Number(0.028),
    ), // .004+.008+.016
    (
        "sort",
        "INDEX(SORT(D2:D6,1,-1),1)",
        DynExpected::Number(60.0),
    ),
    (
        "sortby",
        "INDEX(SORTBY(F2:F6,E2:E6,-1),1)",
        DynExpected::Text("E"),
    ),
    (
        "unique",
        "ROWS(UNIQUE({1;1;2;3;3}))",
        DynExpected::Number(3.0),
    ),
    ("let", "LET(a,B1,b,a*2,a+b)", DynExpected::Number(15.0)), // 5 + 10
    (
        "textbefore",
        "TEXTBEFORE(\"2024-01-31\",\"-\")",
        DynExpected::Text("2024"),
    ),
    (
        "textafter",
        "TEXTAFTER(\"a-b-c\",\"-\",2)",
        DynExpected::Text("c"),
    ),
    (
        "textsplit",
        "INDEX(TEXTSPLIT(\"x,y,z\",\",\"),3)",
        DynExpected::Text("z"),
    ),
    ("take", "SUM(TAKE(D2:D6,2))", DynExpected::Number(50.0)), // 20+30
    ("drop", "SUM(DROP(D2:D6,3))", DynExpected::Number(110.0)), // 50+60
    (
        "vstack",
        "ROWS(VSTACK(D2:D3,D4:D6))",
        DynExpected::Number(5.0),
    ),
    (
        "hstack",
        "COLUMNS(HSTACK(D2:D6,E2:E6))",
        DynExpected::Number(2.0),
    ),
    (
        "choosecols",
        "SUM(CHOOSECOLS(D2:E6,2))",
        DynExpected::Number(0.031),
    ),
    ("tocol", "ROWS(TOCOL(D2:E6))", DynExpected::Number(10.0)),
    (
        "map",
        "SUM(MAP(D2:D6,LAMBDA(v,v*2)))",
        DynExpected::Number(400.0),
    ), // 2×200
    (
        "byrow",
        "INDEX(BYROW(D2:E3,LAMBDA(r,SUM(r))),2)",
        DynExpected::Number(30.002),
    ),
    (
        "reduce",
        "REDUCE(0,D2:D6,LAMBDA(a,v,a+v))",
        DynExpected::Number(200.0),
    ),
];

#[derive(Debug)]
enum DynExpected {
    Number(f64),
    Text(&'static str),
}

fn dynamic_book() -> Vec<u8> {
    let mut book = XlsxBook::new();
    let s = book.add_worksheet().set_name("Da").unwrap();
    s.write_number(0, 1, 5).unwrap();
    let rows = [
        (20.0, 0.001, "A"),
        (30.0, 0.002, "B"),
        (40.0, 0.004, "C"),
        (50.0, 0.008, "D"),
        (60.0, 0.016, "E"),
    ];
    for (i, (age, rate, label)) in rows.iter().enumerate() {
        let r = i as u32 + 1;
        s.write_number(r, 3, *age).unwrap();
        s.write_number(r, 4, *rate).unwrap();
        s.write_string(r, 5, *label).unwrap();
    }
    for (i, (_, formula, _)) in DYNAMIC.iter().enumerate() {
        s.write_dynamic_formula(10 + i as u32, 1, format!("={formula}").as_str())
            .unwrap();
    }
    book.define_name("Xinput_X", "=Da!$B$1").unwrap();
    for (i, (name, _, _)) in DYNAMIC.iter().enumerate() {
        book.define_name(format!("Xoutput_{name}"), &format!("=Da!$B${}", 11 + i))
            .unwrap();
    }
    book.save_to_buffer().unwrap()
}

#[test]
fn dynamic_array_functions_agree_with_hand_derived_values() {
    let book = Workbook::from_xlsx(&dynamic_book(), "dynamic.xlsx").unwrap();
    let ev = book.evaluate(&Map::new(), None);
    let mut mismatches = Vec::new();
    for (name, _, expected) in DYNAMIC {
        let ours = &ev.outputs[*name];
        let ok = match expected {
            DynExpected::Number(n) => ours.as_f64().is_some_and(|v| (v - n).abs() < 1e-12),
            DynExpected::Text(t) => ours == &json!(t),
        };
        if !ok {
            mismatches.push(format!("{name}: emulator {ours}, expected {expected:?}"));
        }
    }
    println!(
        "{} of {} dynamic-array outputs agree",
        DYNAMIC.len() - mismatches.len(),
        DYNAMIC.len()
    );
    for m in &mismatches {
        println!("{m}");
    }
    assert!(mismatches.is_empty(), "{mismatches:?}");
}
