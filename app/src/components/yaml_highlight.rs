//! YAML split into the pieces an editor colours: keys, values, comments and document markers.

/// What a piece of a YAML line is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Piece {
    /// Indentation, `- `, `: ` and other punctuation.
    Plain,
    /// A mapping key.
    Key,
    /// A quoted or plain string value.
    Text,
    /// A number, boolean or null.
    Literal,
    /// A comment.
    Comment,
    /// `---` between documents.
    Marker,
}

impl Piece {
    /// The CSS class the piece is shown with.
    pub(crate) fn class(self) -> &'static str {
        match self {
            Self::Plain => "y-plain",
            Self::Key => "y-key",
            Self::Text => "y-text",
            Self::Literal => "y-literal",
            Self::Comment => "y-comment",
            Self::Marker => "y-marker",
        }
    }
}

/// A value's piece: literals apart from text.
fn value_piece(value: &str) -> Piece {
    let bare = value.trim();
    let literal = matches!(bare, "true" | "false" | "null" | "~" | "{}" | "[]")
        || bare.parse::<f64>().is_ok();
    if literal { Piece::Literal } else { Piece::Text }
}

/// Where a comment starts in `line`: a `#` at the start or after a space, outside quotes.
fn comment_start(line: &str) -> Option<usize> {
    let mut quote = None;
    let mut previous = ' ';
    for (at, c) in line.char_indices() {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(open), c) if c == open => quote = None,
            (None, '#') if previous.is_whitespace() => return Some(at),
            _ => {}
        }
        previous = c;
    }
    None
}

/// The pieces of one line, which put together give the line back.
pub(crate) fn line_pieces(line: &str) -> Vec<(Piece, &str)> {
    if line.trim_end() == "---" || line.trim_end() == "..." {
        return vec![(Piece::Marker, line)];
    }
    let (code, comment) = match comment_start(line) {
        Some(at) => (&line[..at], Some(&line[at..])),
        None => (line, None),
    };
    let mut pieces = Vec::new();
    let body = code.trim_start();
    let mut rest = body;
    pieces.push((Piece::Plain, &code[..code.len() - body.len()]));
    while let Some(after) = rest.strip_prefix("- ") {
        pieces.push((Piece::Plain, "- "));
        rest = after;
    }
    let key_end = rest
        .find(": ")
        .or_else(|| {
            rest.trim_end()
                .ends_with(':')
                .then(|| rest.trim_end().len() - 1)
        })
        .filter(|at| {
            !rest[..*at].starts_with(['"', '\'', '{', '[']) || rest[..*at].ends_with(['"', '\''])
        });
    match key_end {
        Some(at) => {
            pieces.push((Piece::Key, &rest[..at]));
            pieces.push((Piece::Plain, &rest[at..at + 1]));
            let value = &rest[at + 1..];
            let trimmed = value.trim_start();
            pieces.push((Piece::Plain, &value[..value.len() - trimmed.len()]));
            if !trimmed.is_empty() {
                pieces.push((value_piece(trimmed), trimmed));
            }
        }
        None if !rest.is_empty() => pieces.push((value_piece(rest), rest)),
        None => {}
    }
    if let Some(comment) = comment {
        pieces.push((Piece::Comment, comment));
    }
    pieces.retain(|(_, text)| !text.is_empty());
    pieces
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_split_into_keys_values_and_comments_and_read_back_whole() {
        let lines = [
            "apiVersion: apps/v1",
            "  replicas: 3 # three",
            "  - name: web",
            "    labels:",
            "      ready: true",
            "---",
            "  - plain item",
            "  url: \"http://a#b\"",
        ];
        for line in lines {
            let joined: String = line_pieces(line).iter().map(|(_, text)| *text).collect();
            assert_eq!(joined, line);
        }
        let kinds = |line| {
            line_pieces(line)
                .into_iter()
                .filter(|(piece, _)| *piece != Piece::Plain)
                .collect::<Vec<_>>()
        };
        assert_eq!(
            kinds("  replicas: 3 # three"),
            [
                (Piece::Key, "replicas"),
                (Piece::Literal, "3 "),
                (Piece::Comment, "# three")
            ]
        );
        assert_eq!(
            kinds("  - name: web"),
            [(Piece::Key, "name"), (Piece::Text, "web")]
        );
        assert_eq!(kinds("    labels:"), [(Piece::Key, "labels")]);
        assert_eq!(kinds("---"), [(Piece::Marker, "---")]);
        assert_eq!(
            kinds("  url: \"http://a#b\""),
            [(Piece::Key, "url"), (Piece::Text, "\"http://a#b\"")]
        );
    }
}
