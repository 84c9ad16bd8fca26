//! Folders: create (with a cover), find, update, a duplicate name as a conflict, delete.
//!
//! Run with: cargo run -p cspark-examples --bin folders
//!
//! Spark's folder APIs take bearer tokens only; against the embedded emulator this example
//! switches to a bearer client.

use cspark::folders::{FindFolders, FolderFields};
use cspark::{ApiErrorKind, Auth, Client, SparkError};
use cspark_examples::target::Target;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let target = Target::from_env().await?;
    println!("cspark folders on the {}", target.describe());
    let client = match &target.emulator {
        Some(emu) => Client::builder()
            .base_url(emu.base_url())
            .auth(Auth::bearer("local-demo-token"))
            .build()?,
        None => target.client.clone(),
    };
    let folders = client.folders();
    let name = "cspark-example-folder";

    let fields = FolderFields::default()
        .description("made by the cspark folders example")
        .category("Other")
        .cover(b"\x89PNG\r\n\x1a\n".to_vec());
    let created = folders.create(name, &fields).await?;
    let id = created.data.and_then(|f| f.id).unwrap_or_default();
    println!("created {name} ({id})");

    match folders.create(name, &FolderFields::default()).await {
        Err(SparkError::Api(e)) if e.kind == ApiErrorKind::Conflict => {
            println!(
                "second create: conflict, as expected ({})",
                e.code().unwrap_or("?")
            );
        }
        other => println!("second create: unexpected {other:?}"),
    }

    folders
        .update(&id, &FolderFields::default().description("updated"))
        .await?;
    let page = folders.find(&FindFolders::default().name(name)).await?;
    let first = page.data.unwrap_or_default().into_iter().next();
    println!("found: {:?}", first.and_then(|f| f.description));
    let categories = folders.categories().await?;
    let names: Vec<_> = categories
        .iter()
        .filter_map(|c| c.value.as_deref())
        .collect();
    println!("categories: {names:?}");

    folders.delete(&id).await?;
    println!("deleted; exists = {}", folders.exists(name).await?);
    target.shutdown().await;
    Ok(())
}
