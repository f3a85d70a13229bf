//! Throwaway scenario linter used while the `validate` command is being built:
//! `cargo run -q --example validate_scenarios -- scenarios`.

use std::path::PathBuf;

fn main() {
    let paths: Vec<PathBuf> = std::env::args().skip(1).map(PathBuf::from).collect();
    let files = match scimreplay::scenario::discover(&paths) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    };
    let mut bad = 0;
    for path in &files {
        match scimreplay::scenario::load_file(path, &|id| scimreplay::check::find(id).is_some()) {
            Ok(s) => println!(
                "ok   {} ({} steps, {} teardown)",
                path.display(),
                s.def.steps.len(),
                s.def.teardown.len()
            ),
            Err(e) => {
                bad += 1;
                eprintln!("{e}\n");
            }
        }
    }
    println!("{} files, {} invalid", files.len(), bad);
    if bad > 0 {
        std::process::exit(2);
    }
}
