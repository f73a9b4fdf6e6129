//! Embeds the built-in charts (`charts/`): every file, by its path, in `builtin_files.rs`.

use std::fmt::Write as _;
use std::path::Path;

fn walk(dir: &Path, prefix: &str, files: &mut Vec<(String, String)>) -> std::io::Result<()> {
    let mut entries = std::fs::read_dir(dir)?.collect::<Result<Vec<_>, _>>()?;
    entries.sort_by_key(std::fs::DirEntry::file_name);
    for entry in entries {
        let name = format!("{prefix}{}", entry.file_name().to_string_lossy());
        let path = entry.path();
        if path.is_dir() {
            walk(&path, &format!("{name}/"), files)?;
        } else {
            files.push((name, path.display().to_string()));
        }
    }
    Ok(())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let charts = Path::new(env!("CARGO_MANIFEST_DIR")).join("charts");
    println!("cargo:rerun-if-changed={}", charts.display());
    let mut files = Vec::new();
    walk(&charts, "", &mut files)?;
    let mut out = String::from("&[\n");
    for (name, path) in &files {
        writeln!(out, "    ({name:?}, include_bytes!({path:?})),")?;
    }
    out.push(']');
    let target = Path::new(&std::env::var("OUT_DIR")?).join("builtin_files.rs");
    std::fs::write(target, out)?;
    Ok(())
}
