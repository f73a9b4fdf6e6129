//! What each part of Orbital requests per replica: the figures of the README's "Before you
//! enable multi-cluster management" table, which the chart's defaults also state.

use clap::ValueEnum;
use orbital_types::Amounts;

/// A part of Orbital that runs in a cluster.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Component {
    /// The host console.
    Host,
    /// A member cluster's own console.
    Member,
    /// A member's agent.
    Agent,
}

/// `amounts` as the report words them: `100m CPU and 128Mi memory`.
pub fn described(amounts: Amounts) -> String {
    format!(
        "{}m CPU and {}Mi memory",
        amounts.cpu_millis,
        amounts.memory_bytes / (1024 * 1024)
    )
}

impl Component {
    /// What one replica requests.
    pub fn requests(self) -> Amounts {
        const MI: u64 = 1024 * 1024;
        match self {
            Self::Host => Amounts {
                cpu_millis: 100,
                memory_bytes: 128 * MI,
            },
            Self::Member => Amounts {
                cpu_millis: 50,
                memory_bytes: 96 * MI,
            },
            Self::Agent => Amounts {
                cpu_millis: 20,
                memory_bytes: 32 * MI,
            },
        }
    }

    /// Its name on the command line and among the chart's `resources` values.
    pub fn value(self) -> &'static str {
        match self {
            Self::Host => "host",
            Self::Member => "member",
            Self::Agent => "agent",
        }
    }

    /// How the requirements table names it.
    pub fn title(self) -> &'static str {
        match self {
            Self::Host => "Host console",
            Self::Member => "Member console",
            Self::Agent => "Agent",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_requests_are_the_readmes() {
        let readme = include_str!("../../../README.md");
        for component in [Component::Host, Component::Member, Component::Agent] {
            let row = readme
                .lines()
                .find(|line| line.starts_with(&format!("| {} |", component.title())))
                .unwrap();
            let cells: Vec<&str> = row.split('|').map(str::trim).collect();
            let stated = Amounts {
                cpu_millis: orbital_syntax::millicores(cells[2]),
                memory_bytes: orbital_syntax::bytes(cells[4]),
            };
            assert_eq!(component.requests(), stated, "{row}");
        }
    }

    #[test]
    fn amounts_add_up_and_compare() {
        let one = Component::Host.requests();
        assert_eq!(one.times(2).cpu_millis, 200);
        assert!(one.times(2).covers(one));
        assert!(!one.covers(one.times(2)));
        assert_eq!(one.less(one.times(2)), Amounts::default());
        assert_eq!(described(one), "100m CPU and 128Mi memory");
    }
}
