//! PEM framing. A file may hold several blocks (OpenSSL writes `EC PARAMETERS`
//! before `EC PRIVATE KEY`), so the block wanted is picked by its label first.

use der::pem::{self, LineEnding};
use zeroize::Zeroizing;

use super::malformed;
use crate::error::Result;

pub(crate) struct Block {
    pub label: String,
    pub der: Zeroizing<Vec<u8>>,
}

pub(crate) fn looks_like_pem(input: &[u8]) -> bool {
    input.trim_ascii_start().starts_with(b"-----BEGIN ")
}

/// Decodes the first block whose label `wanted` accepts, or explains what the
/// file holds instead.
pub(crate) fn decode_block(input: &[u8], wanted: impl Fn(&str) -> bool) -> Result<Block> {
    let text = std::str::from_utf8(input).map_err(|_| malformed("the PEM file is not valid UTF-8 text"))?;
    let mut seen = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("-----BEGIN ") {
        let block = &rest[start..];
        let label_end = block["-----BEGIN ".len()..]
            .find("-----")
            .ok_or_else(|| malformed("a PEM header is not closed with -----"))?;
        let label = &block["-----BEGIN ".len().."-----BEGIN ".len() + label_end];
        // A header missing its closing dashes would make the "label" run into
        // the key's base64: never let that text reach an error message.
        let well_formed =
            label.len() <= 64 && label.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b' ');
        if !well_formed {
            return Err(malformed("a PEM header line is malformed (expected -----BEGIN LABEL-----)"));
        }
        let footer = format!("-----END {label}-----");
        let end =
            block.find(&footer).ok_or_else(|| malformed(format!("the PEM block {label} has no matching END line")))?
                + footer.len();
        if wanted(label) {
            if block[..end].contains("Proc-Type:") || label.contains("ENCRYPTED") {
                return Err(malformed(
                    "the key is encrypted; decrypt it first (openssl pkey -in key.pem -out plain.pem)",
                ));
            }
            let (_, der) = pem::decode_vec(&block.as_bytes()[..end])
                .map_err(|e| malformed(format!("the PEM block {label} does not decode: {e}")))?;
            return Ok(Block { label: label.to_owned(), der: Zeroizing::new(der) });
        }
        seen.push(label.to_owned());
        rest = &block[end..];
    }
    Err(malformed(if seen.is_empty() {
        "no PEM block found".to_owned()
    } else {
        format!("no usable PEM block; found {}", seen.join(", "))
    }))
}

pub(crate) fn encode(label: &'static str, der: &[u8]) -> Result<String> {
    pem::encode_string(label, LineEnding::LF, der).map_err(|_| malformed("the key could not be PEM-encoded"))
}
