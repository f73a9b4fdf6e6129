//! The command line: subcommands and their options, each option also read from `ORBITAL_*`.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use orbital_app::ConsoleMode;

use crate::preflight::Component;

/// Orbital: a multi-cluster Kubernetes console.
#[derive(Debug, Parser)]
#[command(name = "orbital", version, args_conflicts_with_subcommands = true)]
pub struct Cli {
    /// What to run; `serve` when none is given.
    #[command(subcommand)]
    pub command: Option<Command>,

    /// Options of `serve`, accepted without the subcommand too.
    #[command(flatten)]
    pub serve: ServeArgs,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the web console.
    Serve(ServeArgs),
    /// Run the agent of a member cluster whose network the host console cannot dial: it dials
    /// out to the host and serves the host's requests to this cluster over that connection.
    Agent(AgentArgs),
    /// Check a cluster before installing Orbital in it: its version, the API groups Orbital
    /// needs, your rights to create what the chart creates, and room for the replicas.
    Preflight(PreflightArgs),
    /// Work with Helm charts as the App Store does.
    #[command(subcommand)]
    Chart(ChartCommand),
    /// Run a sandbox cluster: a Kubernetes-compatible API server with a persistent store.
    #[cfg(feature = "sandbox")]
    Sandbox(SandboxArgs),
}

/// The subcommands of `orbital chart`.
#[derive(Debug, Subcommand)]
pub enum ChartCommand {
    /// Render a chart's templates locally and print the manifests, exactly as
    /// `helm template` does with the same arguments.
    Template(ChartTemplateArgs),
}

/// Options of `orbital chart template`: `helm template`'s.
#[derive(Clone, Debug, Args)]
pub struct ChartTemplateArgs {
    /// The release name (`release-name` when left out), or the chart when it is alone.
    #[arg(value_name = "NAME")]
    pub name: String,

    /// The chart, a directory or a `.tgz` archive.
    #[arg(value_name = "CHART")]
    pub chart: Option<String>,

    /// The release's namespace.
    #[arg(short = 'n', long)]
    pub namespace: Option<String>,

    /// A values file (repeated, or comma-separated); later files win.
    #[arg(short = 'f', long = "values", value_delimiter = ',')]
    pub values: Vec<PathBuf>,

    /// Values `a.b=1,c=x` (repeated), typed as Helm types them.
    #[arg(long)]
    pub set: Vec<String>,

    /// Values `a.b=1` (repeated), always strings.
    #[arg(long)]
    pub set_string: Vec<String>,

    /// Values `a.b={"json":true}` (repeated), read as JSON.
    #[arg(long)]
    pub set_json: Vec<String>,

    /// The Kubernetes version templates see as `.Capabilities.KubeVersion`.
    #[arg(long)]
    pub kube_version: Option<String>,

    /// API versions added to `.Capabilities.APIVersions` (repeated, or comma-separated).
    #[arg(short = 'a', long, value_delimiter = ',')]
    pub api_versions: Vec<String>,

    /// Print the chart's CRDs (`crds/`) first.
    #[arg(long)]
    pub include_crds: bool,

    /// Leave out test hooks.
    #[arg(long)]
    pub skip_tests: bool,

    /// Render as an upgrade (`.Release.IsUpgrade`) rather than an install.
    #[arg(long)]
    pub is_upgrade: bool,

    /// Leave out hooks.
    #[arg(long)]
    pub no_hooks: bool,
}

/// Options of `orbital preflight`.
#[derive(Clone, Debug, Args)]
pub struct PreflightArgs {
    /// The kubeconfig of the cluster to check, as you would install with it.
    #[arg(long, env = "ORBITAL_PREFLIGHT_KUBECONFIG")]
    pub kubeconfig: PathBuf,

    /// The kubeconfig context to use; its current context by default.
    #[arg(long, env = "ORBITAL_PREFLIGHT_CONTEXT")]
    pub context: Option<String>,

