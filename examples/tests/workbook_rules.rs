//! What the workbook already says about the inputs, in the generated bindings:
//! `Inputs::workbook_defaults()` equals what Spark uses for inputs left out, and inputs that
//! break the workbook's data-validation rules are refused before anything is sent (a
//! counting proxy in front of the emulator sees no request), while valid ones execute.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use cspark::bindings::InputRule;
use cspark::services::ExecuteOptions;
use cspark::{Auth, Client, SparkError};
use cspark_emulator::{Emulator, EmulatorConfig, EmulatorHandle};
use cspark_examples::spark::demo_insurance_quote as quote;
use cspark_examples::spark::demo_loan_calc as loan;
use cspark_examples::spark::demo_volume_cylinder as volume;

/// A TCP proxy on 127.0.0.1 that forwards to `target` and counts the connections it accepts
/// (none at all means nothing was sent).
async fn counting_proxy(target: std::net::SocketAddr) -> (String, Arc<AtomicUsize>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let hits = Arc::new(AtomicUsize::new(0));
    let counter = hits.clone();
    tokio::spawn(async move {
        while let Ok((mut inbound, _)) = listener.accept().await {
            counter.fetch_add(1, Ordering::SeqCst);
            tokio::spawn(async move {
                if let Ok(mut outbound) = tokio::net::TcpStream::connect(target).await {
                    let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                }
            });
        }
    });
    (format!("http://{addr}"), hits)
}

async fn start() -> (EmulatorHandle, Client, Arc<AtomicUsize>) {
    let emu = Emulator::start(EmulatorConfig::default().with_demo_workbooks())
        .await
        .unwrap();
    let base = url_addr(&emu.base_url());
    let (proxy, hits) = counting_proxy(base.0).await;
    let client = Client::builder()
        .base_url(format!("{proxy}{}", base.1))
        .auth(Auth::api_key("k"))
        .build()
        .unwrap();
    (emu, client, hits)
}

