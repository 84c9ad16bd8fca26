// The records of one v4 call all belong to one service (E0308): inputs of two services do not
// mix in one `execute_typed_many`.
use cspark_examples::spark::demo_loan_calc as loan;
use cspark_examples::spark::demo_volume_cylinder as volume;

async fn run(client: cspark::Client) -> cspark::Result<()> {
    let volume = volume::Inputs { radius: 1.0, height: 2.0 };
    let loan = loan::Inputs { principal: 1.0, rate: 0.1, years: 2.0 };
    let _ = client.execute_typed_many(&[volume, loan]).await?;
    Ok(())
}

fn main() {
    let _ = run;
}
