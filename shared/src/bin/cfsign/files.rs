//! Reading key files named as the AWS CLI names them (PATH or file://PATH).

use std::io::Read;
use std::path::Path;

use zeroize::Zeroizing;

use crate::Failure;
use crate::redact::looks_like_key_text;

/// Far above any RSA-2048 or P-256 key file; a larger file is not a key, and
/// the cap keeps `--private-key /dev/zero` from reading forever.
const MAX_KEY_FILE: u64 = 64 * 1024;

fn path_of(argument: &str) -> &Path {
    Path::new(argument.strip_prefix("file://").unwrap_or(argument))
}

/// Reads the key file `argument` names, given with `flag`, into memory that is
/// wiped when dropped. Errors name the file and the cause, never its content;
/// key text passed where a path belongs is refused without being echoed.
pub fn read_key(argument: &str, flag: &str) -> Result<Zeroizing<Vec<u8>>, Failure> {
    if looks_like_key_text(argument) {
        return Err(Failure(format!("{flag} takes a file path (or file://PATH), not key text")));
    }
    let path = path_of(argument);
    let cannot = |e: std::io::Error| Failure(format!("cannot read {flag} file {}: {}", path.display(), io_reason(&e)));
    let file = std::fs::File::open(path).map_err(cannot)?;
    // Allocated once at the cap, so no reallocation leaves an unwiped copy behind.
    let mut contents = Zeroizing::new(Vec::with_capacity(MAX_KEY_FILE as usize + 1));
    file.take(MAX_KEY_FILE + 1).read_to_end(&mut contents).map_err(cannot)?;
    if contents.len() as u64 > MAX_KEY_FILE {
        return Err(Failure(format!(
            "{flag} file {} is over {} KiB, too large for a key file",
            path.display(),
            MAX_KEY_FILE / 1024
        )));
    }
    Ok(contents)
}

/// The OS reason without the "(os error N)" suffix.
pub fn io_reason(error: &std::io::Error) -> String {
    let text = error.to_string();
    text.split(" (os error").next().unwrap_or(&text).to_owned()
}
