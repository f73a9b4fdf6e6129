//! `cargo xtask build`: the release server and the site, side by side, each step timed.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use crate::metadata::{MetadataError, Project};
use crate::site::{self, SiteError};

/// Why the build stopped.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    /// The site settings could not be read.
    #[error(transparent)]
    Metadata(#[from] MetadataError),
    /// A step of the site failed.
    #[error(transparent)]
    Site(#[from] SiteError),
    /// The site's build ended without an answer.
    #[error("the site's build stopped unexpectedly")]
    Stopped,
    /// Cargo could not be started or failed.
    #[error("`{command}` failed: {reason}")]
    Cargo {
        /// The command line.
        command: String,
        /// How it ended.
        reason: String,
    },
}

/// Runs `work`, printing its heading and then how long it took.
fn step<T>(heading: &str, work: impl FnOnce() -> Result<T, BuildError>) -> Result<T, BuildError> {
    println!("==> {heading}");
    let started = Instant::now();
    let value = work()?;
    println!(
        "    {heading}: done in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    Ok(value)
}

/// Where cargo puts what it builds.
fn target_dir(root: &Path) -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"))
}

/// Cargo options choosing a package's features.
fn feature_args(default_features: bool, features: &[String]) -> Vec<String> {
    let mut args = Vec::new();
    if !default_features {
        args.push("--no-default-features".to_owned());
    }
    if !features.is_empty() {
        args.push(format!("--features={}", features.join(",")));
    }
    args
}

/// `cargo build` with `args` and the site's compile settings.
fn cargo_build(root: &Path, project: &Project, args: &[String]) -> Result<(), BuildError> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut command = Command::new(cargo);
    command.current_dir(root).arg("build").args(args);
    command.envs(project.compile_env());
    if let Some(flags) = project.rustflags() {
        let flags = match std::env::var("RUSTFLAGS") {
            Ok(given) if !given.trim().is_empty() => format!("{given} {flags}"),
            _ => flags.to_owned(),
        };
        command.env("RUSTFLAGS", flags);
    }
    let reason = match command.status() {
        Ok(status) if status.success() => return Ok(()),
        Ok(status) => status.to_string(),
        Err(error) => error.to_string(),
    };
    Err(BuildError::Cargo {
        command: format!("cargo build {}", args.join(" ")),
        reason,
    })
}

/// Builds the release server and, side by side, the site, so the site's single-core stretches
/// (LTO, wasm-opt) overlap the server's build; measured on 2 cores this gains little over one
/// after the other (BENCHMARKS.md). The site replaces the previous one only once both are made, so a failed build leaves the
/// last good one in place.
pub fn release(root: &Path) -> Result<(), BuildError> {
    let started = Instant::now();
    let project = Project::read(root)?;
    let target = target_dir(root);
    let site_root = root.join(&project.site_root);
    let staging = site_root.with_extension("new");

    let mut server = vec![
        format!("--package={}", project.bin_package),
        format!("--bin={}", project.bin_target),
        "--release".to_owned(),
    ];
    server.extend(feature_args(
        project.bin_default_features,
        &project.bin_features,
    ));
    let (server, site) = std::thread::scope(|scope| {
        let site = scope.spawn(|| build_site(root, &project, &target, &staging));
        let server = step("server: release build", || {
            cargo_build(root, &project, &server)
        });
        (server, site.join().unwrap_or(Err(BuildError::Stopped)))
    });
    server.and(site)?;

    let previous = site_root.with_extension("old");
    site::remove_tree(&previous)?;
    if site_root.exists() {
        std::fs::rename(&site_root, &previous).map_err(site::io(&site_root))?;
    }
    std::fs::rename(&staging, &site_root).map_err(site::io(&staging))?;
    site::remove_tree(&previous)?;
    println!(
        "==> built in {:.0} s: {} and {}",
        started.elapsed().as_secs_f64(),
        target.join("release").join(&project.bin_target).display(),
        site_root.display()
    );
    Ok(())
}

/// Lays the site out in `staging`: the browser crate built for wasm32 in its own target folder
/// (as cargo-leptos does; sharing the server's would make the two builds wait on its lock), its
/// bindings, wasm-opt, the minified loader and stylesheet, and `public/`.
fn build_site(
    root: &Path,
    project: &Project,
    target: &Path,
    staging: &Path,
) -> Result<(), BuildError> {
    let profile = &project.lib_profile_release;
    let browser_target = target.join("front");
    let mut browser = vec![
        format!("--package={}", project.lib_package),
        "--lib".to_owned(),
        "--target=wasm32-unknown-unknown".to_owned(),
        format!("--profile={profile}"),
        format!("--target-dir={}", browser_target.display()),
    ];
    browser.extend(feature_args(
        project.lib_default_features,
        &project.lib_features,
    ));
    step(
        &format!("site: browser crate, {profile} build for wasm32"),
        || cargo_build(root, project, &browser),
    )?;

    site::remove_tree(staging)?;
    let pkg = staging.join(&project.site_pkg_dir);
    std::fs::create_dir_all(&pkg).map_err(site::io(&pkg))?;
    let name = &project.name;
    let built = browser_target
        .join("wasm32-unknown-unknown")
        .join(profile)
        .join(format!("{}.wasm", project.lib_package.replace('-', "_")));
    step("site: wasm-bindgen", || {
        Ok(site::bindgen(&built, name, &pkg)?)
    })?;
    let wasm = pkg.join(format!("{name}.wasm"));
    step("site: wasm-opt", || Ok(site::optimize_wasm(root, &wasm)?))?;
    let js = pkg.join(format!("{name}.js"));
    step("site: minify the JavaScript", || {
        Ok(site::minify_js(root, &js)?)
    })?;
    step("site: stylesheet", || {
        let css = site::stylesheet(&root.join(&project.style_file), &project.browserquery)?;
        let file = pkg.join(format!("{name}.css"));
        std::fs::write(&file, css).map_err(site::io(&file))?;
        Ok(())
    })?;
    step("site: static files", || {
        Ok(site::copy_tree(&root.join(&project.assets_dir), staging)?)
    })
}
