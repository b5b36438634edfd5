//! Object keys as S3 event notifications carry them: form-encoded
//! (`application/x-www-form-urlencoded`), so `red flower.jpg` arrives as
//! `red+flower.jpg`, a literal `+` as `%2B` and non-ASCII as `%XX` bytes of UTF-8.
//!
//! Written here rather than taken from `percent-encoding` or `form_urlencoded`
//! (both in the build): the first keeps `+` and passes a broken `%` escape
//! through, the second replaces bytes that are not UTF-8. Either would turn a
//! malformed key into a different, valid-looking key and invalidate the wrong
//! path; this decoder refuses it instead.

use crate::error::InvalidatorError;

/// The key as stored in S3.
pub fn decode(encoded: &str) -> Result<String, InvalidatorError> {
    let bad = |reason: &str| InvalidatorError::BadKey { key: encoded.to_owned(), reason: reason.to_owned() };
    let mut bytes = Vec::with_capacity(encoded.len());
    let mut input = encoded.bytes();
    while let Some(byte) = input.next() {
        match byte {
            b'+' => bytes.push(b' '),
            b'%' => {
                let high = input.next().and_then(hex_value);
                let low = input.next().and_then(hex_value);
                match (high, low) {
                    (Some(high), Some(low)) => bytes.push(high << 4 | low),
                    _ => return Err(bad("% is not followed by two hexadecimal digits")),
                }
            }
            other => bytes.push(other),
        }
    }
    String::from_utf8(bytes).map_err(|_| bad("the decoded bytes are not UTF-8"))
}

fn hex_value(digit: u8) -> Option<u8> {
    match digit {
        b'0'..=b'9' => Some(digit - b'0'),
        b'a'..=b'f' => Some(digit - b'a' + 10),
        b'A'..=b'F' => Some(digit - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::{InvalidatorError, decode};

    #[test]
    fn plus_is_a_space_and_percent_escapes_are_utf8_bytes() {
        assert_eq!(decode("red+flower.jpg").unwrap(), "red flower.jpg");
        assert_eq!(decode("c%2B%2B/notes.txt").unwrap(), "c++/notes.txt");
        assert_eq!(decode("caf%C3%A9%2Fmenu.pdf").unwrap(), "café/menu.pdf");
        assert_eq!(decode("100%25").unwrap(), "100%");
        assert_eq!(decode("%e2%82%ac").unwrap(), "€");
    }

    #[test]
    fn malformed_escapes_and_invalid_utf8_are_refused() {
        for (key, reason) in [
            ("100%", "% is not followed by two hexadecimal digits"),
            ("a%2", "% is not followed by two hexadecimal digits"),
            ("a%zz", "% is not followed by two hexadecimal digits"),
            ("%C3", "the decoded bytes are not UTF-8"),
            ("%FF", "the decoded bytes are not UTF-8"),
        ] {
            match decode(key) {
                Err(InvalidatorError::BadKey { key: bad, reason: why }) => {
                    assert_eq!((bad.as_str(), why.as_str()), (key, reason))
                }
                other => panic!("{key}: {other:?}"),
            }
        }
    }
}
