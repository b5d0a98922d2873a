//! Text typed into a search: part of a name, in any case and any alphabet.
//!
//! SQL's `LOWER` folds only ASCII letters, on SQLite and on PostgreSQL with
//! byte-order text alike, so "ärzte" would never find "Ärzte Köln" there.
//! The database is given a pattern in which each non-ASCII character
//! stands for any one character, which finds everything that matches and
//! a little more; what it returns is matched again with Unicode's lower
//! case.

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Search {
    pattern: String,
    folded: String,
    exact: bool,
}

impl Search {
    /// `None` for a search of nothing but spaces.
    pub fn of(text: &str) -> Option<Self> {
        let text = text.trim();
        if text.is_empty() {
            return None;
        }
        let mut pattern = String::from("%");
        for character in text.chars() {
            match character {
                // A typed `%`, `_` or backslash is meant literally.
                '%' | '_' | '\\' => {
                    pattern.push('\\');
                    pattern.push(character);
                }
                ascii if ascii.is_ascii() => pattern.push(ascii.to_ascii_lowercase()),
                _ => pattern.push('_'),
            }
        }
        pattern.push('%');
        Some(Self {
            pattern,
            folded: text.to_lowercase(),
            exact: text.is_ascii(),
        })
    }

    /// For `LOWER(column) LIKE pattern ESCAPE '\'`.
    pub fn pattern(&self) -> &str {
        &self.pattern
    }

    /// Whether what the pattern finds is exactly what matches, so the
    /// database may count and page by itself.
    pub fn is_exact(&self) -> bool {
        self.exact
    }

    /// Whether any of `texts` contains the search, in any case.
    pub fn matches<'a>(&self, texts: impl IntoIterator<Item = &'a str>) -> bool {
        texts
            .into_iter()
            .any(|text| text.to_lowercase().contains(&self.folded))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What SQL's `LIKE` does with `LOWER`, which folds only ASCII.
    fn sql_finds(pattern: &str, text: &str) -> bool {
        fn like(p: &[char], t: &[char]) -> bool {
            match p.split_first() {
                None => t.is_empty(),
                Some(('%', rest)) => (0..=t.len()).any(|i| like(rest, &t[i..])),
                Some(('\\', rest)) => match (rest.split_first(), t.split_first()) {
                    (Some((p0, rest)), Some((t0, t_rest))) => p0 == t0 && like(rest, t_rest),
                    _ => false,
                },
                Some(('_', rest)) => t
                    .split_first()
                    .is_some_and(|(_, t_rest)| like(rest, t_rest)),
                Some((p0, rest)) => t
                    .split_first()
                    .is_some_and(|(t0, t_rest)| p0 == t0 && like(rest, t_rest)),
            }
        }
        let pattern: Vec<char> = pattern.chars().collect();
        let text: Vec<char> = text.to_ascii_lowercase().chars().collect();
        like(&pattern, &text)
    }

    #[test]
    fn blank_text_is_no_search() {
        assert_eq!(Search::of("   "), None);
    }

    #[test]
    fn every_name_that_matches_in_any_case_is_among_what_the_database_finds() {
        let names = [
            "Ärzte Köln",
            "ÄRZTE KÖLN",
            "Bäckerei Süd",
            "Contoso",
            "ÖBB",
            "Œuvre",
        ];
        for (typed, expected) in [
            ("ärzte", vec!["Ärzte Köln", "ÄRZTE KÖLN"]),
            ("KÖLN", vec!["Ärzte Köln", "ÄRZTE KÖLN"]),
            ("öbb", vec!["ÖBB"]),
            ("œu", vec!["Œuvre"]),
            ("conto", vec!["Contoso"]),
        ] {
            let search = Search::of(typed).unwrap();
            let matched: Vec<&str> = names
                .iter()
                .copied()
                .filter(|name| search.matches([*name]))
                .collect();
            assert_eq!(matched, expected, "{typed}");
            for name in matched {
                assert!(sql_finds(search.pattern(), name), "{typed} in {name}");
            }
        }
    }

    #[test]
    fn only_ascii_text_lets_the_database_decide_alone() {
        assert!(Search::of("Contoso").unwrap().is_exact());
        assert!(!Search::of("Köln").unwrap().is_exact());
    }

    #[test]
    fn wildcards_typed_are_meant_literally() {
        let search = Search::of("50%_off").unwrap();
        assert_eq!(search.pattern(), "%50\\%\\_off%");
        assert!(sql_finds(search.pattern(), "Sale 50%_off"));
        assert!(!sql_finds(search.pattern(), "Sale 500 off"));
    }
}
