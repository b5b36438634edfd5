//! `cfsign verify`.

use std::process::ExitCode;

use cfsign::{Epoch, PublicKey, RequestContext, SystemClock, Verifier};

use crate::cli::VerifyArgs;
use crate::redact::looks_like_key_text;
use crate::{Failure, dates, files, print_lines};

pub fn run(args: VerifyArgs) -> Result<ExitCode, Failure> {
    let mut verifier = Verifier::new();
    for entry in &args.public_keys {
        if looks_like_key_text(entry) {
            return Err(Failure("--public-key takes ID=FILE with a file path (or file://PATH), not key text".into()));
        }
        let (id, file) = entry
            .split_once('=')
            .filter(|(id, file)| !id.is_empty() && !file.is_empty())
            .ok_or_else(|| Failure(format!("--public-key {entry:?} is not ID=FILE")))?;
        let key = PublicKey::from_bytes(&files::read_key(file, "--public-key")?)
            .map_err(|e| Failure(format!("public key {id}: {e}")))?;
        verifier.add_key(id, key);
    }
    let at = match &args.at {
        Some(text) => dates::parse(text)?,
        None => Epoch::now(&SystemClock)?,
    };
    let request = RequestContext { at, client_ip: args.client_ip };
    match verifier.verify_url(&args.url, &request) {
        Ok(_) => {
            print_lines(["valid"])?;
            Ok(ExitCode::SUCCESS)
        }
        Err(rejection) => {
            print_lines([rejection.to_string()])?;
            Ok(ExitCode::from(1))
        }
    }
}
