//! SHA-256 names for what the server keeps: idempotency scopes and request
//! fingerprints, and rate-limit keys in Redis (so no principal or address
//! appears in a key name); and the slot tags that keep one subject's keys
//! together in a Redis Cluster.

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

/// Whose keys share a Redis Cluster slot: a principal's, an address's.
/// Key names carry it in hexadecimal between braces (a hash tag), so the
/// counters and the idempotency record of one subject can be read and
/// written by one script. FNV-1a: stable across processes and releases,
/// cheap, and it only has to spread subjects over slots.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SlotTag(pub [u8; 4]);

impl SlotTag {
    pub fn of(subject: &str) -> Self {
        let mut hash = Fnv1a::default();
        hash.add(subject);
        SlotTag(hash.0.to_be_bytes())
    }

    /// The tag of `subject`'s text, hashed as it is written, without
    /// allocating it: a counter's key names its slot on every request.
    pub fn of_display(subject: &impl std::fmt::Display) -> Self {
        let mut hash = Fnv1a::default();
        // Writing to the hash cannot fail.
        let _ = std::fmt::Write::write_fmt(&mut hash, format_args!("{subject}"));
        SlotTag(hash.0.to_be_bytes())
    }
}

/// 32-bit FNV-1a, fed text.
struct Fnv1a(u32);

impl Default for Fnv1a {
    fn default() -> Self {
        Fnv1a(0x811c_9dc5)
    }
}

impl Fnv1a {
    fn add(&mut self, text: &str) {
        for byte in text.bytes() {
            self.0 = (self.0 ^ u32::from(byte)).wrapping_mul(0x0100_0193);
        }
    }
}

impl std::fmt::Write for Fnv1a {
    fn write_str(&mut self, text: &str) -> std::fmt::Result {
        self.add(text);
        Ok(())
    }
}

/// Lower-case hexadecimal.
pub fn hex(bytes: &[u8]) -> String {
    let mut text = String::with_capacity(bytes.len() * 2);
    push_hex(&mut text, bytes);
    text
}

/// Appends `bytes` in lower-case hexadecimal: key names are built on every
/// request, so digit by digit rather than one `format!` per byte.
pub fn push_hex(text: &mut String, bytes: &[u8]) {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    for byte in bytes {
        text.push(char::from(DIGITS[usize::from(byte >> 4)]));
        text.push(char::from(DIGITS[usize::from(byte & 0x0f)]));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_is_lower_case_two_digits_a_byte() {
        assert_eq!(hex(&[0x00, 0x0f, 0xa5, 0xff]), "000fa5ff");
        assert_eq!(hex(&[]), "");
    }

    #[test]
    fn slot_tags_are_fnv_1a() {
        // The published FNV-1a 32-bit test vectors: tags must not change
        // between releases, or replicas of two versions would split keys.
        assert_eq!(SlotTag::of("").0, 0x811c_9dc5_u32.to_be_bytes());
        assert_eq!(SlotTag::of("a").0, 0xe40c_292c_u32.to_be_bytes());
        assert_eq!(SlotTag::of("foobar").0, 0xbf9c_f968_u32.to_be_bytes());
        // Hashed as written, in pieces, the same as the whole text.
        assert_eq!(
            SlotTag::of_display(&format_args!("{}:{}", "foo", 1.5)),
            SlotTag::of("foo:1.5")
        );
    }
}
