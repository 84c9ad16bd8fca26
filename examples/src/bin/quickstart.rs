//! The main job: typed bindings, generated from the services themselves, executing real Excel
//! workbooks.
//!
//! Run with: `cargo run -p cspark-examples --bin quickstart` (the crate's default binary).
//!
//! By default it starts the embedded emulator with the bundled demo workbooks; with
//! `CSPARK_BASE_URL` and credentials (`CSPARK_API_KEY`, …) set, it runs against that tenant,
//! which must have the `demo/*` services published.

use chrono::NaiveDate;
use cspark::Typed;
use cspark_examples::spark::demo_volume_cylinder as volume;
use cspark_examples::spark::{demo_insurance_quote as quote, demo_loan_calc as loan};
use cspark_examples::target::Target;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let target = Target::from_env().await?;
    println!(
        "cspark quickstart: typed calls on the {}",
        target.describe()
    );
    let client = &target.client;

    // 1. Numbers in, numbers out. A misspelt field or a string radius would not compile.
    let inputs = volume::Inputs {
        radius: 2.5,
        height: 10.0,
    };
    let run = client.execute_typed(&inputs).await?;
    heading("demo/volume-cylinder", &run);
    println!("  radius {} × height {}", inputs.radius, inputs.height);
    println!("  volume       = {}", show(run.outputs.volume));
    println!("  base area    = {}", show(run.outputs.base_area));
    println!("  surface area = {}", show(run.outputs.surface_area));

    // 2. A table input, an enum from an Excel validation list, a date and a boolean.
    let inputs = quote::Inputs {
        drivers: vec![
            driver("Ada", 34.0, 12.0),
            driver("Ben", 22.0, 1.0),
            driver("Cleo", 71.0, 50.0),
        ],
        policy_start: NaiveDate::from_ymd_opt(2026, 12, 1).ok_or("bad date")?,
        has_claims: true,
        cover_level: quote::CoverLevel::Premium,
        region: quote::Region::City,
        vehicle_value: 32_000.0,
    };
    let run = client.execute_typed(&inputs).await?;
    heading("demo/insurance-quote", &run);
    for row in run.outputs.driver_premiums.iter().flatten() {
        println!(
            "  {:<6} risk factor {:<5} premium {}",
            row.driver.as_deref().unwrap_or("?"),
            show(row.risk_factor),
            show(row.premium)
        );
    }
    println!("  total premium = {}", show(run.outputs.total_premium));
    println!(
        "  risk band     = {}",
        run.outputs.risk_band.as_deref().unwrap_or("?")
    );
    println!("  eligible      = {}", show(run.outputs.eligible));
    println!("  policy ends   = {}", show(run.outputs.expiry_date));

    // 3. A workbook with subservices (payment, summary, metadata).
    let inputs = loan::Inputs {
        principal: 350_000.0,
        rate: 0.049,
        years: 25.0,
    };
    let run = client.execute_typed(&inputs).await?;
    heading("demo/loan-calc", &run);
    println!(
        "  {} over {} years at {}%",
        inputs.principal,
        inputs.years,
        inputs.rate * 100.0
    );
    println!("  monthly payment = {}", show(run.outputs.monthly_payment));
    println!("  total paid      = {}", show(run.outputs.total_paid));
    println!("  total interest  = {}", show(run.outputs.total_interest));

    target.shutdown().await;
    Ok(())
}

fn driver(name: &str, age: f64, years_licensed: f64) -> quote::DriversRow {
    quote::DriversRow {
        name: name.to_owned(),
        age,
        years_licensed,
    }
}

fn heading<O>(service: &str, run: &Typed<O>) {
    println!(
        "\n{service} (version {}, call {}, {} ms)",
        run.meta.version.as_deref().unwrap_or("?"),
        run.meta.call_id.as_deref().unwrap_or("?"),
        run.meta.process_time.unwrap_or_default()
    );
    for w in &run.warnings {
        println!("  warning: {w}");
    }
    for e in &run.errors {
        println!("  error: {e}");
    }
}

fn show<T: std::fmt::Display>(value: Option<T>) -> String {
    value.map_or_else(|| "(empty)".to_owned(), |v| v.to_string())
}
