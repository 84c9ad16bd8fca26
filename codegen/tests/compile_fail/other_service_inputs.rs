// Expected: E0308 mismatched types (expected `a_b_c_2::Inputs`, found `a_b_c::Inputs`):
// one service's inputs cannot be passed to another service's typed call.
include!("../golden/two_services.rs");

fn execute<S: cspark::TypedService>(_inputs: &S::Inputs) {}

fn main() {
    let other = a_b_c::Inputs { amount: "x".to_string(), items: Vec::new() };
    execute::<a_b_c_2::C>(&other);
}
