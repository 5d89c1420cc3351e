//! Replays every committed corpus file (`corpus/<target>/*`) through its target's
//! body, as the fuzzer runs it: a panic fails the test. This is what CI runs where
//! libFuzzer does not (`.ci/run`), and the regression test of every input a fuzz run
//! found (those inputs are kept in the corpus).

use std::path::Path;

type Target = fn(&[u8]);

const TARGETS: [(&str, Target); 6] = [
    ("authorization", portcullis_fuzz::authorization),
    ("cookies", portcullis_fuzz::cookies),
    ("api_key", portcullis_fuzz::api_key),
    ("jwt", portcullis_fuzz::jwt),
    ("jwks", portcullis_fuzz::jwks),
    ("require_expr", portcullis_fuzz::require_expr),
];

fn replay(name: &str, target: Target) -> usize {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus").join(name);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.expect("a directory entry").path())
        .collect();
    files.sort();
    for file in &files {
        let data = std::fs::read(file).expect("a corpus file");
        eprintln!("{name}: {}", file.display());
        target(&data);
    }
    files.len()
}

/// On a thread with a large stack: unoptimised frames are several times the fuzzer's
/// (release, on an 8 MiB main thread), and `proc_macro2` lexes and drops the 10 000
/// nested parentheses of `require_expr/deep-parentheses` recursively.
#[test]
fn every_corpus_file_replays_without_a_panic() {
    let replay_all = || {
        for (name, target) in TARGETS {
            let n = replay(name, target);
            assert!(n > 0, "corpus/{name} has no seed");
            println!("{name}: {n} inputs replayed");
        }
    };
    std::thread::Builder::new()
        .stack_size(256 << 20)
        .spawn(replay_all)
        .expect("a thread")
        .join()
        .expect("every input replayed without a panic");
}
