// Reading an output the service does not have (e.g. one removed in a new version, after
// regenerating) does not compile (E0609).
use cspark_examples::spark::demo_volume_cylinder::Inputs;

async fn run(client: cspark::Client) -> cspark::Result<()> {
    let run = client
        .execute_typed(&Inputs { radius: 1.0, height: 2.0 })
        .await?;
    let _old = run.outputs.volume_litres;
    Ok(())
}

fn main() {
    let _ = run;
}
