//! `cfsign keygen`.

use std::fs::{self, OpenOptions};
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;
use std::process::ExitCode;

use cfsign::{Backend, PrivateKey};

use crate::cli::KeygenArgs;
use crate::files::io_reason;
use crate::{Failure, print_lines};

pub fn run(args: KeygenArgs) -> Result<ExitCode, Failure> {
    fs::create_dir_all(&args.out)
        .map_err(|e| Failure(format!("cannot create {}: {}", args.out.display(), io_reason(&e))))?;
    let key = PrivateKey::generate(args.algorithm, Backend::default())?;
    let public = key.public_key()?.to_pem();
    let private_path = args.out.join("private.pem");
    let public_path = args.out.join("public.pem");
    // Refuse both before writing either, so a half-written pair never replaces a good one.
    for path in [&private_path, &public_path] {
        if path.exists() {
            return Err(Failure(format!("{} exists; choose another --out", path.display())));
        }
    }
    write_new(&private_path, key.to_pkcs8_pem()?.as_bytes(), 0o600)?;
    write_new(&public_path, public.as_bytes(), 0o644)?;
    print_lines([format!("wrote {} and {}", private_path.display(), public_path.display())])?;
    Ok(ExitCode::SUCCESS)
}

fn write_new(path: &Path, contents: &[u8], mode: u32) -> Result<(), Failure> {
    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(mode)
        .open(path)
        .map_err(|e| Failure(format!("cannot create {}: {}", path.display(), io_reason(&e))))?;
    file.write_all(contents).map_err(|e| Failure(format!("cannot write {}: {}", path.display(), io_reason(&e))))
}
