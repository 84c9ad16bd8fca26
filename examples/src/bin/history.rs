//! Call history: execute a service, read the detailed log of that call, download the logs
//! as CSV (a zip) and rebuild the workbook of the call.
//!
//! Run with: cargo run -p cspark-examples --bin history

use cspark::history::LogDownload;
use cspark_examples::target::Target;
use serde_json::json;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let target = Target::from_env().await?;
    println!("cspark history on the {}", target.describe());
    let client = &target.client;
    let uri = "demo/volume-cylinder";

    let run = client
        .services()
        .execute(uri, &json!({"radius": 2.0, "height": 5.0}))
        .await?;
    let call_id = run.response_meta.call_id.clone().unwrap_or_default();
    println!("executed: call id {call_id}");

    let log = client.history().get(&call_id).await?;
    println!(
        "log: service {:?} revision {:?} calc time {:?} ms",
        log.service, log.service_revision, log.calc_time
    );

    let zip = client
        .history()
        .download(
            uri,
            &LogDownload::default().csv().call_ids([call_id.clone()]),
        )
        .await?;
    println!(
        "CSV log export: {} ({} bytes)",
        zip.file_name,
        zip.bytes.len()
    );

    let file = client
        .history()
        .rehydrate(uri, &call_id, None, false)
        .await?;
    println!(
        "rehydrated workbook: {} ({} bytes)",
        file.file_name,
        file.bytes.len()
    );
    target.shutdown().await;
    Ok(())
}
