// A misspelt input name does not compile (E0560), nor does leaving the real one out.
use cspark_examples::spark::demo_volume_cylinder as volume;

fn main() {
    let _inputs = volume::Inputs { radius: 1.0, hieght: 2.0 };
}
