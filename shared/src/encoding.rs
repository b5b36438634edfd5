//! CloudFront's URL-safe base64: standard base64 with `+`→`-`, `=`→`_`, `/`→`~`.
//!
//! The mapping is CloudFront's own (not RFC 4648's URL alphabet), so it is done
//! by a byte swap over the standard engine rather than a custom alphabet: the
//! padding character is part of the swap, which `base64` alphabets cannot express.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

pub fn encode(bytes: &[u8]) -> String {
    let mut text = STANDARD.encode(bytes).into_bytes();
    for b in &mut text {
        *b = match *b {
            b'+' => b'-',
            b'=' => b'_',
            b'/' => b'~',
            other => other,
        };
    }
    // Only ASCII from the base64 alphabet and its three substitutes is present.
    String::from_utf8(text).expect("base64 output is ASCII")
}

/// Decodes CloudFront base64. Standard characters that CloudFront's variant
/// replaces (`+`, `=`, `/`) are refused, as CloudFront itself refuses them.
pub fn decode(text: &str) -> Option<Vec<u8>> {
    let mut standard = Vec::with_capacity(text.len());
    for &b in text.as_bytes() {
        standard.push(match b {
            b'-' => b'+',
            b'_' => b'=',
            b'~' => b'/',
            b'+' | b'=' | b'/' => return None,
            other => other,
        });
    }
    STANDARD.decode(standard).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn swaps_the_three_characters() {
        // 0xfb 0xff 0xbf encodes to "+/+/" in standard base64.
        assert_eq!(encode(&[0xfb, 0xff, 0xbf]), "-~-~");
        assert_eq!(encode(b"a"), "YQ__");
        assert_eq!(decode("-~-~").unwrap(), vec![0xfb, 0xff, 0xbf]);
        assert_eq!(decode("YQ__").unwrap(), b"a");
    }

    #[test]
    fn refuses_standard_only_characters_and_garbage() {
        assert_eq!(decode("YQ=="), None);
        assert_eq!(decode("+/+/"), None);
        assert_eq!(decode("not base64!"), None);
        assert_eq!(decode("YQ_"), None);
    }
}
