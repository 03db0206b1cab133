//! Full-text search (incidents, requests, problems, changes, configuration items and knowledge
//! articles): what a query may contain and what a hit looks like. Words are taken from the
//! query (letters and digits; everything else separates words), at most ten of them; every word
//! must match, the last one also as a prefix, so a search box can search as the user types. A
//! query that is a record reference (`INC-42`) finds that record first.

use serde::Serialize;

use crate::error::{Error, Result};
use crate::record::RecordKind;

/// The kinds of record search covers.
pub const SEARCHABLE: &[RecordKind] = &[
    RecordKind::Incident,
    RecordKind::Request,
    RecordKind::Problem,
    RecordKind::Change,
    RecordKind::ConfigurationItem,
    RecordKind::Article,
];

pub const MAX_TERMS: usize = 10;
const MAX_TERM_CHARS: usize = 40;

/// The words of a query, lower-cased, each at most 40 characters.
pub fn terms(q: &str) -> Result<Vec<String>> {
    if q.chars().count() > 500 {
        return Err(Error::invalid("q", "must be at most 500 characters"));
    }
    let words: Vec<String> = q
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| w.chars().take(MAX_TERM_CHARS).collect::<String>().to_lowercase())
        .collect();
    if words.is_empty() {
        return Err(Error::invalid("q", "give at least one word to search for"));
    }
    if words.len() > MAX_TERMS {
        return Err(Error::invalid("q", format!("at most {MAX_TERMS} words")));
    }
    Ok(words)
}

/// Words too common to say what a ticket is about: a suggestion leaves them out.
const COMMON: &[&str] = &[
    "about", "after", "again", "and", "any", "are", "but", "can", "cannot", "could", "does", "doesn", "for", "from",
    "get", "getting", "had", "has", "have", "help", "how", "into", "its", "need", "not", "now", "our", "please",
    "since", "some", "still", "that", "the", "their", "them", "then", "there", "this", "too", "was", "were", "what",
    "when", "where", "which", "why", "will", "with", "won", "would", "you", "your",
];

/// The words of something being typed (a new ticket's title) that say what it is about, to
/// suggest articles by: lower-cased, at least three characters, the common ones left out, each
/// once, at most ten. Unlike [`terms`] nothing is refused: a title with no such words suggests
/// nothing.
pub fn suggestion_terms(typed: &str) -> Vec<String> {
    let mut words: Vec<String> = Vec::new();
    for w in typed.split(|c: char| !c.is_alphanumeric()) {
        let w: String = w.chars().take(MAX_TERM_CHARS).collect::<String>().to_lowercase();
        if w.chars().count() >= 3 && !COMMON.contains(&w.as_str()) && !words.contains(&w) {
            words.push(w);
        }
        if words.len() == MAX_TERMS {
            break;
        }
    }
    words
}

/// One record found.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct SearchHit {
    /// e.g. `INC-42`.
    pub reference: String,
    pub kind: RecordKind,
    pub title: String,
    /// A short extract of the title or text around the words found, with the words in [brackets].
    pub snippet: String,
    /// Higher is a better match; comparable only within one answer.
    pub score: f64,
}

/// Words shown in a snippet.
const SNIPPET_WORDS: usize = 12;

/// A short extract of `title` or else `text` around the first word found, with every word found
/// in [brackets] and `…` where the text was cut. A word is found when it starts with one of
/// `terms` (lower case), which covers the prefix of the last term and the common inflections
/// the stemming search matched ("printers" for "printer").
pub fn snippet(title: &str, text: &str, terms: &[String]) -> String {
    let found = |w: &str| {
        let w: String = w
            .chars()
            .filter(|c| c.is_alphanumeric())
            .collect::<String>()
            .to_lowercase();
        !w.is_empty() && terms.iter().any(|t| w.starts_with(t.as_str()))
    };
    let title_words: Vec<&str> = title.split_whitespace().collect();
    let text_words: Vec<&str> = text.split_whitespace().collect();
    let words = if title_words.iter().any(|w| found(w)) || !text_words.iter().any(|w| found(w)) {
        title_words
    } else {
        text_words
    };
    let first = words.iter().position(|w| found(w)).unwrap_or(0);
    let start = first.saturating_sub(3).min(words.len().saturating_sub(SNIPPET_WORDS));
    let end = (start + SNIPPET_WORDS).min(words.len());
    let mut out = String::new();
    if start > 0 {
        out.push('…');
    }
    for (i, w) in words[start..end].iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        if found(w) {
            // Brackets around the word itself, punctuation outside them.
            let head = w.len() - w.trim_start_matches(|c: char| !c.is_alphanumeric()).len();
            let tail = w.trim_end_matches(|c: char| !c.is_alphanumeric()).len();
            out.push_str(&w[..head]);
            out.push('[');
            out.push_str(&w[head..tail.max(head)]);
            out.push(']');
            out.push_str(&w[tail.max(head)..]);
        } else {
            out.push_str(w);
        }
    }
    if end < words.len() {
        out.push('…');
    }
    out
}