/// `http://127.0.0.1:PORT/tenant` → (socket address, `/tenant`).
fn url_addr(base: &str) -> (std::net::SocketAddr, String) {
    let rest = base.strip_prefix("http://").unwrap();
    let (host, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    (host.parse().unwrap(), path.to_owned())
}

fn rule_error(err: SparkError) -> (String, Option<usize>, cspark::bindings::InvalidInputs) {
    match err {
        SparkError::InputRules {
            service,
            record,
            source,
        } => (service, record, source),
        other => panic!("expected InputRules, got {other:?}"),
    }
}

#[tokio::test]
async fn broken_rules_are_refused_before_sending_and_valid_inputs_run() {
    let (emu, client, hits) = start().await;

    // Years has a Whole number rule 1..=40 in the workbook.
    let too_long = loan::Inputs {
        years: 50.0,
        ..loan::Inputs::workbook_defaults()
    };
    let err = client.execute_typed(&too_long).await.unwrap_err();
    assert_eq!(hits.load(Ordering::SeqCst), 0, "nothing may be sent");
    let text = err.to_string();
    assert!(text.contains("demo/loan-calc"), "{text}");
    assert!(text.contains("\"Years\" = 50"), "{text}");
    let (service, record, invalid) = rule_error(err);
    assert_eq!((service.as_str(), record), ("demo/loan-calc", None));
    let v = &invalid.violations()[0];
    assert_eq!((v.field.as_str(), v.value.as_str()), ("Years", "50"));
    assert_eq!(
        v.rule,
        InputRule::WholeNumber {
            min: Some(1.0),
            max: Some(40.0)
        }
    );
    // A fraction of a year breaks "whole number" too; the same check is callable directly.
    assert!(
        loan::Inputs {
            years: 12.5,
            ..loan::Inputs::workbook_defaults()
        }
        .validate()
        .is_err()
    );

    // Valid inputs execute.
    let ok = loan::Inputs {
        years: 40.0,
        ..loan::Inputs::workbook_defaults()
    };
    let run = client.execute_typed(&ok).await.unwrap();
    assert!(run.outputs.monthly_payment.is_some());
    assert!(hits.load(Ordering::SeqCst) > 0);

    // Opting out sends the call (an answer came back), and the emulator applies the same
    // workbook rule: the broken rule is reported in `errors`.
    let run = client
        .execute_typed_with(&too_long, ExecuteOptions::default().skip_input_rules(true))
        .await
        .unwrap();
    let errors = serde_json::to_string(&run.errors).unwrap();
    assert!(errors.contains("Years"), "{errors}");
    emu.shutdown().await;
}

#[tokio::test]
async fn many_and_chunked_calls_name_the_record_and_send_nothing() {
    let (emu, client, hits) = start().await;
    let mut records: Vec<volume::Inputs> = (0..6)
        .map(|i| volume::Inputs {
            radius: f64::from(i),
            ..volume::Inputs::workbook_defaults()
        })
        .collect();
    records[4].height = -1.0; // Height has a Decimal rule "at least 0".
    let err = client.execute_typed_many(&records).await.unwrap_err();
    let (_, record, invalid) = rule_error(err);
    assert_eq!(record, Some(4));
    assert_eq!(invalid.violations()[0].field, "Height");
    let chunking = cspark::Chunking::default().chunk_size(2).in_flight(2);
    let err = client
        .execute_typed_chunked(&records, chunking)
        .await
        .unwrap_err();
    assert_eq!(rule_error(err).1, Some(4));
    assert_eq!(hits.load(Ordering::SeqCst), 0, "nothing may be sent");

    records[4].height = 0.0;
    let results = client.execute_typed_many(&records).await.unwrap();
    assert_eq!(results.records.len(), 6);
    emu.shutdown().await;
}

/// Spark keeps the workbook's value for an input left out of a call: running with no inputs
/// at all gives the same outputs as running with `workbook_defaults()`.
#[tokio::test]
async fn workbook_defaults_are_what_spark_uses_for_inputs_left_out() {
    let (emu, client, _) = start().await;
    let defaults = quote::Inputs::workbook_defaults();
    assert_eq!(defaults.cover_level, quote::CoverLevel::Standard);
    assert_eq!(defaults.drivers.len(), 2);
    assert!(defaults.validate().is_ok());
    let typed = client.execute_typed(&defaults).await.unwrap();
    let empty = serde_json::Map::new();
    let untyped = client
        .services()
        .execute("demo/insurance-quote", &empty)
        .await
        .unwrap();
    let outputs: quote::Outputs =
        serde_json::from_value(serde_json::Value::Object(untyped.response_data.outputs)).unwrap();
    assert_eq!(typed.outputs, outputs);
    assert!(outputs.total_premium.is_some_and(|p| p > 0.0));

    for (folder_service, defaults) in [
        (
            "demo/loan-calc",
            serde_json::to_value(loan::Inputs::workbook_defaults()).unwrap(),
        ),
        (
            "demo/volume-cylinder",
            serde_json::to_value(volume::Inputs::workbook_defaults()).unwrap(),
        ),
    ] {
        let with = client
            .services()
            .execute(folder_service, &defaults)
            .await
            .unwrap();
        let without = client
            .services()
            .execute(folder_service, &empty)
            .await
            .unwrap();
        assert_eq!(
            with.response_data.outputs, without.response_data.outputs,
            "{folder_service}"
        );
    }
    emu.shutdown().await;
}

/// A typed batch run reads its records lazily, so it checks each one as it reads it: the run
/// ends with `InputRules` naming the record, and that record's chunk is never pushed.
#[tokio::test]
async fn a_typed_batch_run_stops_at_the_first_record_that_breaks_a_rule() {
    async fn all<S: cspark::TypedService>(
        mut run: cspark::TypedBatchRun<S>,
    ) -> Vec<cspark::Result<(usize, S::Outputs)>> {
        let mut items = Vec::new();
        while let Some(item) = run.recv().await {
            items.push(item);
        }
        items
    }
    let (emu, client, _) = start().await;
    let mut records: Vec<volume::Inputs> = (0..6)
        .map(|i| volume::Inputs {
            radius: f64::from(i + 1),
            ..volume::Inputs::workbook_defaults()
        })
        .collect();
    records[4].height = -1.0; // Height has a Decimal rule "at least 0".
    let mut options = cspark::batches::RunOptions::default();
    options.chunk_size = 2;
    let run = client
        .run_typed_batch(records.clone(), &options)
        .await
        .unwrap();
    let items = all(run).await;
    let mut done: Vec<usize> = items
        .iter()
        .filter_map(|r| r.as_ref().ok().map(|(i, _)| *i))
        .collect();
    done.sort_unstable();
    let errors: Vec<SparkError> = items.into_iter().filter_map(Result::err).collect();
    assert_eq!(errors.len(), 1, "{errors:?}");
    let (service, record, invalid) = rule_error(errors.into_iter().next().unwrap());
    assert_eq!(
        (service.as_str(), record),
        ("demo/volume-cylinder", Some(4))
    );
    assert_eq!(invalid.violations()[0].field, "Height");
    // Records 4 and 5 share the refused chunk: neither was pushed.
    assert!(done.iter().all(|i| *i < 4), "{done:?}");

    // Opting out pushes every record; the emulator computes them all.
    options.skip_input_rules = true;
    let run = client.run_typed_batch(records, &options).await.unwrap();
    let items = all(run).await;
    let mut done: Vec<usize> = items.into_iter().map(|r| r.unwrap().0).collect();
    done.sort_unstable();
    assert_eq!(done, [0, 1, 2, 3, 4, 5]);
    emu.shutdown().await;
}
