//! `orbital chart`: the App Store's chart renderer on the command line.

use std::io::Write;

use orbital_chart::{ChartError, TemplateRequest, helm_template};

use crate::cli::{ChartCommand, ChartTemplateArgs};

/// Runs an `orbital chart` subcommand.
pub fn run(command: ChartCommand) -> Result<(), ChartError> {
    match command {
        ChartCommand::Template(args) => {
            let rendered = helm_template(&request(args))?;
            std::io::stdout()
                .write_all(rendered.as_bytes())
                .map_err(|error| ChartError::Read(format!("cannot write the output: {error}")))
        }
    }
}

/// `helm template`'s request from its arguments.
fn request(args: ChartTemplateArgs) -> TemplateRequest {
    let (release_name, chart) = match args.chart {
        Some(chart) => (Some(args.name), chart),
        None => (None, args.name),
    };
    TemplateRequest {
        release_name,
        chart: chart.into(),
        namespace: args.namespace,
        value_files: args.values,
        set: args.set,
        set_string: args.set_string,
        set_json: args.set_json,
        kube_version: args.kube_version,
        api_versions: args.api_versions,
        include_crds: args.include_crds,
        skip_tests: args.skip_tests,
        is_upgrade: args.is_upgrade,
        no_hooks: args.no_hooks,
    }
}
