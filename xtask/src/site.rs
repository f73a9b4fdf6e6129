//! The steps that turn the browser crate's WASM and the sources beside it into the site:
//! bindings, optimisation, minification and the static files.

use std::path::{Path, PathBuf};
use std::process::Command;

use lightningcss::stylesheet::{MinifyOptions, ParserOptions, PrinterOptions, StyleSheet};
use lightningcss::targets::{Browsers, Targets};

/// Why a step of the site failed.
#[derive(Debug, thiserror::Error)]
pub enum SiteError {
    /// A file or folder could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file or folder.
        path: String,
        /// What the system said.
        source: std::io::Error,
    },
    /// wasm-bindgen refused the WASM.
    #[error("wasm-bindgen: {0}")]
    Bindgen(String),
    /// A tool of `scripts/build-tools` could not be started.
    #[error("could not run {tool}: {source}; `scripts/setup` installs it")]
    Missing {
        /// The tool.
        tool: String,
        /// What the system said.
        source: std::io::Error,
    },
    /// A tool ran and failed.
    #[error("{tool} failed ({status})")]
    Failed {
        /// The tool.
        tool: String,
        /// How it ended.
        status: std::process::ExitStatus,
    },
    /// The stylesheet could not be parsed or printed.
    #[error("{file}: {message}")]
    Style {
        /// The stylesheet.
        file: String,
        /// What is wrong, with its line where known.
        message: String,
    },
}

/// An I/O error about `path`.
pub fn io(path: &Path) -> impl FnOnce(std::io::Error) -> SiteError + '_ {
    move |source| SiteError::Io {
        path: path.display().to_string(),
        source,
    }
}

/// Removes the folder `path` and what it holds, if it is there.
pub fn remove_tree(path: &Path) -> Result<(), SiteError> {
    match std::fs::remove_dir_all(path) {
        Err(error) if error.kind() != std::io::ErrorKind::NotFound => Err(io(path)(error)),
        _ => Ok(()),
    }
}

/// wasm-bindgen's error with its causes.
fn bindgen_failed(error: impl std::fmt::Display) -> SiteError {
    SiteError::Bindgen(format!("{error:#}"))
}

/// Writes `{name}.js` and `{name}.wasm` (with any JavaScript snippets) into `pkg` from the
/// browser crate's `wasm`, for pages that load it as an ES module.
pub fn bindgen(wasm: &Path, name: &str, pkg: &Path) -> Result<(), SiteError> {
    let mut bindgen = wasm_bindgen_cli_support::Bindgen::new();
    bindgen
        .input_path(wasm)
        .out_name(name)
        .typescript(false)
        .web(true)
        .map_err(bindgen_failed)?;
    bindgen.generate(pkg).map_err(bindgen_failed)?;
    // Leptos's hydration script loads `{name}.wasm` when built with LEPTOS_OUTPUT_NAME.
    let made = pkg.join(format!("{name}_bg.wasm"));
    std::fs::rename(&made, pkg.join(format!("{name}.wasm"))).map_err(io(&made))
}

/// A tool that `scripts/setup` installs from npm into `scripts/build-tools`, else from PATH.
fn tool(root: &Path, name: &str) -> PathBuf {
    let installed = root
        .join("scripts/build-tools/node_modules/.bin")
        .join(name);
    if installed.is_file() {
        installed
    } else {
        PathBuf::from(name)
    }
}

fn run(mut command: Command, name: &str) -> Result<(), SiteError> {
    let status = command.status().map_err(|source| SiteError::Missing {
        tool: name.to_owned(),
        source,
    })?;
    if status.success() {
        Ok(())
    } else {
        Err(SiteError::Failed {
            tool: name.to_owned(),
            status,
        })
    }
}