    /// What is to be installed: the host console, a member's console or a member's agent.
    #[arg(long, env = "ORBITAL_PREFLIGHT_MODE", value_enum, default_value_t = Component::Host)]
    pub mode: Component,

    /// How many replicas.
    #[arg(long, env = "ORBITAL_PREFLIGHT_REPLICAS", default_value_t = 1,
          value_parser = clap::value_parser!(u64).range(1..=100))]
    pub replicas: u64,

    /// The namespace the chart is to be installed in.
    #[arg(
        long,
        env = "ORBITAL_PREFLIGHT_NAMESPACE",
        default_value = "orbital-system"
    )]
    pub namespace: String,
}

/// Options of `orbital agent`.
#[derive(Clone, Debug, Args)]
pub struct AgentArgs {
    /// The host console's address (`https://console.example.com`; `http://` sends the token
    /// unencrypted, so only within a trusted network).
    #[arg(long, env = "ORBITAL_HOST_URL")]
    pub host_url: String,

    /// The name this cluster is joined under on the host.
    #[arg(long, env = "ORBITAL_AGENT_CLUSTER")]
    pub cluster: String,

    /// The file holding the cluster's join token (read again before each connection).
    #[arg(long, env = "ORBITAL_AGENT_TOKEN_FILE")]
    pub token_file: PathBuf,

    /// The kubeconfig of this cluster; without it, the service account of the pod the agent
    /// runs in.
    #[arg(long, env = "ORBITAL_AGENT_KUBECONFIG")]
    pub kubeconfig: Option<PathBuf>,

    /// The kubeconfig context to use; its current context by default.
    #[arg(long, env = "ORBITAL_AGENT_CONTEXT", requires = "kubeconfig")]
    pub context: Option<String>,

    /// A CA certificate (PEM) that issued the host console's certificate, trusted besides the
    /// system's CAs.
    #[arg(long, env = "ORBITAL_AGENT_CA_FILE")]
    pub ca_file: Option<PathBuf>,
}

/// Options of `orbital sandbox`.
#[cfg(feature = "sandbox")]
#[derive(Clone, Debug, Args)]
pub struct SandboxArgs {
    /// Address and port the API server listens on (HTTPS).
    #[arg(long, env = "ORBITAL_SANDBOX_LISTEN", default_value = "127.0.0.1:6443")]
    pub listen: SocketAddr,

    /// Directory for the sandbox's store, CA and token; created if missing.
    #[arg(
        long,
        env = "ORBITAL_SANDBOX_DATA_DIR",
        default_value = "./.orbital/sandbox"
    )]
    pub data_dir: PathBuf,

    /// The cluster's name in the kubeconfig.
    #[arg(long, env = "ORBITAL_SANDBOX_NAME", default_value = "sandbox")]
    pub name: String,

    /// Where to write a kubeconfig for the sandbox; by default `kubeconfig` in the data directory.
    #[arg(long, env = "ORBITAL_SANDBOX_KUBECONFIG_OUT")]
    pub kubeconfig_out: Option<PathBuf>,

    /// How many simulated nodes the cluster has.
    #[arg(long, env = "ORBITAL_SANDBOX_NODES", default_value_t = 3,
          value_parser = clap::value_parser!(u16).range(1..=1000))]
    pub nodes: u16,

    /// Run no simulation: no nodes, scheduler, kubelets or workload controllers; objects stay
    /// exactly as clients write them.
    #[arg(long, env = "ORBITAL_SANDBOX_NO_SIMULATION")]
    pub no_simulation: bool,

    /// Start without the seed workloads (`kube-system` add-ons and the `demo` namespace).
    #[arg(long, env = "ORBITAL_SANDBOX_EMPTY")]
    pub empty: bool,
}

/// Options of `orbital serve`.
#[derive(Clone, Debug, Args)]
pub struct ServeArgs {
    /// Address and port the console listens on.
    #[arg(long, env = "ORBITAL_LISTEN", default_value = "127.0.0.1:3000")]
    pub listen: SocketAddr,

