//! Resource matching as CloudFront does it for custom policies: `*` stands for
//! zero or more characters and `?` for exactly one, anywhere in the resource.

/// Greedy matching with one remembered `*`: linear in practice and never
/// exponential, whatever the pattern, so a hostile policy cannot stall a verifier.
pub(crate) fn matches(pattern: &str, text: &str) -> bool {
    let (pattern, text) = (pattern.as_bytes(), text.as_bytes());
    let (mut p, mut t) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        match pattern.get(p) {
            Some(b'*') => {
                star = Some((p, t));
                p += 1;
            }
            Some(&c) if c == b'?' || c == text[t] => {
                p += 1;
                t += 1;
            }
            _ => match star {
                // Let the last `*` swallow one more character and try again.
                Some((star_p, star_t)) => {
                    p = star_p + 1;
                    t = star_t + 1;
                    star = Some((star_p, star_t + 1));
                }
                None => return false,
            },
        }
    }
    pattern[p..].iter().all(|&c| c == b'*')
}

#[cfg(test)]
mod tests {
    use super::matches;

    #[test]
    fn wildcard_table() {
        let table = [
            ("https://d.net/a.jpg", "https://d.net/a.jpg", true),
            ("https://d.net/a.jpg", "https://d.net/a.jpeg", false),
            ("https://d.net/images/*", "https://d.net/images/", true),
            ("https://d.net/images/*", "https://d.net/images/x/y.png?v=1", true),
            ("https://d.net/images/*", "https://d.net/image/x.png", false),
            ("*://d.net/*", "http://d.net/x", true),
            ("https://d.net/a?.jpg", "https://d.net/ab.jpg", true),
            ("https://d.net/a?.jpg", "https://d.net/a.jpg", false),
            ("https://d.net/*.jpg", "https://d.net/x/y.jpg", true),
            ("https://d.net/*.jpg", "https://d.net/x/y.jpg.png", false),
            ("*", "", true),
            ("?", "", false),
            ("https://d.net/*a*b*c", "https://d.net/xaybzc", true),
            ("https://d.net/*a*b*c", "https://d.net/xaybz", false),
            ("HTTPS://d.net/a", "https://d.net/a", false),
        ];
        for (pattern, text, expected) in table {
            assert_eq!(matches(pattern, text), expected, "{pattern} ~ {text}");
        }
    }

    #[test]
    fn many_stars_against_a_long_miss_stay_fast() {
        let pattern = format!("{}b", "*a".repeat(50));
        let text = "a".repeat(5000);
        assert!(!matches(&pattern, &text));
    }
}
