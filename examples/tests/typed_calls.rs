//! The generated bindings executing the demo workbooks on the in-process emulator, with
//! every result checked against the same calculation done here in Rust.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use chrono::NaiveDate;
use cspark::{Auth, Client};
use cspark_emulator::{Emulator, EmulatorConfig, EmulatorHandle};
use cspark_examples::spark::demo_volume_cylinder as volume;
use cspark_examples::spark::{demo_insurance_quote as quote, demo_loan_calc as loan};

async fn start() -> (EmulatorHandle, Client) {
    let emu = Emulator::start(EmulatorConfig::default().with_demo_workbooks())
        .await
        .unwrap();
    let client = Client::builder()
        .base_url(emu.base_url())
        .auth(Auth::api_key("k"))
        .build()
        .unwrap();
    (emu, client)
}

fn close(actual: Option<f64>, expected: f64, what: &str) {
    let actual = actual.unwrap_or_else(|| panic!("{what} is empty"));
    assert!(
        (actual - expected).abs() <= 1e-9 * expected.abs().max(1.0),
        "{what}: {actual} != {expected}"
    );
}

#[tokio::test]
async fn volume_matches_pi_r_squared_h() {
    let (emu, client) = start().await;
    for (radius, height) in [(1.0, 1.0), (2.5, 10.0), (0.1, 1234.5), (7.0, 0.0)] {
        let run = client
            .execute_typed(&volume::Inputs { radius, height })
            .await
            .unwrap();
        let pi = std::f64::consts::PI;
        close(run.outputs.volume, pi * radius * radius * height, "volume");
        close(run.outputs.base_area, pi * radius * radius, "base area");
        close(
            run.outputs.surface_area,
            2.0 * pi * radius * (radius + height),
            "surface area",
        );
        assert_eq!(run.meta.version.as_deref(), Some("0.1.0"));
        assert!(run.meta.call_id.is_some());
        assert!(run.warnings.is_empty(), "{:?}", run.warnings);
    }
    emu.shutdown().await;
}

/// PMT as Excel defines it, rounded to cents as the workbook does.
fn monthly_payment(principal: f64, annual_rate: f64, years: f64) -> f64 {
    let r = annual_rate / 12.0;
    let n = years * 12.0;
    let pmt = principal * r / (1.0 - (1.0 + r).powf(-n));
    (pmt * 100.0).round() / 100.0
}

#[tokio::test]
async fn loan_payment_matches_the_annuity_formula() {
    let (emu, client) = start().await;
    for (principal, rate, years) in [(250_000.0, 0.045, 30.0), (10_000.0, 0.12, 1.0)] {
        let run = client
            .execute_typed(&loan::Inputs {
                principal,
                rate,
                years,
            })
            .await
            .unwrap();
        let pmt = monthly_payment(principal, rate, years);
        close(run.outputs.monthly_payment, pmt, "monthly payment");
        let paid = run.outputs.total_paid.unwrap();
        assert!((paid - pmt * years * 12.0).abs() < 0.01, "{paid}");
        let interest = run.outputs.total_interest.unwrap();
        assert!((interest - (paid - principal)).abs() < 0.01, "{interest}");
    }
    emu.shutdown().await;
}

/// The quote rules documented in emulator/workbooks/README.md, re-implemented.
fn expected_premiums(i: &quote::Inputs) -> Vec<f64> {
    let cover = match i.cover_level {
        quote::CoverLevel::Basic => 300.0,
        quote::CoverLevel::Standard => 450.0,
        quote::CoverLevel::Premium => 700.0,
    };
    let loading = if i.has_claims { 1.25 } else { 1.0 };
    let region = match i.region {
        quote::Region::North => 1.0,
        quote::Region::South => 1.1,
        quote::Region::City => 1.3,
    };
    let base = cover * loading * region + 0.005 * i.vehicle_value;
    i.drivers
        .iter()
        .map(|d| {
            let mut factor = 1.0;
            if d.age < 25.0 {
                factor += 0.5;
            }
            if d.years_licensed < 2.0 {
                factor += 0.3;
            }
            if d.age > 70.0 {
                factor += 0.25;
            }
            (base * factor * 100.0).round() / 100.0
        })
        .collect()
}

#[tokio::test]
async fn insurance_quote_tables_enums_and_dates() {
    let (emu, client) = start().await;
    let row = |name: &str, age: f64, years_licensed: f64| quote::DriversRow {
        name: name.into(),
        age,
        years_licensed,
    };
    let inputs = quote::Inputs {
        drivers: vec![
            row("Ada", 34.0, 12.0),
            row("Ben", 22.0, 1.0),
            row("Cleo", 71.0, 50.0),
        ],
        policy_start: NaiveDate::from_ymd_opt(2024, 2, 29).unwrap(),
        has_claims: true,
        cover_level: quote::CoverLevel::Premium,
        region: quote::Region::City,
        vehicle_value: 32_000.0,
    };
    let run = client.execute_typed(&inputs).await.unwrap();
    let premiums = expected_premiums(&inputs);
    let rows = run.outputs.driver_premiums.clone().unwrap();
    assert_eq!(rows.len(), 3, "{rows:?}");
    for ((row, want), driver) in rows.iter().zip(&premiums).zip(&inputs.drivers) {
        assert_eq!(row.driver.as_deref(), Some(driver.name.as_str()));
        close(row.premium, *want, "premium");
    }
    let total: f64 = premiums.iter().sum();
    close(run.outputs.total_premium, total, "total premium");
    let band = if total > 2000.0 {
        "High"
    } else if total > 1000.0 {
        "Medium"
    } else {
        "Low"
    };
    assert_eq!(run.outputs.risk_band.as_deref(), Some(band));
    assert_eq!(run.outputs.eligible, Some(true));
    assert_eq!(run.outputs.driver_count, Some(3.0));
    // DATE(year + 1, month, day) − 1: from a leap day, Excel rolls 2025-02-29 over to
    // 2025-03-01, so the policy ends on 2025-02-28.
    assert_eq!(
        run.outputs.expiry_date,
        NaiveDate::from_ymd_opt(2025, 2, 28)
    );

    // A driver under 18 makes the quote ineligible.
    let young = quote::Inputs {
        drivers: vec![row("Dan", 17.0, 0.0)],
        cover_level: quote::CoverLevel::Basic,
        has_claims: false,
        region: quote::Region::North,
        ..inputs
    };
    let run = client.execute_typed(&young).await.unwrap();
    assert_eq!(run.outputs.eligible, Some(false));
    close(
        run.outputs.total_premium,
        expected_premiums(&young).iter().sum(),
        "total premium",
    );
    emu.shutdown().await;
}

#[tokio::test]
async fn many_records_in_one_typed_v4_call() {
    let (emu, client) = start().await;
    let batch: Vec<volume::Inputs> = (0..200)
        .map(|i| volume::Inputs {
            radius: 0.5 + f64::from(i % 17),
            height: 1.0 + f64::from(i),
        })
        .collect();
    let results = client.execute_typed_many(&batch).await.unwrap();
    assert_eq!(results.records.len(), batch.len());
    for (inputs, outputs) in batch.iter().zip(results.outputs()) {
        let pi = std::f64::consts::PI;
        close(
            outputs.volume,
            pi * inputs.radius * inputs.radius * inputs.height,
            "volume",
        );
    }
    assert!(results.call_id.is_some());
    assert_eq!(results.version.as_deref(), Some("0.1.0"));
    emu.shutdown().await;
}
