//! `cspark codegen` and `cspark-codegen` are one command line: same subcommands, same flags,
//! same help text.

use std::collections::BTreeSet;
use std::process::Command;

use clap::CommandFactory;

use crate::common::ok;

/// `cspark ARGS` without inherited `CSPARK_*` variables (help shows env values).
fn cspark(args: &[&str]) -> String {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_cspark"));
    for (k, _) in std::env::vars() {
        if k.starts_with("CSPARK_") {
            cmd.env_remove(k);
        }
    }
    ok(&cmd.args(args).output().unwrap())
}

/// What `cspark-codegen [SUB] --help` prints: the binary is `cspark_codegen::cli::Cli::parse()`
/// and nothing else, so this is clap's answer to those arguments.
fn cspark_codegen_help(sub: Option<&str>) -> String {
    let args = ["cspark-codegen"].into_iter().chain(sub).chain(["--help"]);
    let err = cspark_codegen::cli::Cli::command()
        .try_get_matches_from(args)
        .unwrap_err();
    assert_eq!(err.kind(), clap::error::ErrorKind::DisplayHelp);
    err.render().to_string()
}

/// The entries of the `Commands:`, `Arguments:` and `Options:` sections, whitespace
/// collapsed (the column width depends on the longest option).
fn entries(help: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut in_section = false;
    for line in help.lines() {
        if line.ends_with(':') && !line.starts_with(' ') {
            in_section = matches!(line, "Commands:" | "Arguments:" | "Options:");
            continue;
        }
        if in_section && line.starts_with("  ") {
            out.insert(line.split_whitespace().collect::<Vec<_>>().join(" "));
        }
    }
    out
}

/// The usage line without the program name and `[OPTIONS]`.
fn usage(help: &str, program: &str) -> String {
    help.lines()
        .find_map(|l| l.strip_prefix("Usage: "))
        .unwrap()
        .replacen(program, "", 1)
        .replace(" [OPTIONS]", "")
}

#[test]
fn codegen_help_matches_cspark_codegen() {
    // cspark's own options (propagated to every subcommand) are the only extra entries.
    // `health` has no options of its own.
    let global = entries(&cspark(&["health", "--help"]));
    let mut subs = vec![None];
    subs.extend(
        cspark_codegen::cli::Cli::command()
            .get_subcommands()
            .map(|s| Some(s.get_name().to_string()))
            .collect::<Vec<_>>(),
    );
    assert!(subs.len() > 5, "{subs:?}");
    for sub in subs {
        let sub = sub.as_deref();
        let theirs = cspark_codegen_help(sub);
        let mut args = vec!["codegen"];
        args.extend(sub);
        args.push("--help");
        let ours = cspark(&args);
        // The description (first paragraph) of each subcommand is the same.
        if sub.is_some() {
            assert_eq!(ours.lines().next(), theirs.lines().next(), "{sub:?}");
        }
        assert_eq!(
            usage(&ours, "cspark codegen"),
            usage(&theirs, "cspark-codegen"),
            "{sub:?}"
        );
        let (ours, theirs) = (entries(&ours), entries(&theirs));
        assert!(theirs.contains("-h, --help Print help"), "{theirs:?}");
        let missing: Vec<_> = theirs.difference(&ours).collect();
        assert!(
            missing.is_empty(),
            "cspark codegen {sub:?} lacks {missing:?}"
        );
        let extra: Vec<_> = ours
            .difference(&theirs)
            .filter(|e| !global.contains(*e))
            .collect();
        assert!(extra.is_empty(), "cspark codegen {sub:?} adds {extra:?}");
    }
}
