//! Exact substring search of short Chinese queries.
//!
//! Chinese has no spaces, and deputies search with one or two characters (a surname, 路灯,
//! 低保). A trigram index cannot answer those, and a `LIKE` scan reads every row. So each
//! reception is indexed (FTS5, `detail=none`) by every distinct character (unigram) and every
//! distinct pair of adjacent characters (bigram) of each searchable field, hex-coded so that any
//! character at all is one ASCII token:
//!
//! - a 1-character query is one unigram lookup and a 2-character query one bigram lookup, exact
//!   by construction (bigrams never span two fields);
//! - a longer query looks up all its bigrams, and each candidate is confirmed by a substring
//!   check on the fields, so the hits are exactly those of a substring scan.
//!
//! Category and status are terms of the same document, so filters narrow the posting lists
//! inside FTS5 instead of after it. Matching folds ASCII letters to lower case.

use std::collections::BTreeSet;

use crate::domain::{CaseStatus, Reception, dispute_type_index};

/// Folds a character the way both the index and the query see it.
fn fold(c: char) -> char {
    c.to_ascii_lowercase()
}

/// Writes a character as 6 lower-case hex digits (what `{:06x}` gives, without the formatter).
fn push_unigram(out: &mut String, c: char) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let code = u32::from(c);
    for shift in (0..6).rev() {
        out.push(char::from(HEX[((code >> (shift * 4)) & 0xf) as usize]));
    }
}

fn push_bigram(out: &mut String, a: char, b: char) {
    push_unigram(out, a);
    push_unigram(out, b);
}

/// The index term of a dispute type (its position in the list).
pub fn category_term(index: usize) -> String {
    format!("k{index}")
}

/// The index term of a case status.
pub fn status_term(status: CaseStatus) -> String {
    format!("s{}", status.index())
}

/// The terms of one document: grams of every field, and the category term.
pub fn document_terms(fields: &[&str], category: Option<usize>) -> String {
    let mut unigrams = Vec::with_capacity(128);
    let mut bigrams = Vec::with_capacity(128);
    for field in fields {
        let mut previous = None;
        for c in field.chars().map(fold) {
            unigrams.push(c);
            if let Some(p) = previous {
                bigrams.push((p, c));
            }
            previous = Some(c);
        }
    }
    unigrams.sort_unstable();
    unigrams.dedup();
    bigrams.sort_unstable();
    bigrams.dedup();
    let mut terms = String::with_capacity(unigrams.len() * 7 + bigrams.len() * 13 + 4);
    for c in unigrams {
        push_unigram(&mut terms, c);
        terms.push(' ');
    }
    for (a, b) in bigrams {
        push_bigram(&mut terms, a, b);
        terms.push(' ');
    }
    if let Some(index) = category {
        terms.push_str(&category_term(index));
    }
    terms.trim_end().to_owned()
}

/// The fields a text query searches: matter, request, visitors' names and addresses.
pub fn reception_fields(reception: &Reception) -> impl Iterator<Item = &str> {
    [reception.matter.as_str(), reception.request.as_str()]
        .into_iter()
        .chain(
            reception
                .visitors
                .iter()
                .flat_map(|v| v.name.as_deref().into_iter().chain(v.address.as_deref())),
        )
}

/// A reception's index terms, without the status term.
pub fn reception_terms(reception: &Reception) -> String {
    let fields: Vec<&str> = reception_fields(reception).collect();
    document_terms(&fields, dispute_type_index(&reception.category).ok())
}

/// A parsed text query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextQuery {
    needle: String,
    grams: Vec<String>,
}

impl TextQuery {
    /// Parses what the deputy typed; `None` when it is blank.
    pub fn parse(query: &str) -> Option<TextQuery> {
        let needle: String = query.trim().chars().map(fold).collect();
        let chars: Vec<char> = needle.chars().collect();
        let mut grams = BTreeSet::new();
        match chars.as_slice() {
            [] => return None,
            [c] => {
                let mut gram = String::new();
                push_unigram(&mut gram, *c);
                grams.insert(gram);
            }
            _ => {
                for pair in chars.windows(2) {
                    let mut gram = String::new();
                    push_bigram(&mut gram, pair[0], pair[1]);
                    grams.insert(gram);
                }
            }
        }
        Some(TextQuery {
            needle,
            grams: grams.into_iter().collect(),
        })
    }

