//! The site settings of `[[workspace.metadata.leptos]]` in the workspace's `Cargo.toml`, the
//! one table that both this build and cargo-leptos read.

use std::path::Path;

use serde::Deserialize;

/// Why the settings could not be read.
#[derive(Debug, thiserror::Error)]
pub enum MetadataError {
    /// `Cargo.toml` could not be read.
    #[error("could not read {path}: {source}")]
    Read {
        /// The file.
        path: String,
        /// What the system said.
        source: std::io::Error,
    },
    /// `Cargo.toml` is not valid TOML or lacks a setting.
    #[error("Cargo.toml: {0}")]
    Invalid(#[from] toml::de::Error),
    /// The table is missing, or there are several.
    #[error("Cargo.toml must hold exactly one [[workspace.metadata.leptos]] table, it holds {0}")]
    Projects(usize),
}

/// One site: the server binary, the browser crate and the files around them.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct Project {
    /// The bundle's file names: `{name}.js`, `{name}.wasm`, `{name}.css`.
    pub name: String,
    /// The package of the server binary.
    pub bin_package: String,
    /// The server binary's target name.
    pub bin_target: String,
    /// The server's features.
    #[serde(default)]
    pub bin_features: Vec<String>,
    /// Whether the server keeps its default features.
    #[serde(default = "yes")]
    pub bin_default_features: bool,
    /// The browser crate, built for `wasm32-unknown-unknown`.
    pub lib_package: String,
    /// The browser crate's features.
    #[serde(default)]
    pub lib_features: Vec<String>,
    /// Whether the browser crate keeps its default features.
    #[serde(default = "yes")]
    pub lib_default_features: bool,
    /// The cargo profile of the browser build.
    pub lib_profile_release: String,
    /// Where the site is laid out, from the workspace root.
    pub site_root: String,
    /// The bundle's folder inside the site.
    pub site_pkg_dir: String,
    /// The stylesheet, minified into `{site_pkg_dir}/{name}.css`.
    pub style_file: String,
    /// Copied as they are to the site's root.
    pub assets_dir: String,
    /// The browsers the stylesheet must work in, as a browserslist query.
    pub browserquery: String,
    /// The address a server built for this site listens on by default.
    pub site_addr: String,
    /// The live-reload port cargo-leptos's `watch` uses.
    pub reload_port: u16,
    /// Whether views are type-erased in release builds too.
    #[serde(default)]
    pub always_erase_components: bool,
}

fn yes() -> bool {
    true
}

#[derive(Deserialize)]
struct Manifest {
    workspace: Workspace,
}

#[derive(Deserialize)]
struct Workspace {
    metadata: Metadata,
}

#[derive(Deserialize)]
struct Metadata {
    leptos: Vec<Project>,
}

impl Project {
    /// The site settings of the workspace at `root`.
    pub fn read(root: &Path) -> Result<Self, MetadataError> {
        let path = root.join("Cargo.toml");
        let text = std::fs::read_to_string(&path).map_err(|source| MetadataError::Read {
            path: path.display().to_string(),
            source,
        })?;
        Self::parse(&text)
    }

    fn parse(manifest: &str) -> Result<Self, MetadataError> {
        let mut projects = toml::from_str::<Manifest>(manifest)?
            .workspace
            .metadata
            .leptos;
        match projects.len() {
            1 => Ok(projects.remove(0)),
            count => Err(MetadataError::Projects(count)),
        }
    }

    /// The variables both builds are compiled with, as cargo-leptos sets them: Leptos reads
    /// `LEPTOS_OUTPUT_NAME` at compile time to name the WASM file the pages load.
    pub fn compile_env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("LEPTOS_OUTPUT_NAME", self.name.clone()),
            ("LEPTOS_SITE_ROOT", self.site_root.clone()),
            ("LEPTOS_SITE_PKG_DIR", self.site_pkg_dir.clone()),
            ("LEPTOS_SITE_ADDR", self.site_addr.clone()),
            ("LEPTOS_RELOAD_PORT", self.reload_port.to_string()),
            ("LEPTOS_JS_MINIFY", "true".to_owned()),
            ("LEPTOS_HASH_FILES", "false".to_owned()),
        ]
    }

    /// Compiler flags the settings ask for, for both builds.
    pub fn rustflags(&self) -> Option<&'static str> {
        self.always_erase_components
            .then_some("--cfg erase_components")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_workspace_manifest_names_one_site_with_its_files() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let project = Project::read(&root).unwrap();
        assert_eq!(project.name, "orbital");
        assert_eq!(project.bin_package, "orbital-server");
        assert!(!project.bin_default_features);
        assert!(root.join(&project.style_file).is_file());
        assert!(root.join(&project.assets_dir).is_dir());
        assert_eq!(project.rustflags(), Some("--cfg erase_components"));
    }

    #[test]
    fn a_manifest_without_the_table_or_with_two_is_refused() {
        let one = r#"
            name = "a"
            bin-package = "b"
            bin-target = "b"
            lib-package = "c"
            lib-profile-release = "release"
            site-root = "target/site"
            site-pkg-dir = "pkg"
            style-file = "s.css"
            assets-dir = "public"
            browserquery = "defaults"
            site-addr = "127.0.0.1:3000"
            reload-port = 3001
        "#;
        let two = format!(
            "[workspace.metadata]\n[[workspace.metadata.leptos]]\n{one}\n[[workspace.metadata.leptos]]\n{one}"
        );
        assert!(matches!(
            Project::parse(&two),
            Err(MetadataError::Projects(2))
        ));
        let none = "[workspace.metadata]\nleptos = []\n";
        assert!(matches!(
            Project::parse(none),
            Err(MetadataError::Projects(0))
        ));
        let project = Project::parse(&format!("[[workspace.metadata.leptos]]\n{one}")).unwrap();
        assert!(project.bin_default_features && project.lib_features.is_empty());
        assert_eq!(project.rustflags(), None);
        assert!(matches!(
            Project::parse("[[workspace.metadata.leptos]]\nname = \"a\"\n"),
            Err(MetadataError::Invalid(_))
        ));
    }
}
