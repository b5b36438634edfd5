//! Key patterns for INCLUDE_PATTERNS and EXCLUDE_PATTERNS.
//!
//! `*` matches within one path segment, `**` across segments, `**/` zero or
//! more whole directories (so `**/*.html` matches `index.html` too), `?` one
//! character other than `/`. Everything else matches itself.
//!
//! A small matcher of our own: no glob crate is in the build, and `regex`
//! (which is) would need a translation whose escaping is harder to check than
//! these rules.

/// One pattern of `INCLUDE_PATTERNS` or `EXCLUDE_PATTERNS`, matched against whole decoded keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Glob {
    pattern: String,
    tokens: Vec<Token>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Token {
    Literal(char),
    OneChar,
    InSegment,
    Anything,
    Directories,
}

impl Glob {
    /// `pattern`, parsed once. No text is refused: every character but `*` and `?` matches itself.
    pub fn new(pattern: &str) -> Self {
        let chars: Vec<char> = pattern.chars().collect();
        let mut tokens = Vec::with_capacity(chars.len());
        let mut i = 0;
        while i < chars.len() {
            let token = match (chars[i], chars.get(i + 1), chars.get(i + 2)) {
                ('*', Some('*'), Some('/')) => {
                    i += 2;
                    Token::Directories
                }
                ('*', Some('*'), _) => {
                    i += 1;
                    Token::Anything
                }
                ('*', _, _) => Token::InSegment,
                ('?', _, _) => Token::OneChar,
                (literal, _, _) => Token::Literal(literal),
            };
            tokens.push(token);
            i += 1;
        }
        Self { pattern: pattern.to_owned(), tokens }
    }

    /// The pattern as the setting wrote it.
    pub fn as_str(&self) -> &str {
        &self.pattern
    }

    /// Whether the whole key matches.
    pub fn matches(&self, key: &str) -> bool {
        let text: Vec<char> = key.chars().collect();
        let n = text.len();
        // next[j]: the tokens after the current one match text[j..]. Filled from
        // the last token backwards, so matching stays O(tokens x characters).
        let mut next = vec![false; n + 1];
        next[n] = true;
        let mut row = vec![false; n + 1];
        for token in self.tokens.iter().rev() {
            row[n] = match token {
                Token::InSegment | Token::Anything | Token::Directories => next[n],
                Token::Literal(_) | Token::OneChar => false,
            };
            // For Directories: some '/' at or after j is followed by a match.
            let mut slash_then_match = false;
            for j in (0..n).rev() {
                let c = text[j];
                row[j] = match *token {
                    Token::Literal(literal) => c == literal && next[j + 1],
                    Token::OneChar => c != '/' && next[j + 1],
                    Token::InSegment => next[j] || (c != '/' && row[j + 1]),
                    Token::Anything => next[j] || row[j + 1],
                    Token::Directories => {
                        slash_then_match |= c == '/' && next[j + 1];
                        next[j] || slash_then_match
                    }
                };
            }
            std::mem::swap(&mut next, &mut row);
        }
        next[0]
    }
}

#[cfg(test)]
mod tests {
    use super::Glob;

    fn matches(pattern: &str, key: &str) -> bool {
        Glob::new(pattern).matches(key)
    }

    #[test]
    fn star_stays_within_a_segment() {
        assert!(matches("img/*.jpg", "img/a.jpg"));
        assert!(matches("img/*.jpg", "img/.jpg"));
        assert!(!matches("img/*.jpg", "img/sub/a.jpg"));
        assert!(!matches("img/*.jpg", "img/a.png"));
    }

    #[test]
    fn double_star_crosses_segments() {
        assert!(matches("img/**", "img/a/b/c.jpg"));
        assert!(matches("**.tmp", "a/b.tmp"));
        assert!(!matches("img/**", "images/a.jpg"));
    }

    #[test]
    fn double_star_slash_matches_zero_or_more_directories() {
        assert!(matches("**/*.html", "index.html"));
        assert!(matches("**/*.html", "a/b/index.html"));
        assert!(!matches("**/*.html", "a/b/index.htm"));
        assert!(matches("docs/**/index.html", "docs/index.html"));
        assert!(matches("docs/**/index.html", "docs/a/b/index.html"));
        assert!(!matches("docs/**/index.html", "docs/aindex.html"));
    }

    #[test]
    fn question_mark_is_one_character_but_not_a_slash() {
        assert!(matches("v?/é.txt", "v1/é.txt"));
        assert!(matches("?", "é"));
        assert!(!matches("a?b", "a/b"));
        assert!(!matches("a?b", "ab"));
    }

    #[test]
    fn literals_match_exactly_and_whole_keys_only() {
        assert!(matches("robots.txt", "robots.txt"));
        assert!(!matches("robots.txt", "x/robots.txt"));
        assert!(!matches("robots", "robots.txt"));
        assert!(matches("", ""));
        assert!(!matches("", "a"));
    }
}
