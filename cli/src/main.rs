//! `cspark`: the command-line tool (filled by the CLI issue).
fn main() {
    eprintln!("cspark: the command-line tool is not implemented yet");
    std::process::exit(2);
}
