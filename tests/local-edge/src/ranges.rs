//! `Range: bytes=...` as S3 answers it: one range, served as 206; several
//! ranges, or a header that is not a byte range, ignored (the whole object, 200);
//! a range that starts past the end, 416.

use std::ops::Range;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Wanted {
    Whole,
    Part(Range<u64>),
    Unsatisfiable,
}

pub fn wanted(header: Option<&str>, length: u64) -> Wanted {
    let Some(spec) = header.and_then(|h| h.trim().strip_prefix("bytes=")) else {
        return Wanted::Whole;
    };
    if spec.contains(',') {
        return Wanted::Whole;
    }
    let Some((first, last)) = spec.trim().split_once('-') else {
        return Wanted::Whole;
    };
    let number =
        |s: &str| (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())).then(|| s.parse::<u64>().ok()).flatten();
    match (number(first), number(last), last.is_empty()) {
        // bytes=-N: the last N bytes.
        (None, Some(suffix), _) if first.is_empty() => match suffix {
            0 => Wanted::Unsatisfiable,
            n => Wanted::Part(length.saturating_sub(n)..length),
        },
        (Some(start), _, true) if start < length => Wanted::Part(start..length),
        (Some(start), Some(end), _) if start <= end && start < length => Wanted::Part(start..(end + 1).min(length)),
        (Some(start), None, true) | (Some(start), Some(_), _) if start >= length => Wanted::Unsatisfiable,
        _ => Wanted::Whole,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_range_of_any_form() {
        assert_eq!(wanted(Some("bytes=0-99"), 1000), Wanted::Part(0..100));
        assert_eq!(wanted(Some("bytes=900-"), 1000), Wanted::Part(900..1000));
        assert_eq!(wanted(Some("bytes=-100"), 1000), Wanted::Part(900..1000));
        assert_eq!(wanted(Some("bytes=-5000"), 1000), Wanted::Part(0..1000));
        assert_eq!(wanted(Some("bytes=990-5000"), 1000), Wanted::Part(990..1000));
    }

    #[test]
    fn past_the_end_is_unsatisfiable() {
        assert_eq!(wanted(Some("bytes=1000-"), 1000), Wanted::Unsatisfiable);
        assert_eq!(wanted(Some("bytes=1000-1001"), 1000), Wanted::Unsatisfiable);
        assert_eq!(wanted(Some("bytes=-0"), 1000), Wanted::Unsatisfiable);
    }

    #[test]
    fn anything_else_is_the_whole_object() {
        for header in
            [None, Some("bytes=0-1,5-6"), Some("items=0-1"), Some("bytes=5-1"), Some("bytes=a-b"), Some("bytes=")]
        {
            assert_eq!(wanted(header, 1000), Wanted::Whole, "{header:?}");
        }
    }
}
