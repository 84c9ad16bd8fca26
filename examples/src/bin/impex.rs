//! ImpEx: export a service to a zip, then import it under a new name.
//!
//! Run with: cargo run -p cspark-examples --bin impex

use cspark::impex::{ExportRequest, ImportMapping, ImportOptions};
use cspark_examples::target::Target;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let target = Target::from_env().await?;
    println!("cspark impex on the {}", target.describe());
    let impex = target.client.impex();

    let zips = impex
        .export(&ExportRequest::default().services(["demo/volume-cylinder"]))
        .await?;
    let package = &zips[0];
    println!(
        "exported {} ({} bytes)",
        package.file_name,
        package.bytes.len()
    );

    let done = impex
        .import(
            &[ImportMapping::to(
                "demo/volume-cylinder",
                "examples/volume-copy",
            )],
            package.bytes.clone(),
            &ImportOptions::default(),
        )
        .await?;
    let services = done.outputs.and_then(|o| o.services).unwrap_or_default();
    println!("import {:?}: {} service(s)", done.status, services.len());
    println!(
        "examples/volume-copy exists: {}",
        target
            .client
            .services()
            .exists("examples/volume-copy")
            .await?
    );
    target.shutdown().await;
    Ok(())
}
