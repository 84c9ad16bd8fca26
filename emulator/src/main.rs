fn main() {
    eprintln!("cspark-emulator: not implemented yet");
    std::process::exit(2);
}