    /// Turn the App Store on. On the host it serves the pool of applications to every member;
    /// a member always uses its host's, whatever its own switch says.
    #[arg(long, env = "ORBITAL_APP_STORE")]
    pub app_store: bool,

    /// Directory for the console's local data; created if missing.
    #[arg(long, env = "ORBITAL_DATA_DIR", default_value = "./.orbital")]
    pub data_dir: PathBuf,

    /// Whether this console is the federation's host or a member cluster's own console.
    #[arg(long, env = "ORBITAL_MODE", value_enum, default_value_t = ConsoleMode::Host)]
    pub mode: ConsoleMode,

    /// The kubeconfig of the cluster this console runs on (the host cluster, or in member mode
    /// the member itself). Without it, and outside a cluster, the console starts its embedded
    /// sandbox clusters under the data directory.
    #[arg(long, env = "ORBITAL_KUBECONFIG")]
    pub kubeconfig: Option<PathBuf>,

    /// The kubeconfig context to use; its current context by default.
    #[arg(long, env = "ORBITAL_CONTEXT", requires = "kubeconfig")]
    pub context: Option<String>,

    /// In member mode: the name the local cluster goes by in URLs (`/clusters/{name}/...`).
    #[arg(long, env = "ORBITAL_CLUSTER_NAME", default_value = "local")]
    pub cluster_name: String,

    /// Where the host console is (`https://console.example.com`): in member mode, the host this
    /// member belongs to; in host mode, this console's own address as the members it joins
    /// record it (`http://` and the listen address when not given).
    #[arg(long, env = "ORBITAL_HOST_URL", value_parser = parse_host_url)]
    pub host_url: Option<String>,

    /// Where the other replicas of this host console reach this one (`http://10.0.0.7:3000`,
    /// plain HTTP inside the host cluster). With it, replicas relay to each other the requests
    /// of members whose agent is connected to another replica; without it, a replica reaches
    /// only the agent members connected to it.
    #[arg(long, env = "ORBITAL_PEER_URL", value_parser = parse_peer_url)]
    pub peer_url: Option<String>,

    /// Serve HTTPS with this certificate chain (PEM); needs --tls-key.
    #[arg(
        long,
        env = "ORBITAL_TLS_CERT",
        requires = "tls_key",
        conflicts_with = "tls_self_signed"
    )]
    pub tls_cert: Option<PathBuf>,

    /// The private key (PEM) of --tls-cert.
    #[arg(long, env = "ORBITAL_TLS_KEY", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,

    /// Serve HTTPS with a certificate from a CA the console generates once in
    /// `<data-dir>/tls` (`ca.crt` is what clients trust).
    #[arg(long, env = "ORBITAL_TLS_SELF_SIGNED")]
    pub tls_self_signed: bool,

    /// Where every changing request is recorded, one audit event a line;
    /// `<data-dir>/audit.log` by default.
    #[arg(long, env = "ORBITAL_AUDIT_LOG")]
    pub audit_log: Option<PathBuf>,

    /// Mark the session cookie `Secure` (users reach the console over HTTPS, perhaps through a
    /// proxy that terminates TLS). On by default when the console serves HTTPS, or in host
    /// mode when --host-url is an https:// URL.
    #[arg(long, env = "ORBITAL_SECURE_COOKIES")]
    pub secure_cookies: Option<bool>,
}

impl ServeArgs {
    /// Whether the session cookie is marked `Secure`.
    pub fn secure_cookies(&self) -> bool {
        self.secure_cookies.unwrap_or_else(|| {
            self.serves_tls()
                || self.mode == ConsoleMode::Host
                    && self
                        .host_url
                        .as_deref()
                        .is_some_and(|url| url.starts_with("https://"))
        })
    }

    /// Whether the console serves HTTPS itself.
    pub fn serves_tls(&self) -> bool {
        self.tls_cert.is_some() || self.tls_self_signed
    }
}

