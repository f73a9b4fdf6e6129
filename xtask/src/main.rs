//! Builds what the README's commands run: the release `orbital` binary and the site its pages
//! load (the WASM bundle with its JavaScript loader, the stylesheet and `public/`), laid out
//! where the server looks for them. It reads the same `[[workspace.metadata.leptos]]` table as
//! cargo-leptos, so both build the same thing, but needs no tool beyond cargo and the npm
//! packages of `scripts/build-tools`.

mod build;
mod metadata;
mod site;

use std::path::PathBuf;
use std::process::ExitCode;

const USAGE: &str = "usage: cargo xtask build

  build    the release console (target/release/orbital) and its site (target/site)";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.iter().map(String::as_str).collect::<Vec<_>>()[..] {
        ["build"] => match build::release(&workspace_root()) {
            Ok(()) => ExitCode::SUCCESS,
            Err(error) => {
                eprintln!("error: {error}");
                ExitCode::FAILURE
            }
        },
        ["help" | "--help" | "-h"] => {
            println!("{USAGE}");
            ExitCode::SUCCESS
        }
        _ => {
            eprintln!("{USAGE}");
            ExitCode::from(2)
        }
    }
}

/// The workspace's root: this crate's parent folder.
fn workspace_root() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().map(PathBuf::from).unwrap_or(manifest)
}