/// Shrinks `wasm` in place with wasm-opt, for size, with the features Rust's wasm32 target emits.
pub fn optimize_wasm(root: &Path, wasm: &Path) -> Result<(), SiteError> {
    let mut command = Command::new(tool(root, "wasm-opt"));
    command
        .args([
            "-Oz",
            "--enable-bulk-memory",
            "--enable-nontrapping-float-to-int",
        ])
        .arg(wasm)
        .arg("-o")
        .arg(wasm);
    run(command, "wasm-opt")
}

/// Minifies the ES module `js` in place with esbuild.
pub fn minify_js(root: &Path, js: &Path) -> Result<(), SiteError> {
    let mut command = Command::new(tool(root, "esbuild"));
    command
        .arg(js)
        .args(["--minify", "--allow-overwrite", "--log-level=warning"])
        .arg(format!("--outfile={}", js.display()));
    run(command, "esbuild")
}

/// The stylesheet at `source`, minified for the browsers `query` names.
pub fn stylesheet(source: &Path, query: &str) -> Result<String, SiteError> {
    let file = source.display().to_string();
    let failed = |message: String| SiteError::Style {
        file: file.clone(),
        message,
    };
    let text = std::fs::read_to_string(source).map_err(io(source))?;
    let browsers = Browsers::from_browserslist([query])
        .map_err(|error| failed(format!("browserquery {query:?}: {error}")))?;
    let targets = Targets::from(browsers);
    let options = ParserOptions {
        filename: file.clone(),
        ..ParserOptions::default()
    };
    let mut sheet = StyleSheet::parse(&text, options).map_err(|error| failed(error.to_string()))?;
    sheet
        .minify(MinifyOptions {
            targets,
            ..MinifyOptions::default()
        })
        .map_err(|error| failed(error.to_string()))?;
    let printed = sheet
        .to_css(PrinterOptions {
            minify: true,
            targets,
            ..PrinterOptions::default()
        })
        .map_err(|error| failed(error.to_string()))?;
    Ok(printed.code)
}

/// Copies the files under `from` to the same places under `to`.
pub fn copy_tree(from: &Path, to: &Path) -> Result<(), SiteError> {
    std::fs::create_dir_all(to).map_err(io(to))?;
    for entry in std::fs::read_dir(from).map_err(io(from))? {
        let path = entry.map_err(io(from))?.path();
        let target = to.join(path.file_name().unwrap_or_default());
        if path.is_dir() {
            copy_tree(&path, &target)?;
        } else {
            std::fs::copy(&path, &target).map_err(io(&path))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stylesheet_is_minified_and_a_broken_one_names_its_line() {
        let dir = tempfile::tempdir().unwrap();
        let good = dir.path().join("good.css");
        std::fs::write(
            &good,
            "/* why */\n.a {\n  color: #ff0000;\n  margin: 0px 0px;\n}\n",
        )
        .unwrap();
        let css = stylesheet(&good, "defaults").unwrap();
        assert_eq!(css, ".a{color:red;margin:0}");
        let broken = dir.path().join("broken.css");
        std::fs::write(&broken, ".a {\n  color: red;\n}\n}\n").unwrap();
        match stylesheet(&broken, "defaults") {
            Err(SiteError::Style { file, message }) => {
                assert!(file.ends_with("broken.css"));
                assert!(message.contains("broken.css:4:"), "{message}");
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            stylesheet(&good, "no such browser 99"),
            Err(SiteError::Style { .. })
        ));
    }

    #[test]
    fn a_tree_is_copied_with_its_folders() {
        let dir = tempfile::tempdir().unwrap();
        let from = dir.path().join("public");
        std::fs::create_dir_all(from.join("icons")).unwrap();
        std::fs::write(from.join("robots.txt"), "x").unwrap();
        std::fs::write(from.join("icons/a.svg"), "<svg/>").unwrap();
        let to = dir.path().join("site");
        copy_tree(&from, &to).unwrap();
        assert_eq!(std::fs::read_to_string(to.join("robots.txt")).unwrap(), "x");
        assert_eq!(
            std::fs::read_to_string(to.join("icons/a.svg")).unwrap(),
            "<svg/>"
        );
    }
}
