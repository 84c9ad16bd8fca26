// Expected: E0063 missing field `radius` in initializer of `Inputs`.
include!("../golden/volume_cylinder.rs");

fn main() {
    let _inputs = my_folder_volume_cylinder::Inputs { height: 4.0 };
}
