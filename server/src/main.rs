//! The `orbital` binary: parses the command line and runs the chosen subcommand.

mod admin;
mod agent;
mod agents;
mod appstore;
mod audit;
mod auth;
mod chart;
mod cli;
mod clusters;
#[cfg(feature = "sandbox")]
mod embedded;
mod files;
mod form_answer;
mod health;
mod kubeconfig;
mod live;
mod preflight;
mod router;
#[cfg(feature = "sandbox")]
mod sandbox;
mod security;
mod serve;
mod shutdown;
mod telemetry;

use std::process::ExitCode;

use clap::Parser;

use crate::cli::{Cli, Command};

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    telemetry::init();
    let result = match cli.command.unwrap_or(Command::Serve(cli.serve)) {
        Command::Serve(args) => serve::run(args).await.map_err(|e| e.to_string()),
        Command::Agent(args) => agent::run(args).await.map_err(|e| e.to_string()),
        // The report says what failed; the exit status only says that something did.
        Command::Preflight(args) => match preflight::run(args).await {
            Ok(true) => Ok(()),
            Ok(false) => return ExitCode::FAILURE,
            Err(error) => Err(error.to_string()),
        },
        // `helm template`'s contract: the manifests on standard output, or `Error: ` and why.
        Command::Chart(command) => match chart::run(command) {
            Ok(()) => Ok(()),
            Err(error) => {
                eprintln!("Error: {error}");
                return ExitCode::FAILURE;
            }
        },
        #[cfg(feature = "sandbox")]
        Command::Sandbox(args) => sandbox::run(args).await.map_err(|e| e.to_string()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!("{error}");
            eprintln!("orbital: {error}");
            ExitCode::FAILURE
        }
    }
}
