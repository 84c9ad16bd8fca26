// A text value for a NUMBER input does not compile (E0308).
use cspark_examples::spark::demo_volume_cylinder as volume;

fn main() {
    let _inputs = volume::Inputs { radius: "2.5", height: 10.0 };
}
