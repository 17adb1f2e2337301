//! Client secrets: generated with the OS random generator, stored as Argon2id hashes.

use std::sync::Mutex;

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{Output, PasswordHash, PasswordHasher, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use base64::Engine;
use rand::RngCore;

/// Prefix of every client secret, so that secret scanners can recognise a leaked one.
const SECRET_PREFIX: &str = "ips_";

/// Generates a new client secret: 256 random bits, base64url-encoded, with a prefix.
pub fn generate_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    format!(
        "{SECRET_PREFIX}{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    )
}

/// Hashes a secret with Argon2id (the crate's default parameters) into a PHC string.
pub fn hash_secret(secret: &str) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(secret.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|e| anyhow::anyhow!("failed to hash client secret: {e}"))
}

/// Working memory of finished secret checks, reused by later ones. Each Argon2id check needs
/// about 19 MiB with the default parameters. Allocating and freeing that per check left the
/// freed blocks in glibc's per-thread heaps, so a burst of token requests kept over a gigabyte
/// resident. The pool keeps one buffer per check that ran at the same time, and the token
/// endpoint runs one check per CPU core at a time.
static WORKING_MEMORY: Mutex<Vec<Vec<Block>>> = Mutex::new(Vec::new());

/// Checks a secret against a stored PHC string in constant time.
pub fn verify_secret(secret: &str, phc: &str) -> bool {
    let Ok(hash) = PasswordHash::new(phc) else {
        return false;
    };
    let (Ok(algorithm), Ok(params), Some(expected), Some(salt)) = (
        Algorithm::try_from(hash.algorithm),
        Params::try_from(&hash),
        hash.hash,
        hash.salt,
    ) else {
        return false;
    };
    let version = hash.version.map_or(Ok(Version::V0x13), Version::try_from);
    let mut salt_bytes = [0u8; 64];
    let (Ok(version), Ok(salt)) = (version, salt.decode_b64(&mut salt_bytes)) else {
        return false;
    };

    let mut memory = WORKING_MEMORY
        .lock()
        .ok()
        .and_then(|mut pool| pool.pop())
        .unwrap_or_default();
    memory.resize(params.block_count(), Block::default());
    let mut computed = vec![0u8; expected.len()];
    let hashed = Argon2::new(algorithm, version, params).hash_password_into_with_memory(
        secret.as_bytes(),
        salt,
        &mut computed,
        &mut memory,
    );
    if let Ok(mut pool) = WORKING_MEMORY.lock() {
        pool.push(memory);
    }
    // `Output` compares in constant time.
    hashed.is_ok() && Output::new(&computed).is_ok_and(|computed| computed == expected)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_verifies_only_the_same_secret() {
        let secret = generate_secret();
        let hash = hash_secret(&secret).expect("hash");
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_secret(&secret, &hash));
        assert!(!verify_secret("ips_wrong", &hash));
    }

    #[test]
    fn generated_secrets_differ() {
        assert_ne!(generate_secret(), generate_secret());
        assert!(generate_secret().starts_with(SECRET_PREFIX));
    }

    #[test]
    fn malformed_hash_never_verifies() {
        assert!(!verify_secret("anything", "not-a-phc-string"));
    }
}
