// Only generated `Inputs` go through the typed calls (E0277): a JSON value names no service.
async fn run(client: cspark::Client) -> cspark::Result<()> {
    let inputs = serde_json::json!({ "Radius": 1.0, "Height": 2.0 });
    let _ = client.execute_typed(&inputs).await?;
    Ok(())
}

fn main() {
    let _ = run;
}