    /// The index terms every hit holds: the query's one unigram, or each of its bigrams (as
    /// [`document_terms`] writes them).
    pub fn grams(&self) -> &[String] {
        &self.grams
    }

    /// True when index hits are candidates that must be confirmed by [`Self::matches`].
    pub fn needs_confirmation(&self) -> bool {
        self.needle.chars().nth(2).is_some()
    }

    /// True when one of the fields contains the query (after folding).
    pub fn matches<'a>(&self, fields: impl IntoIterator<Item = &'a str>) -> bool {
        fields.into_iter().any(|field| {
            field
                .chars()
                .map(fold)
                .collect::<String>()
                .contains(&self.needle)
        })
    }

    /// False only when `text` surely does not contain the query: a cheap test on a record's
    /// stored JSON before decoding it (JSON keeps CJK characters as they are; a query with
    /// ASCII letters, which fold, or characters JSON escapes is always "maybe").
    pub fn may_occur_in(&self, text: &str) -> bool {
        let plain = self
            .needle
            .chars()
            .all(|c| !c.is_ascii_alphabetic() && !matches!(c, '"' | '\\') && !c.is_control());
        !plain || text.contains(&self.needle)
    }

    /// The FTS5 expression for this query and the filter terms (each a set of alternatives).
    pub fn fts_expression(&self, filters: &[Vec<String>]) -> String {
        let mut parts: Vec<String> = self.grams.iter().map(|g| format!("\"{g}\"")).collect();
        parts.extend(
            filters
                .iter()
                .filter(|alternatives| !alternatives.is_empty())
                .map(|alternatives| {
                    let quoted: Vec<String> =
                        alternatives.iter().map(|t| format!("\"{t}\"")).collect();
                    format!("({})", quoted.join(" OR "))
                }),
        );
        parts.join(" AND ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_hold_unigrams_and_bigrams_per_field() {
        let terms = document_terms(&["路灯", "灯"], Some(3));
        let list: Vec<&str> = terms.split(' ').collect();
        assert!(list.contains(&"008def"), "路 unigram: {terms}");
        assert!(list.contains(&"00706f"), "灯 unigram: {terms}");
        assert!(list.contains(&"008def00706f"), "路灯 bigram: {terms}");
        assert!(list.contains(&"k3"));
        assert_eq!(
            list.len(),
            4,
            "duplicates collapse and no bigram spans fields: {terms}"
        );
    }

    #[test]
    fn short_queries_are_exact_longer_ones_are_confirmed() {
        assert!(TextQuery::parse("  ").is_none());
        assert!(!TextQuery::parse("路").unwrap().needs_confirmation());
        assert!(!TextQuery::parse("路灯").unwrap().needs_confirmation());
        let long = TextQuery::parse("路灯坏了").unwrap();
        assert!(long.needs_confirmation());
        assert_eq!(long.grams.len(), 3);
        assert!(long.matches(["村口路灯坏了三天"]));
        assert!(!long.matches(["路灯", "坏了"]));
    }

    #[test]
    fn the_json_pre_check_never_rules_out_a_hit() {
        let query = TextQuery::parse("路灯坏").unwrap();
        assert!(!query.may_occur_in(r#"{"matter":"路灯好","request":"坏了"}"#));
        assert!(query.may_occur_in(r#"{"matter":"村口路灯坏了"}"#));
        let ascii = TextQuery::parse("WiFi信号").unwrap();
        assert!(
            ascii.may_occur_in(r#"{"matter":"WIFI信号差"}"#),
            "folding letters: always maybe"
        );
        let quote = TextQuery::parse("说\"好").unwrap();
        assert!(quote.may_occur_in("{}"), "escaped in JSON: always maybe");
    }

    #[test]
    fn ascii_is_folded() {
        let query = TextQuery::parse("WiFi").unwrap();
        assert!(query.matches(["村委wifi信号差"]));
        assert_eq!(
            TextQuery::parse("A").unwrap().grams,
            TextQuery::parse("a").unwrap().grams
        );
    }

    #[test]
    fn fts_expression_ands_grams_and_ors_filter_alternatives() {
        let query = TextQuery::parse("路灯").unwrap();
        let expression =
            query.fts_expression(&[vec!["k3".into()], vec!["s1".into(), "s2".into()], vec![]]);
        assert_eq!(
            expression,
            r#""008def00706f" AND ("k3") AND ("s1" OR "s2")"#
        );
    }
}
