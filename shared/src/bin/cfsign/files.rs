//! Reading key files named as the AWS CLI names them (PATH or file://PATH).

use std::path::Path;

use zeroize::Zeroizing;

use crate::Failure;

fn path_of(argument: &str) -> &Path {
    Path::new(argument.strip_prefix("file://").unwrap_or(argument))
}

/// Reads a key file into memory that is wiped when dropped. Errors name the
/// file and the cause, never its content.
pub fn read_key(argument: &str, what: &str) -> Result<Zeroizing<Vec<u8>>, Failure> {
    let path = path_of(argument);
    std::fs::read(path)
        .map(Zeroizing::new)
        .map_err(|e| Failure(format!("cannot read {what} {}: {}", path.display(), io_reason(&e))))
}

/// The OS reason without the "(os error N)" suffix.
pub fn io_reason(error: &std::io::Error) -> String {
    let text = error.to_string();
    text.split(" (os error").next().unwrap_or(&text).to_owned()
}
