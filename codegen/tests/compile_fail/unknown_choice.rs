// Expected: E0599 no variant named `GreaterOrEqual` (validation lists are closed enums) and
// E0308 for a plain string where the enum is expected.
include!("../golden/enums.rs");

fn main() {
    let _op = pricing_rule_engine::Operator::GreaterOrEqual;
    let _plan: pricing_rule_engine::Plan = "Fixed Rate";
}
