// One service's inputs cannot stand in for another's (E0308): the service, and so the outputs
// type, is inferred from the inputs, so loan inputs never yield volume outputs.
use cspark_examples::spark::demo_loan_calc as loan;
use cspark_examples::spark::demo_volume_cylinder as volume;

async fn run(client: cspark::Client) -> cspark::Result<()> {
    let inputs = loan::Inputs { principal: 1.0, rate: 0.1, years: 2.0 };
    let _volume: cspark::Typed<volume::Outputs> = client.execute_typed(&inputs).await?;
    Ok(())
}

fn main() {
    let _ = run;
}
