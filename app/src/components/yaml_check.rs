//! What the YAML editor can tell while the text is typed, before the server sees it: the
//! mistakes that are never YAML whatever follows — a tab in a line's indentation, and a key
//! given twice in one mapping. Anything subtler is left to the server's dry run, which names
//! its line on save.

/// The first line (from 1) of `text` with such a mistake, and what it is.
pub(crate) fn first_problem(text: &str) -> Option<(usize, String)> {
    // Each mapping open at this point: its indentation, and its keys with their lines.
    let mut mappings: Vec<(usize, Vec<(String, usize)>)> = Vec::new();
    // Inside a block scalar (`|`, `>`): its lines are those indented deeper than this.
    let mut block: Option<usize> = None;
    // Inside a quoted scalar that goes on over lines: its quote.
    let mut quoted: Option<char> = None;
    for (at, line) in text.split('\n').enumerate() {
        let number = at + 1;
        if let Some(quote) = quoted {
            if closes(line, quote) {
                quoted = None;
            }
            continue;
        }
        let content = line.trim_start_matches([' ', '\t']);
        let margin = &line[..line.len() - content.len()];
        if content.is_empty() || content.starts_with('#') {
            continue;
        }
        if let Some(parent) = block {
            if margin.len() > parent {
                continue;
            }
            block = None;
        }
        if margin.contains('\t') {
            return Some((
                number,
                "a tab indents this line; YAML is indented with spaces only".to_owned(),
            ));
        }
        if content.starts_with("---") || content.starts_with("...") {
            mappings.clear();
            continue;
        }
        // Each `- ` starts a list item, whose own node begins two columns further in.
        let (mut indent, mut rest) = (margin.len(), content);
        while let Some(after) = rest.strip_prefix("- ").or((rest == "-").then_some("")) {
            mappings.retain(|(level, _)| *level <= indent);
            indent += 2 + (after.len() - after.trim_start().len());
            rest = after.trim_start();
        }
        let Some((key, value)) = key_of(rest) else {
            continue;
        };
        mappings.retain(|(level, _)| *level <= indent);
        match mappings.last_mut() {
            Some((level, keys)) if *level == indent => {
                if let Some((_, first)) = keys.iter().find(|(seen, _)| *seen == key) {
                    return Some((
                        number,
                        format!("the key {key:?} is given twice here (first on line {first})"),
                    ));
                }
                keys.push((key, number));
            }
            _ => mappings.push((indent, vec![(key, number)])),
        }
        let value = value.trim_start();
        if value.starts_with('|') || value.starts_with('>') {
            block = Some(indent);
        } else if let Some(quote) = value.chars().next().filter(|c| *c == '"' || *c == '\'')
            && !closes(&value[1..], quote)
        {
            quoted = Some(quote);
        }
    }
    None
}

/// A mapping key at the start of `text` and what follows its colon, if `text` is a key's line.
fn key_of(text: &str) -> Option<(String, &str)> {
    if let Some(quote) = text.chars().next().filter(|c| *c == '"' || *c == '\'') {
        let end = text[1..].find(quote)? + 1;
        let rest = text[end + 1..].strip_prefix(':')?;
        return (rest.is_empty() || rest.starts_with(' ')).then(|| (text[1..end].to_owned(), rest));
    }
    if text.starts_with(['[', '{', '?', '&', '*', '!', '|', '>', '%', '@', '`']) {
        return None;
    }
    let (key, rest) = match text.find(": ") {
        Some(at) => (&text[..at], &text[at + 1..]),
        None => (text.strip_suffix(':')?, ""),
    };
    (!key.contains(" #") && !key.is_empty()).then(|| (key.trim_end().to_owned(), rest))
}

/// Whether `text`, inside a scalar quoted with `quote`, holds the quote that ends it.
fn closes(text: &str, quote: char) -> bool {
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if quote == '"' => {
                chars.next();
            }
            '\'' if quote == '\'' && chars.peek() == Some(&'\'') => {
                chars.next();
            }
            c if c == quote => return true,
            _ => {}
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::first_problem;

    fn line(text: &str) -> Option<usize> {
        first_problem(text).map(|(line, _)| line)
    }

    #[test]
    fn what_kubernetes_writes_is_fine() {
        let manifest = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  labels:\n    app: web\nspec:\n  template:\n    spec:\n      containers:\n      - name: web\n        image: nginx\n        args:\n        - --port\n        - \"80\"\n      - name: sidecar\n        image: busybox\n        command: [\"sh\", \"-c\"]\n  replicas: 3\n";
        assert_eq!(first_problem(manifest), None);
        let scalars = "data:\n  script: |\n    name: a\n    name: a\n  \tindented: with a tab\n  note: \"a long text\n    name: continued\n    name: continued\"\n  other: 'it''s\n    fine'\n  name: once\n";
        assert_eq!(
            first_problem(scalars),
            None,
            "block and quoted scalars are text"
        );
        let documents = "kind: A\n---\nkind: B\n";
        assert_eq!(first_problem(documents), None, "each document its own keys");
        let comments = "a: 1 # a: 2\n# a: 3\nb: \"x: y\"\n";
        assert_eq!(first_problem(comments), None);
    }

    #[test]
    fn a_key_given_twice_in_one_mapping_is_named_with_both_lines() {
        let twice = "metadata:\n  name: web\nspec: {}\nmetadata:\n  name: db\n";
        assert_eq!(
            first_problem(twice),
            Some((
                4,
                "the key \"metadata\" is given twice here (first on line 1)".to_owned()
            ))
        );
        assert_eq!(line("items:\n- name: a\n  name: b\n"), Some(3));
        assert_eq!(
            line("items:\n- name: a\n- name: b\n"),
            None,
            "one item each"
        );
        assert_eq!(line("a:\n  x: 1\nb:\n  x: 2\n"), None, "other mappings");
        assert_eq!(line("\"a\": 1\na: 2\n"), Some(2));
    }

    #[test]
    fn a_tab_in_the_indentation_is_refused() {
        assert_eq!(line("spec:\n\treplicas: 3\n"), Some(2));
        assert_eq!(line("spec:\n  replicas:\t3\n"), None, "a tab after the key");
    }
}
