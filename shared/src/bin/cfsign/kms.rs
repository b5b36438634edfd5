//! `--kms-key-id` and `cfsign kms-public-key`: AWS KMS keys, reached through
//! the usual AWS credential and region chain (AWS_ENDPOINT_URL included).

use std::process::ExitCode;

use aws_sdk_kms::Client;
use cfsign::kms::KmsKey;
use cfsign::{Conditions, RemoteSigner, SignedCookies};
use tokio::runtime::Runtime;

use crate::cli::KmsPublicKeyArgs;
use crate::{Failure, print_lines};

/// A signer whose signatures are `kms:Sign` calls, made one at a time.
pub struct KmsSigner {
    runtime: Runtime,
    signer: RemoteSigner<KmsKey>,
}

impl KmsSigner {
    /// The signer for `key_id`, whose type GetPublicKey tells.
    pub fn new(key_pair_id: &str, key_id: &str) -> Result<Self, Failure> {
        let runtime = runtime()?;
        let (key, _) =
            runtime.block_on(async { KmsKey::describe(client().await?, key_id).await.map_err(Failure::from) })?;
        Ok(Self { runtime, signer: RemoteSigner::new(key_pair_id, key)? })
    }

    pub fn sign_url(&self, url: &str, conditions: &Conditions) -> Result<String, Failure> {
        Ok(self.runtime.block_on(self.signer.sign_url(url, conditions))?)
    }

    pub fn sign_cookies(&self, resource: &str, conditions: &Conditions) -> Result<SignedCookies, Failure> {
        Ok(self.runtime.block_on(self.signer.sign_cookies(resource, conditions))?)
    }
}

/// `cfsign kms-public-key`: the PEM CloudFront's CreatePublicKey takes.
pub fn public_key(args: KmsPublicKeyArgs) -> Result<ExitCode, Failure> {
    let runtime = runtime()?;
    let (_, public) =
        runtime.block_on(async { KmsKey::describe(client().await?, &args.kms_key_id).await.map_err(Failure::from) })?;
    print_lines([public.to_pem().trim_end()])?;
    Ok(ExitCode::SUCCESS)
}

fn runtime() -> Result<Runtime, Failure> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure(format!("cannot start the async runtime: {e}")))
}

async fn client() -> Result<Client, Failure> {
    let config = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
    if config.region().is_none() {
        return Err(Failure("no AWS region for KMS: set AWS_REGION, or a region in the AWS profile".into()));
    }
    Ok(Client::new(&config))
}
