//! Key documents in their encodings, identified by structure rather than by file
//! name or label, and normalised: private keys to PKCS#8 DER, public keys to
//! SubjectPublicKeyInfo DER, which is what both backends load.

use der::asn1::{AnyRef, ObjectIdentifier as Oid};
use der::{Decode, Encode};
use pkcs8::spki::{AlgorithmIdentifierRef, SubjectPublicKeyInfoRef};
use zeroize::Zeroizing;

use super::pem::{self, looks_like_pem};
use super::{KeyAlgorithm, malformed};
use crate::error::{Error, Result};

const RSA_ENCRYPTION: Oid = Oid::new_unwrap("1.2.840.113549.1.1.1");
const EC_PUBLIC_KEY: Oid = Oid::new_unwrap("1.2.840.10045.2.1");
const P256: Oid = Oid::new_unwrap("1.2.840.10045.3.1.7");

/// Names for the algorithms and curves people most often try, so the refusal
/// says what was given rather than an OID.
fn describe(oid: &Oid) -> String {
    match oid.to_string().as_str() {
        "1.2.840.113549.1.1.10" => "RSA-PSS".into(),
        "1.3.132.0.34" => "the P-384 curve".into(),
        "1.3.132.0.35" => "the P-521 curve".into(),
        "1.3.132.0.10" => "the secp256k1 curve".into(),
        "1.3.101.112" => "Ed25519".into(),
        "1.3.101.113" => "Ed448".into(),
        "1.3.101.110" => "X25519".into(),
        "1.2.840.10040.4.1" => "DSA".into(),
        other => format!("algorithm {other}"),
    }
}

pub(crate) struct PrivateKeyDocument {
    pub algorithm: KeyAlgorithm,
    pub pkcs8: Zeroizing<Vec<u8>>,
}

impl PrivateKeyDocument {
    pub fn decode(input: &[u8]) -> Result<Self> {
        if looks_like_pem(input) {
            let block = pem::decode_block(input, |label| label.ends_with("PRIVATE KEY")).map_err(|e| match e {
                Error::MalformedKey(m) if m.contains("PUBLIC KEY") => {
                    malformed(format!("{m}; a private key is needed here"))
                }
                other => other,
            })?;
            let by_label = match block.label.as_str() {
                "PRIVATE KEY" => Self::from_pkcs8(&block.der),
                "RSA PRIVATE KEY" => Self::from_pkcs1(&block.der),
                "EC PRIVATE KEY" => Self::from_sec1(&block.der),
                other => Err(Error::UnsupportedKey(format!("a PEM block labelled {other}"))),
            };
            // A label names a structure but does not make it: tools write PKCS#8
            // under "RSA PRIVATE KEY" or "ECDSA PRIVATE KEY". The DER decides,
            // alike for every label; a key CloudFront refuses says so either way.
            match by_label {
                Err(Error::UnsupportedKey(why)) if why.starts_with("a PEM block labelled") => {
                    Self::from_der(&block.der).map_err(|e| match e {
                        Error::UnsupportedKey(reason) => Error::UnsupportedKey(reason),
                        _ => Error::UnsupportedKey(why),
                    })
                }
                Err(e @ Error::UnsupportedKey(_)) => Err(e),
                Err(e) => Self::from_der(&block.der).map_err(|_| e),
                ok => ok,
            }
        } else {
            Self::from_der(input)
        }
    }

    /// DER carries no label: the three structures are tried, most common first.
    /// A structure that parses but holds a key CloudFront refuses (RSA-4096 in
    /// PKCS#1, P-384 in SEC1) says so, rather than "not a key".
    fn from_der(input: &[u8]) -> Result<Self> {
        let mut unsupported = None;
        for attempt in [Self::from_pkcs8, Self::from_pkcs1, Self::from_sec1] {
            match attempt(input) {
                Ok(document) => return Ok(document),
                Err(e @ Error::UnsupportedKey(_)) => unsupported = unsupported.or(Some(e)),
                Err(_) => {}
            }
        }
        Err(unsupported.unwrap_or_else(|| malformed("neither PEM nor PKCS#8, PKCS#1 or SEC1 DER")))
    }

    fn from_pkcs8(der: &[u8]) -> Result<Self> {
        let info = pkcs8::PrivateKeyInfo::from_der(der).map_err(|_| malformed("not a PKCS#8 private key"))?;
        let algorithm = match info.algorithm.oid {
            RSA_ENCRYPTION => {
                check_rsa_modulus(rsa_private_modulus(info.private_key)?)?;
                KeyAlgorithm::Rsa2048
            }
            EC_PUBLIC_KEY => {
                let curve =
                    info.algorithm.parameters_oid().map_err(|_| malformed("the EC key does not name its curve"))?;
                check_curve(&curve)?;
                check_p256_scalar(info.private_key)?;
                KeyAlgorithm::EcdsaP256
            }
            other => return Err(Error::UnsupportedKey(describe(&other))),
        };
        Ok(Self { algorithm, pkcs8: Zeroizing::new(der.to_vec()) })
    }