/// A replica's address for its peers: an absolute `http` URL, kept without a trailing slash.
fn parse_peer_url(text: &str) -> Result<String, String> {
    match text.strip_prefix("http://") {
        Some(rest) if !rest.is_empty() && !rest.starts_with('/') => {
            Ok(text.trim_end_matches('/').to_owned())
        }
        _ => Err(format!(
            "{text:?} is not an http:// URL with a host (replicas talk plain HTTP inside the cluster)"
        )),
    }
}

/// A host console address: an absolute `http` or `https` URL, kept without a trailing slash.
fn parse_host_url(text: &str) -> Result<String, String> {
    let rest = text
        .strip_prefix("https://")
        .or_else(|| text.strip_prefix("http://"))
        .ok_or_else(|| format!("{text:?} is not an http:// or https:// URL"))?;
    if rest.is_empty() || rest.starts_with('/') || rest.contains(char::is_whitespace) {
        return Err(format!("{text:?} names no host"));
    }
    Ok(text.trim_end_matches('/').to_owned())
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;
    use clap::error::ErrorKind;

    use super::*;

    #[test]
    fn definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn no_subcommand_means_serve_with_defaults() {
        let cli = Cli::try_parse_from(["orbital"]).unwrap();
        assert!(cli.command.is_none());
        assert_eq!(cli.serve.listen, "127.0.0.1:3000".parse().unwrap());
        assert_eq!(cli.serve.mode, ConsoleMode::Host);
    }

    #[test]
    fn serve_takes_its_options() {
        let cli = Cli::try_parse_from([
            "orbital",
            "serve",
            "--listen",
            "0.0.0.0:8080",
            "--mode",
            "member",
            "--data-dir",
            "/tmp/x",
        ])
        .unwrap();
        let Some(Command::Serve(args)) = cli.command else {
            panic!("expected serve");
        };
        assert_eq!(args.listen, "0.0.0.0:8080".parse().unwrap());
        assert_eq!(args.mode, ConsoleMode::Member);
        assert_eq!(args.data_dir, PathBuf::from("/tmp/x"));
    }

    #[test]
    fn rejects_unknown_flags_and_bad_values() {
        let unknown = Cli::try_parse_from(["orbital", "--bogus"]).unwrap_err();
        assert_eq!(unknown.kind(), ErrorKind::UnknownArgument);
        let bad_mode = Cli::try_parse_from(["orbital", "--mode", "leader"]).unwrap_err();
        assert_eq!(bad_mode.kind(), ErrorKind::InvalidValue);
        let bad_addr = Cli::try_parse_from(["orbital", "--listen", "nowhere"]).unwrap_err();
        assert_eq!(bad_addr.kind(), ErrorKind::ValueValidation);
        for url in [
            "console.example.com",
            "ftp://x",
            "https://",
            "https:///path",
        ] {
            let bad_url = Cli::try_parse_from(["orbital", "--host-url", url]).unwrap_err();
            assert_eq!(bad_url.kind(), ErrorKind::ValueValidation, "{url}");
        }
        // Replicas talk plain HTTP to each other.
        for url in ["https://10.0.0.7:3000", "http://", "10.0.0.7:3000"] {
            let bad_peer = Cli::try_parse_from(["orbital", "--peer-url", url]).unwrap_err();
            assert_eq!(bad_peer.kind(), ErrorKind::ValueValidation, "{url}");
        }
        let peer = Cli::try_parse_from(["orbital", "--peer-url", "http://10.0.0.7:3000/"]).unwrap();
        assert_eq!(peer.serve.peer_url.as_deref(), Some("http://10.0.0.7:3000"));
    }

    #[test]
    fn host_url_loses_its_trailing_slash() {
        let cli =
            Cli::try_parse_from(["orbital", "--host-url", "https://console.example.com/"]).unwrap();
        assert_eq!(
            cli.serve.host_url.as_deref(),
            Some("https://console.example.com")
        );
    }
}
