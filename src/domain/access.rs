//! Ways in besides a password: tokens for scripts and SSH public keys for `kassa serve`.
//!
//! A token is `kassa_` and 64 hexadecimal digits (256 random bits). The database keeps only its
//! SHA-256: a secret that long cannot be guessed, so it needs no slow hash, and checking one
//! costs microseconds where a password's argon2 costs tens of milliseconds.

use chrono::{DateTime, Utc};
use serde::Serialize;
use sha2::{Digest, Sha256};

/// What every token starts with, so that one pasted into the wrong place is recognisable.
pub const TOKEN_PREFIX: &str = "kassa_";

/// A token's secret: shown once when it is created, never stored.
pub struct TokenSecret(String);

impl TokenSecret {
    /// A new random secret.
    pub fn generate() -> TokenSecret {
        let bytes: [u8; 32] = rand::random();
        TokenSecret(format!("{TOKEN_PREFIX}{}", hex(&bytes)))
    }

    /// A secret as given (`KASSA_TOKEN`); `None` when it cannot be one (wrong shape).
    pub fn parse(text: &str) -> Option<TokenSecret> {
        let digits = text.trim().strip_prefix(TOKEN_PREFIX)?;
        (digits.len() == 64 && digits.bytes().all(|b| b.is_ascii_hexdigit()))
            .then(|| TokenSecret(format!("{TOKEN_PREFIX}{}", digits.to_ascii_lowercase())))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// What the database keeps: the secret's SHA-256 in hexadecimal.
    pub fn digest(&self) -> String {
        hex(&Sha256::digest(self.0.as_bytes()))
    }
}

impl std::fmt::Debug for TokenSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TokenSecret(…)")
    }
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// A token as the administrator sees it (never its secret).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApiToken {
    pub id: i64,
    pub operator_id: i64,
    pub operator_login: String,
    pub name: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// Whether a token can be used at a moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenState {
    Valid,
    Revoked,
    Expired,
}

impl ApiToken {
    /// Whether the token can be used at `at`: revocation first, then its expiry.
    pub fn state(&self, at: DateTime<Utc>) -> TokenState {
        if self.revoked_at.is_some() {
            TokenState::Revoked
        } else if self.expires_at.is_some_and(|e| e <= at) {
            TokenState::Expired
        } else {
            TokenState::Valid
        }
    }

    /// Why the token cannot be used at `at`, if it cannot.
    pub fn refusal(&self, at: DateTime<Utc>) -> Option<&'static str> {
        match self.state(at) {
            TokenState::Valid => None,
            TokenState::Revoked => Some("token revoked"),
            TokenState::Expired => Some("token expired"),
        }
    }

    /// The last local day the token works (it expires as that day ends), if it expires.
    pub fn valid_through(&self) -> Option<chrono::NaiveDate> {
        self.expires_at.map(|e| crate::domain::dates::local(e - chrono::Duration::seconds(1)).date_naive())
    }
}

/// An SSH public key registered to an operator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OperatorKey {
    pub id: i64,
    pub operator_id: i64,
    pub algorithm: String,
    /// `ALGORITHM BASE64`, as an authorized_keys line has it, without the comment.
    pub public_key: String,
    /// `SHA256:…`, as `ssh-keygen -l` prints it.
    pub fingerprint: String,
    pub comment: String,
    pub added_at: DateTime<Utc>,
}

/// A public key read from an authorized_keys or `.pub` line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedKey {
    pub algorithm: String,
    pub public_key: String,
    pub fingerprint: String,
    pub comment: String,
}

/// Reads the keys of an authorized_keys or `.pub` file: one per line; blank lines and `#`
/// comments skipped. Options before the key type (`from="…" ssh-ed25519 …`) are refused: kassa
/// would not honour them. A line that is not a key is an error naming its number.
pub fn parse_public_keys(text: &str) -> Result<Vec<ParsedKey>, String> {
    let mut keys = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let key = parse_public_key(line).map_err(|e| format!("line {}: {e}", n + 1))?;
        keys.push(key);
    }
    if keys.is_empty() {
        return Err("no public key in it (expected a line like 'ssh-ed25519 AAAA… comment')".into());
    }
    Ok(keys)
}

