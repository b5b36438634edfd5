//! Keeping key text out of stderr. Users of `aws cloudfront sign` sometimes pass
//! the key itself (`--private-key="$(cat key.pem)"`), and clap, like our own
//! errors, quotes the arguments it complains about — sometimes only part of one
//! (a value starting with `--` is cut at its first `=` as if it were a flag).

/// Longer than any path a user types, shorter than any key.
const MAX_PATH_ARGUMENT: usize = 1024;

/// A base64 run this long is a PEM body line, not a URL or a path (a PEM line
/// is 64 characters; URLs hold `:`, paths hold `.` or `/` with other text).
const MIN_BASE64_LINE: usize = 40;

/// Any fragment of key text this long found in a message counts as a leak.
const LEAK_WINDOW: usize = 16;

const WITHHELD: &str =
    "an argument holds what looks like key text, which is not shown; pass key files by path (or file://PATH)";

/// What `--private-key` or `--public-key` must never be echoed as.
pub fn looks_like_key_text(argument: &str) -> bool {
    holds_pem_text(argument) || argument.len() > MAX_PATH_ARGUMENT
}

fn holds_pem_text(text: &str) -> bool {
    text.contains("-----BEGIN") || text.contains(['\n', '\r'])
}

/// Also a lone PEM body line, which an unquoted `$(cat key.pem)` splits off.
fn may_hold_key_material(argument: &str) -> bool {
    holds_pem_text(argument)
        || (argument.len() >= MIN_BASE64_LINE
            && argument.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=')))
}

/// `message` with every command-line argument that may hold key material
/// replaced by a placeholder; if any fragment of one survives (the message
/// quoted it cut or re-joined), the whole message is withheld instead.
pub fn redact(message: &str, arguments: &[String]) -> String {
    let sensitive: Vec<&str> =
        arguments.iter().map(String::as_str).filter(|argument| may_hold_key_material(argument)).collect();
    let mut redacted = message.to_owned();
    for text in &sensitive {
        redacted = redacted.replace(text, "<redacted>");
        for line in text.lines().map(str::trim).filter(|line| !line.is_empty()) {
            redacted = redacted.replace(line, "<redacted>");
        }
    }
    if sensitive.iter().any(|text| leaks(&redacted, text)) { WITHHELD.to_owned() } else { redacted }
}

fn leaks(message: &str, text: &str) -> bool {
    let bytes = text.as_bytes();
    message.contains("-----BEGIN")
        || (bytes.len() >= LEAK_WINDOW
            && bytes.windows(LEAK_WINDOW).any(|window| {
                std::str::from_utf8(window)
                    .is_ok_and(|fragment| !fragment.trim().is_empty() && message.contains(fragment))
            }))
}

#[cfg(test)]
mod tests {
    use super::*;

    const BODY: &str = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7";
    const PEM: &str =
        "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7\n-----END PRIVATE KEY-----";

    #[test]
    fn key_text_is_told_from_paths() {
        for key_text in [PEM, "-----BEGIN", "a\nb", &"a".repeat(1025)] {
            assert!(looks_like_key_text(key_text), "{key_text}");
        }
        for path in ["key.pem", "file:///etc/keys/private.pem", "/tmp/-----/x.pem"] {
            assert!(!looks_like_key_text(path), "{path}");
        }
    }

    #[test]
    fn redacts_whole_arguments_and_pem_body_lines_but_not_urls() {
        let arguments = [PEM.to_owned(), BODY.to_owned(), "https://d.net/a".to_owned()];
        let message = format!("unexpected argument '{PEM}' and '{BODY}' for 'https://d.net/a'");
        assert_eq!(
            redact(&message, &arguments),
            "unexpected argument '<redacted>' and '<redacted>' for 'https://d.net/a'"
        );
    }

    #[test]
    fn withholds_a_message_that_quotes_part_of_the_key() {
        let flag_value = format!("--private-key={PEM}");
        let cut = &flag_value[..60];
        assert_eq!(redact(&format!("unexpected argument '{cut}'"), std::slice::from_ref(&flag_value)), WITHHELD);
        let joined = PEM.split_whitespace().collect::<Vec<_>>().join(" ");
        assert_eq!(
            redact(&format!("bad value '{joined}'"), &[PEM.to_owned()]),
            "bad value '<redacted> <redacted> <redacted>'"
        );
    }
}
