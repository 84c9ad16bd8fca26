// Expected: E0609 no field `volume_old` on type `Outputs`.
include!("../golden/volume_cylinder.rs");

fn main() {
    let outputs = my_folder_volume_cylinder::Outputs::default();
    let _ = outputs.volume_old;
}
