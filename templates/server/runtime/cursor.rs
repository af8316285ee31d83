//! Opaque, tamper-evident pagination cursors.
//!
//! A handler says where the next page starts as a plain string (an id, an
//! offset); clients see it base64url-encoded with an HMAC-SHA256 tag, so a
//! cursor the server did not issue is refused instead of being trusted.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// Bytes of the tag kept in a cursor: enough to make forgery impractical.
const TAG_LENGTH: usize = 16;

#[derive(Clone)]
pub struct CursorCodec {
    key: Vec<u8>,
}

impl std::fmt::Debug for CursorCodec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CursorCodec { key: <redacted> }")
    }
}

impl CursorCodec {
    pub fn new(key: impl Into<Vec<u8>>) -> Self {
        CursorCodec { key: key.into() }
    }

    fn tag(&self, position: &[u8]) -> [u8; TAG_LENGTH] {
        let mut mac =
            Hmac::<Sha256>::new_from_slice(&self.key).expect("HMAC accepts keys of any length");
        mac.update(position);
        let full = mac.finalize().into_bytes();
        let mut tag = [0; TAG_LENGTH];
        tag.copy_from_slice(&full[..TAG_LENGTH]);
        tag
    }

    /// The cursor a client sees for `position`.
    pub fn encode(&self, position: &str) -> String {
        let mut bytes = position.as_bytes().to_vec();
        bytes.extend_from_slice(&self.tag(position.as_bytes()));
        URL_SAFE_NO_PAD.encode(bytes)
    }

    /// The position of a cursor this server issued, or `None` for any other string.
    pub fn decode(&self, cursor: &str) -> Option<String> {
        let bytes = URL_SAFE_NO_PAD.decode(cursor).ok()?;
        if bytes.len() < TAG_LENGTH {
            return None;
        }
        let (position, tag) = bytes.split_at(bytes.len() - TAG_LENGTH);
        let mut mac =
            Hmac::<Sha256>::new_from_slice(&self.key).expect("HMAC accepts keys of any length");
        mac.update(position);
        // Constant-time comparison of the truncated tag.
        mac.verify_truncated_left(tag).ok()?;
        String::from_utf8(position.to_vec()).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_refuses_anything_else() {
        let codec = CursorCodec::new(b"secret".to_vec());
        let cursor = codec.encode("ch_123|1700000000");
        assert_eq!(codec.decode(&cursor).as_deref(), Some("ch_123|1700000000"));
        assert_eq!(codec.decode(""), None);
        assert_eq!(codec.decode("not base64!"), None);
        assert_eq!(
            codec.decode(&URL_SAFE_NO_PAD.encode("ch_123|1700000000")),
            None
        );
        let mut forged = cursor.clone().into_bytes();
        forged[0] = if forged[0] == b'A' { b'B' } else { b'A' };
        assert_eq!(codec.decode(std::str::from_utf8(&forged).unwrap()), None);
        assert_eq!(CursorCodec::new(b"other".to_vec()).decode(&cursor), None);
    }
}