/// One `TYPE BASE64 [COMMENT]` line.
pub fn parse_public_key(line: &str) -> Result<ParsedKey, String> {
    if line.contains("PRIVATE KEY") {
        return Err("this is a private key: give the .pub file".into());
    }
    let key = russh::keys::PublicKey::from_openssh(line.trim())
        .map_err(|e| format!("not an SSH public key ({e})"))?;
    let comment = key.comment().as_str_lossy().chars().filter(|c| !c.is_control()).take(200).collect();
    Ok(from_public_key(&key, comment))
}

/// The stored form of a key (as an SSH client offered it, with no comment).
pub fn from_public_key(key: &russh::keys::PublicKey, comment: String) -> ParsedKey {
    let mut bare = key.clone();
    bare.set_comment("");
    let public_key = bare.to_openssh().unwrap_or_default().trim().to_string();
    ParsedKey {
        algorithm: key.algorithm().as_str().to_string(),
        fingerprint: key.fingerprint(russh::keys::HashAlg::Sha256).to_string(),
        public_key,
        comment,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_round_trips_and_its_digest_is_stable() {
        let s = TokenSecret::generate();
        assert!(s.as_str().starts_with(TOKEN_PREFIX));
        assert_eq!(s.as_str().len(), TOKEN_PREFIX.len() + 64);
        let again = TokenSecret::parse(&format!("  {}\n", s.as_str())).unwrap();
        assert_eq!(again.digest(), s.digest());
        assert_eq!(s.digest().len(), 64);
        assert_ne!(TokenSecret::generate().digest(), s.digest());
    }

    #[test]
    fn malformed_secrets_are_refused() {
        assert!(TokenSecret::parse("").is_none());
        assert!(TokenSecret::parse("kassa_123").is_none());
        assert!(TokenSecret::parse(&format!("kasa_{}", "a".repeat(64))).is_none());
        assert!(TokenSecret::parse(&format!("kassa_{}", "g".repeat(64))).is_none());
        assert!(TokenSecret::parse(&format!("kassa_{}", "A".repeat(64))).is_some());
    }

    #[test]
    fn digest_is_sha256_of_the_text() {
        let s = TokenSecret::parse(&format!("kassa_{}", "0".repeat(64))).unwrap();
        // sha256("kassa_" + 64 zeros), computed independently with sha256sum
        assert_eq!(s.digest(), "e8237ccb6e7240ca5c1b2cbf723ecf43127c375fee8871912a4c25b9f0c73a72");
    }

    const ED25519: &str =
        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAICngkzz6UNxgwuMlV+zuVEWyxL1puFA9EUw/3eDJ4RCm kassa@desk1";

    #[test]
    fn a_public_key_line_is_read_with_its_fingerprint() {
        let k = parse_public_key(ED25519).unwrap();
        assert_eq!(k.algorithm, "ssh-ed25519");
        assert_eq!(k.comment, "kassa@desk1");
        assert!(k.public_key.starts_with("ssh-ed25519 AAAA"));
        assert!(!k.public_key.contains("desk1"));
        // as `ssh-keygen -lf` prints it
        assert_eq!(k.fingerprint, "SHA256:kkgUE0J/8LulR3KhAFk3FNC5YrwTN/aC5oQ7TUoc0ZQ");
    }

    #[test]
    fn a_file_of_keys_skips_comments_and_names_the_bad_line() {
        let text = format!("# desk keys\n\n{ED25519}\nnot a key\n");
        let e = parse_public_keys(&text).unwrap_err();
        assert!(e.starts_with("line 4:"), "{e}");
        assert_eq!(parse_public_keys(&format!("# c\n{ED25519}\n")).unwrap().len(), 1);
        assert!(parse_public_keys("# nothing\n").is_err());
        assert!(parse_public_key("-----BEGIN OPENSSH PRIVATE KEY-----").is_err());
    }
}
