// Expected: E0308 mismatched types (expected `f64`, found `&str`).
include!("../golden/volume_cylinder.rs");

fn main() {
    let _inputs = my_folder_volume_cylinder::Inputs { height: "4", radius: 7.0 };
}
