//! SHA-256 names for what the server keeps: idempotency scopes and request
//! fingerprints, and rate-limit keys in Redis (so no principal or address
//! appears in a key name).

use sha2::{Digest, Sha256};

/// SHA-256 of `parts`, each with its length in front, so ("ab", "c") and
/// ("a", "bc") differ.
pub fn sha256(parts: &[&[u8]]) -> [u8; 32] {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update((part.len() as u64).to_be_bytes());
        hasher.update(part);
    }
    hasher.finalize().into()
}

/// Lower-case hexadecimal.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}
