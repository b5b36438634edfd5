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
    let cookies = cookies(&args)?;
    let outcome = if cookies.is_empty() {
        verifier.verify_url(&args.url, &request)
    } else {
        verifier.verify_cookies(&args.url, cookies.iter().map(|(n, v)| (n.as_str(), v.as_str())), &request)
    };
    match outcome {
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

/// The cookies given by --cookie (Cookie header values or single pairs) or
/// --cookies-json; other cookies a browser would send along are left out.
fn cookies(args: &VerifyArgs) -> Result<Vec<(String, String)>, Failure> {
    let pairs: Vec<(String, String)> = match &args.cookies_json {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| Failure(format!("--cookies-json {}: {}", path.display(), files::io_reason(&e))))?;
            let map: std::collections::BTreeMap<String, String> = serde_json::from_str(&text).map_err(|e| {
                Failure(format!("--cookies-json {}: not the JSON of `cfsign cookies --json` ({e})", path.display()))
            })?;
            map.into_iter().collect()
        }
        None => {
            let mut pairs = Vec::new();
            for pair in args.cookie.iter().flat_map(|header| header.split(';')).map(str::trim).filter(|p| !p.is_empty())
            {
                let (name, value) =
                    pair.split_once('=').ok_or_else(|| Failure(format!("--cookie {pair:?} is not NAME=VALUE")))?;
                pairs.push((name.trim().to_owned(), value.trim().to_owned()));
            }
            pairs
        }
    };
    let signed: Vec<(String, String)> = pairs.into_iter().filter(|(name, _)| name.starts_with("CloudFront-")).collect();
    if signed.is_empty() && (args.cookies_json.is_some() || !args.cookie.is_empty()) {
        return Err(Failure("the cookies given hold no CloudFront-* cookie".into()));
    }
    Ok(signed)
}
