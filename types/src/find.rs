//! What the command palette finds: clusters, namespaces, kinds and objects by name, across
//! every cluster the caller may see.

use serde::{Deserialize, Serialize};

use crate::Failure;

/// The most results one search answers.
pub const FOUND_LIMIT: usize = 20;

/// The longest text a search takes, in characters.
pub const FIND_TEXT_MAX: usize = 100;

/// What a found thing is; results are grouped in this order when they match equally well.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum FoundWhat {
    /// A cluster.
    Cluster,
    /// A namespace on a cluster.
    Namespace,
    /// A kind a cluster serves.
    Kind,
    /// An object on a cluster.
    Object,
}

/// How well a name matches a search, best first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Match {
    /// The whole name.
    Exact,
    /// The name starts with the text.
    Prefix,
    /// The text is somewhere in the name.
    Inside,
}

impl Match {
    /// How `name` matches `needle` (already lower case), ignoring case; `None` if it does not.
    pub fn of(name: &str, needle: &str) -> Option<Self> {
        let name = name.to_lowercase();
        if name == needle {
            Some(Self::Exact)
        } else if name.starts_with(needle) {
            Some(Self::Prefix)
        } else if name.contains(needle) {
            Some(Self::Inside)
        } else {
            None
        }
    }
}

/// One thing found, with the console's page for it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Found {
    /// What it is.
    pub what: FoundWhat,
    /// Its name (`web-7d4b9-x2x`, `member-1`, `Deployment`).
    pub name: String,
    /// What it is and where, in a few words (`Pod in demo on member-1`).
    pub detail: String,
    /// The console's page for it.
    pub href: String,
}

/// What one search answers: the best matches, and the clusters that could not answer.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Findings {
    /// At most [`FOUND_LIMIT`], the best first.
    pub found: Vec<Found>,
    /// Clusters left out because they could not answer.
    pub missing: Vec<Failure>,
}

impl Findings {
    /// The best [`FOUND_LIMIT`] of `candidates` for `needle`: exact names first, then names
    /// that start with it, then the rest; clusters before namespaces, kinds and objects; shorter
    /// names first, then by name. A candidate that does not match is dropped.
    pub fn best(needle: &str, candidates: Vec<Found>, missing: Vec<Failure>) -> Self {
        let mut ranked: Vec<(Match, Found)> = candidates
            .into_iter()
            .filter_map(|found| Match::of(&found.name, needle).map(|rank| (rank, found)))
            .collect();
        ranked.sort_by(|(a_rank, a), (b_rank, b)| {
            (a_rank, a.what, a.name.len(), &a.name, &a.detail).cmp(&(
                b_rank,
                b.what,
                b.name.len(),
                &b.name,
                &b.detail,
            ))
        });
        ranked.dedup_by(|(_, a), (_, b)| a.href == b.href);
        Self {
            found: ranked
                .into_iter()
                .take(FOUND_LIMIT)
                .map(|(_, found)| found)
                .collect(),
            missing,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(what: FoundWhat, name: &str) -> Found {
        Found {
            what,
            name: name.into(),
            detail: String::new(),
            href: format!("/{what:?}/{name}"),
        }
    }

    #[test]
    fn matches_ignore_case_and_rank_exact_before_prefix_before_inside() {
        assert_eq!(Match::of("Web", "web"), Some(Match::Exact));
        assert_eq!(Match::of("web-1", "web"), Some(Match::Prefix));
        assert_eq!(Match::of("cobweb", "web"), Some(Match::Inside));
        assert_eq!(Match::of("api", "web"), None);
        assert!(Match::Exact < Match::Prefix && Match::Prefix < Match::Inside);
    }

    #[test]
    fn the_best_come_first_and_no_more_than_the_limit() {
        let mut candidates = vec![
            found(FoundWhat::Object, "cobweb"),
            found(FoundWhat::Object, "web-longer"),
            found(FoundWhat::Object, "web-1"),
            found(FoundWhat::Namespace, "web-1"),
            found(FoundWhat::Object, "web"),
            found(FoundWhat::Object, "api"),
        ];
        candidates.extend((0..30).map(|n| found(FoundWhat::Object, &format!("zz-web-{n}"))));
        let findings = Findings::best("web", candidates, Vec::new());
        let names: Vec<_> = findings
            .found
            .iter()
            .take(5)
            .map(|found| (found.what, found.name.as_str()))
            .collect();
        assert_eq!(
            names,
            [
                (FoundWhat::Object, "web"),
                (FoundWhat::Namespace, "web-1"),
                (FoundWhat::Object, "web-1"),
                (FoundWhat::Object, "web-longer"),
                (FoundWhat::Object, "cobweb"),
            ]
        );
        assert_eq!(findings.found.len(), FOUND_LIMIT);
        assert!(findings.found.iter().all(|found| found.name != "api"));
    }

    #[test]
    fn one_page_is_offered_once() {
        let twice = vec![found(FoundWhat::Kind, "Pod"), found(FoundWhat::Kind, "Pod")];
        assert_eq!(Findings::best("pod", twice, Vec::new()).found.len(), 1);
    }
}
