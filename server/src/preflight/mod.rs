//! `orbital preflight`: checks a cluster before Orbital is installed in it — its Kubernetes
//! version, the API groups Orbital needs, that the caller may create what the chart creates,
//! and that the nodes have room for the replicas' requests — and reports each finding as pass,
//! warn or fail with what to do.

mod capacity;
mod checks;
mod requirements;

use std::path::PathBuf;

pub use requirements::Component;

use crate::cli::PreflightArgs;

/// Why the checks could not run at all.
#[derive(Debug, thiserror::Error)]
pub enum PreflightError {
    /// The kubeconfig could not be read or used.
    #[error("the kubeconfig {} cannot be used: {reason}", path.display())]
    Kubeconfig {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
}

/// How a check came out.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Outcome {
    /// Nothing to do.
    Pass,
    /// Orbital installs, but something deserves a look.
    Warn,
    /// Orbital would not run as asked.
    Fail,
}

impl Outcome {
    fn label(self) -> &'static str {
        match self {
            Self::Pass => "PASS",
            Self::Warn => "WARN",
            Self::Fail => "FAIL",
        }
    }
}

/// One finding of a check.
#[derive(Clone, Debug)]
pub struct Finding {
    /// Which check.
    pub check: &'static str,
    /// How it came out.
    pub outcome: Outcome,
    /// What was found.
    pub detail: String,
    /// What to do about it, unless it passed.
    pub remedy: Option<String>,
}

impl Finding {
    fn pass(check: &'static str, detail: String) -> Self {
        Self {
            check,
            outcome: Outcome::Pass,
            detail,
            remedy: None,
        }
    }

    fn unmet(check: &'static str, outcome: Outcome, detail: String, remedy: String) -> Self {
        Self {
            check,
            outcome,
            detail,
            remedy: Some(remedy),
        }
    }
}

/// Runs every check and prints the report; `Ok(true)` when nothing failed.
pub async fn run(args: PreflightArgs) -> Result<bool, PreflightError> {
    let failed = |reason: String| PreflightError::Kubeconfig {
        path: args.kubeconfig.clone(),
        reason,
    };
    let text = std::fs::read_to_string(&args.kubeconfig).map_err(|e| failed(e.to_string()))?;
    let client = orbital_federation::client_from_kubeconfig(&text, args.context.as_deref())
        .await
        .map_err(failed)?;
    println!(
        "Orbital pre-flight: {} mode, {} replica(s), on the cluster of {}",
        args.mode.value(),
        args.replicas,
        args.kubeconfig.display()
    );
    let findings = checks::all(&client, args.mode, args.replicas, &args.namespace).await;
    for finding in &findings {
        println!(
            "{}  {}: {}",
            finding.outcome.label(),
            finding.check,
            finding.detail
        );
        if let Some(remedy) = &finding.remedy {
            println!("      what to do: {remedy}");
        }
    }
    let worst = findings
        .iter()
        .map(|finding| finding.outcome)
        .max()
        .unwrap_or(Outcome::Pass);
    println!("Result: {}", worst.label());
    Ok(worst != Outcome::Fail)
}
