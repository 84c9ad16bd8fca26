fn main() {
    eprintln!("cspark-codegen: not implemented yet");
    std::process::exit(2);
}
