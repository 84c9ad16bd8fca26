// One service's inputs cannot be sent to another service (E0308).
use cspark_examples::spark::demo_loan_calc as loan;
use cspark_examples::spark::demo_volume_cylinder::VolumeCylinder;

async fn run(client: cspark::Client) -> cspark::Result<()> {
    let inputs = loan::Inputs { principal: 1.0, rate: 0.1, years: 2.0 };
    let _ = client.execute_typed::<VolumeCylinder>(&inputs).await?;
    Ok(())
}

fn main() {
    let _ = run;
}
