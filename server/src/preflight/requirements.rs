//! What each part of Orbital requests per replica: the figures of the README's "Before you
//! enable multi-cluster management" table, which the chart's defaults also state.

use clap::ValueEnum;

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

/// CPU and memory, as a pod requests them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Amount {
    /// CPU in millicores.
    pub millicores: u64,
    /// Memory in bytes.
    pub bytes: u64,
}

impl Amount {
    /// `self` taken `count` times.
    pub fn times(self, count: u64) -> Self {
        Self {
            millicores: self.millicores.saturating_mul(count),
            bytes: self.bytes.saturating_mul(count),
        }
    }

    /// Whether `need` fits in `self`.
    pub fn covers(self, need: Self) -> bool {
        self.millicores >= need.millicores && self.bytes >= need.bytes
    }

    /// `self` less `other`, none below zero.
    pub fn less(self, other: Self) -> Self {
        Self {
            millicores: self.millicores.saturating_sub(other.millicores),
            bytes: self.bytes.saturating_sub(other.bytes),
        }
    }
}

impl std::fmt::Display for Amount {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}m CPU and {}Mi memory",
            self.millicores,
            self.bytes / (1024 * 1024)
        )
    }
}

impl Component {
    /// What one replica requests.
    pub fn requests(self) -> Amount {
        const MI: u64 = 1024 * 1024;
        match self {
            Self::Host => Amount {
                millicores: 100,
                bytes: 128 * MI,
            },
            Self::Member => Amount {
                millicores: 50,
                bytes: 96 * MI,
            },
            Self::Agent => Amount {
                millicores: 20,
                bytes: 32 * MI,
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
            let stated = Amount {
                millicores: orbital_syntax::millicores(cells[2]),
                bytes: orbital_syntax::bytes(cells[4]),
            };
            assert_eq!(component.requests(), stated, "{row}");
        }
    }

    #[test]
    fn amounts_add_up_and_compare() {
        let one = Component::Host.requests();
        assert_eq!(one.times(2).millicores, 200);
        assert!(one.times(2).covers(one));
        assert!(!one.covers(one.times(2)));
        assert_eq!(one.less(one.times(2)), Amount::default());
        assert_eq!(one.to_string(), "100m CPU and 128Mi memory");
    }
}