    fn from_pkcs1(der: &[u8]) -> Result<Self> {
        check_rsa_modulus(rsa_private_modulus(der)?)?;
        let algorithm = AlgorithmIdentifierRef { oid: RSA_ENCRYPTION, parameters: Some(AnyRef::NULL) };
        Ok(Self { algorithm: KeyAlgorithm::Rsa2048, pkcs8: wrap_pkcs8(algorithm, der)? })
    }

    fn from_sec1(der: &[u8]) -> Result<Self> {
        let key = sec1::EcPrivateKey::from_der(der).map_err(|_| malformed("not a SEC1 EC private key"))?;
        let curve = key
            .parameters
            .and_then(|p| p.named_curve())
            .ok_or_else(|| malformed("the SEC1 key does not name its curve"))?;
        check_curve(&curve)?;
        if key.private_key.len() != 32 {
            return Err(malformed("the EC private scalar is not 32 bytes"));
        }
        let algorithm = AlgorithmIdentifierRef { oid: EC_PUBLIC_KEY, parameters: Some(AnyRef::from(&P256)) };
        Ok(Self { algorithm: KeyAlgorithm::EcdsaP256, pkcs8: wrap_pkcs8(algorithm, der)? })
    }
}

fn wrap_pkcs8(algorithm: AlgorithmIdentifierRef<'_>, private_key: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
    pkcs8::PrivateKeyInfo::new(algorithm, private_key)
        .to_der()
        .map(Zeroizing::new)
        .map_err(|_| malformed("the key could not be re-encoded as PKCS#8"))
}

fn rsa_private_modulus(der: &[u8]) -> Result<usize> {
    let key = pkcs1::RsaPrivateKey::from_der(der).map_err(|_| malformed("not a PKCS#1 RSA private key"))?;
    Ok(bit_length(key.modulus.as_bytes()))
}

fn check_rsa_modulus(bits: usize) -> Result<()> {
    if bits == 2048 { Ok(()) } else { Err(Error::UnsupportedKey(format!("an RSA key of {bits} bits"))) }
}

fn check_curve(curve: &Oid) -> Result<()> {
    if *curve == P256 { Ok(()) } else { Err(Error::UnsupportedKey(format!("an EC key on {}", describe(curve)))) }
}

fn check_p256_scalar(sec1_der: &[u8]) -> Result<()> {
    let key = sec1::EcPrivateKey::from_der(sec1_der).map_err(|_| malformed("the EC private key does not decode"))?;
    if key.private_key.len() == 32 { Ok(()) } else { Err(malformed("the EC private scalar is not 32 bytes")) }
}

fn bit_length(big_endian: &[u8]) -> usize {
    let significant = big_endian.iter().position(|&b| b != 0).map_or(&[][..], |i| &big_endian[i..]);
    match significant.first() {
        Some(first) => significant.len() * 8 - first.leading_zeros() as usize,
        None => 0,
    }
}

pub(crate) struct PublicKeyDocument {
    pub algorithm: KeyAlgorithm,
    pub spki_der: Vec<u8>,
}

impl PublicKeyDocument {
    pub fn decode(input: &[u8]) -> Result<Self> {
        if looks_like_pem(input) {
            let block = pem::decode_block(input, |label| label == "PUBLIC KEY").map_err(|e| match e {
                Error::MalformedKey(m) if m.contains("PRIVATE KEY") => {
                    malformed("found a private key where a public key (BEGIN PUBLIC KEY) is expected")
                }
                other => other,
            })?;
            Self::from_spki_der(&block.der)
        } else {
            Self::from_spki_der(input)
        }
    }

    pub fn from_spki_der(der: &[u8]) -> Result<Self> {
        let spki = SubjectPublicKeyInfoRef::from_der(der)
            .map_err(|_| malformed("not a SubjectPublicKeyInfo public key (BEGIN PUBLIC KEY)"))?;
        let algorithm = match spki.algorithm.oid {
            RSA_ENCRYPTION => {
                let bits = spki
                    .subject_public_key
                    .as_bytes()
                    .and_then(|raw| pkcs1::RsaPublicKey::from_der(raw).ok())
                    .map(|key| bit_length(key.modulus.as_bytes()))
                    .ok_or_else(|| malformed("the RSA public key does not decode"))?;
                check_rsa_modulus(bits)?;
                KeyAlgorithm::Rsa2048
            }
            EC_PUBLIC_KEY => {
                let curve = spki
                    .algorithm
                    .parameters_oid()
                    .map_err(|_| malformed("the EC public key does not name its curve"))?;
                check_curve(&curve)?;
                KeyAlgorithm::EcdsaP256
            }
            other => return Err(Error::UnsupportedKey(describe(&other))),
        };
        Ok(Self { algorithm, spki_der: der.to_vec() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bit_length_ignores_leading_zeros() {
        assert_eq!(bit_length(&[0x00, 0x80, 0x00]), 16);
        assert_eq!(bit_length(&[0x01]), 1);
        assert_eq!(bit_length(&[]), 0);
    }
}
