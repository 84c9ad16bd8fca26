// Excel validation lists are closed enums: a value outside the list does not compile (E0599),
// and neither does a plain string in place of the enum (E0308).
use cspark_examples::spark::demo_insurance_quote as quote;

fn main() {
    let _cover = quote::CoverLevel::Platinum;
    let _region: quote::Region = "City";
}
