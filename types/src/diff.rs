//! Line differences between two texts, as a conflict is shown: what the other change did.

use serde::{Deserialize, Serialize};

/// Whether a line is in both texts, only the first, or only the second.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum LineChange {
    /// In both.
    Same,
    /// Only in the first: taken out.
    Removed,
    /// Only in the second: put in.
    Added,
}

/// One line of a difference.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiffLine {
    /// How it changed.
    pub change: LineChange,
    /// The line.
    pub text: String,
}

/// Texts longer than this are compared line by line in full only up to it; the rest is shown
/// as replaced, so a huge object cannot make the comparison slow.
const MAX_LINES: usize = 4000;

/// The lines taking `before` to `after`, shortest first: a longest common subsequence.
pub fn line_diff(before: &str, after: &str) -> Vec<DiffLine> {
    let a: Vec<&str> = before.lines().collect();
    let b: Vec<&str> = after.lines().collect();
    let (head_a, tail_a) = a.split_at(a.len().min(MAX_LINES));
    let (head_b, tail_b) = b.split_at(b.len().min(MAX_LINES));
    let mut lines = common_subsequence(head_a, head_b);
    let line = |change, text: &&str| DiffLine {
        change,
        text: (*text).to_owned(),
    };
    lines.extend(tail_a.iter().map(|text| line(LineChange::Removed, text)));
    lines.extend(tail_b.iter().map(|text| line(LineChange::Added, text)));
    lines
}

fn common_subsequence(a: &[&str], b: &[&str]) -> Vec<DiffLine> {
    // Lines shared at both ends need no table.
    let prefix = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let suffix = a[prefix..]
        .iter()
        .rev()
        .zip(b[prefix..].iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let (middle_a, middle_b) = (&a[prefix..a.len() - suffix], &b[prefix..b.len() - suffix]);
    let (n, m) = (middle_a.len(), middle_b.len());
    // lengths[i][j]: the longest common subsequence of middle_a[i..] and middle_b[j..].
    let mut lengths = vec![vec![0u32; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lengths[i][j] = if middle_a[i] == middle_b[j] {
                lengths[i + 1][j + 1] + 1
            } else {
                lengths[i + 1][j].max(lengths[i][j + 1])
            };
        }
    }
    let line = |change, text: &str| DiffLine {
        change,
        text: text.to_owned(),
    };
    let mut lines: Vec<DiffLine> = a[..prefix]
        .iter()
        .map(|text| line(LineChange::Same, text))
        .collect();
    let (mut i, mut j) = (0, 0);
    while i < n || j < m {
        if i < n && j < m && middle_a[i] == middle_b[j] {
            lines.push(line(LineChange::Same, middle_a[i]));
            i += 1;
            j += 1;
        } else if i < n && (j == m || lengths[i + 1][j] >= lengths[i][j + 1]) {
            // Removals before additions, as a unified diff shows them.
            lines.push(line(LineChange::Removed, middle_a[i]));
            i += 1;
        } else {
            lines.push(line(LineChange::Added, middle_b[j]));
            j += 1;
        }
    }
    lines.extend(
        a[a.len() - suffix..]
            .iter()
            .map(|text| line(LineChange::Same, text)),
    );
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(lines: &[DiffLine]) -> Vec<String> {
        lines
            .iter()
            .map(|line| {
                let mark = match line.change {
                    LineChange::Same => ' ',
                    LineChange::Removed => '-',
                    LineChange::Added => '+',
                };
                format!("{mark}{}", line.text)
            })
            .collect()
    }

    #[test]
    fn a_changed_line_is_removed_and_added_between_the_same_lines() {
        let before = "kind: Deployment\nspec:\n  replicas: 2\n  paused: false\n";
        let after = "kind: Deployment\nspec:\n  replicas: 5\n  paused: false\n  extra: 1\n";
        assert_eq!(
            render(&line_diff(before, after)),
            [
                " kind: Deployment",
                " spec:",
                "-  replicas: 2",
                "+  replicas: 5",
                "   paused: false",
                "+  extra: 1",
            ]
        );
    }

    #[test]
    fn equal_texts_differ_nowhere_and_empty_ones_in_every_line() {
        assert!(
            line_diff("a\nb", "a\nb")
                .iter()
                .all(|line| line.change == LineChange::Same)
        );
        assert_eq!(render(&line_diff("", "a\nb")), ["+a", "+b"]);
        assert_eq!(render(&line_diff("a\nb", "")), ["-a", "-b"]);
    }
}
