// Every input must be given (E0063): nothing silently falls back to the workbook's value.
use cspark_examples::spark::demo_loan_calc as loan;

fn main() {
    let _inputs = loan::Inputs { principal: 100_000.0, rate: 0.05 };
}