/// The kinds a `kind` parameter names: a comma-separated list, or all searchable kinds.
pub fn kinds(param: Option<&str>) -> Result<Vec<RecordKind>> {
    let Some(p) = param else {
        return Ok(SEARCHABLE.to_vec());
    };
    p.split(',')
        .map(|k| {
            RecordKind::parse(k.trim())
                .filter(|k| SEARCHABLE.contains(k))
                .ok_or_else(|| {
                    Error::invalid(
                        "kind",
                        format!(
                            "'{}' is not searchable: use incident, request, problem, change, configuration_item or article",
                            k.chars().take(40).collect::<String>()
                        ),
                    )
                })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_title_suggests_by_the_words_that_say_what_it_is_about() {
        assert_eq!(
            suggestion_terms("My VPN keeps dropping, and the VPN won't reconnect!"),
            ["vpn", "keeps", "dropping", "reconnect"]
        );
        assert!(suggestion_terms("it is on the PC").is_empty());
        assert!(suggestion_terms("").is_empty());
        let many = (0..30).map(|i| format!("word{i}")).collect::<Vec<_>>().join(" ");
        assert_eq!(suggestion_terms(&many).len(), MAX_TERMS);
        assert_eq!(suggestion_terms(&"x".repeat(100))[0].len(), MAX_TERM_CHARS);
    }

    #[test]
    fn queries_become_words() {
        assert_eq!(
            terms("  Printer* OFFLINE; 3rd-floor ").unwrap(),
            ["printer", "offline", "3rd", "floor"]
        );
        assert_eq!(terms("Störung Drucker").unwrap(), ["störung", "drucker"]);
        assert_eq!(
            terms("\"a\" OR b) NEAR(").unwrap(),
            ["a", "or", "b", "near"],
            "no operators get through"
        );
        assert!(terms(" -*- ").is_err());
        assert!(terms(&"w ".repeat(11)).is_err());
        assert_eq!(terms(&"x".repeat(60)).unwrap()[0].len(), 40);
    }

    #[test]
    fn snippets_bracket_the_words_found_around_the_first() {
        let t = |s: &str| s.to_string();
        assert_eq!(
            snippet("Printer offline", "", &[t("printer"), t("off")]),
            "[Printer] [offline]"
        );
        let body =
            "The core switch in building B (switch-2) rebooted twice; users lost the network for an hour each time.";
        assert_eq!(
            snippet("Network outage", body, &[t("switch")]),
            "The core [switch] in building B ([switch-2]) rebooted twice; users lost the…"
        );
        let long = "one two three four five six seven eight nine ten eleven printers twelve thirteen";
        assert_eq!(
            snippet("Nothing here", long, &[t("printer")]),
            "…three four five six seven eight nine ten eleven [printers] twelve thirteen"
        );
        assert_eq!(snippet("Plain title", "no match", &[t("zebra")]), "Plain title");
    }

    #[test]
    fn kinds_are_checked() {
        assert_eq!(kinds(None).unwrap().len(), 6);
        assert_eq!(
            kinds(Some("incident, change")).unwrap(),
            [RecordKind::Incident, RecordKind::Change]
        );
        assert!(kinds(Some("user")).unwrap_err().to_string().contains("not searchable"));
    }
}
