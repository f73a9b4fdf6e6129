//! Passwords as the console keeps them: argon2id hashes in PHC form, never the text.

use argon2::Argon2;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};

/// The annotation that says `spec.password` of a `User` holds a hash, not a password.
pub const HASHED_ANNOTATION: &str = "iam.orbital.dev/password-hashed";

/// Why a password could not be hashed.
#[derive(Debug, thiserror::Error)]
#[error("the password could not be hashed: {0}")]
pub struct HashError(pub(crate) String);

/// The argon2id hash of `password`, with a fresh salt, as a PHC string.
pub fn hash(password: &str) -> Result<String, HashError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|error| HashError(error.to_string()))
}

/// Whether `password` is the one `phc` is the hash of. A value that is not an argon2id PHC
/// string matches nothing, so a password still in plain text never logs anyone in.
pub fn verify(password: &str, phc: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(phc) else {
        return false;
    };
    parsed.algorithm.as_str() == "argon2id"
        && Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
}

/// Whether `value` is an argon2id PHC string.
pub fn is_hash(value: &str) -> bool {
    PasswordHash::new(value).is_ok_and(|parsed| parsed.algorithm.as_str() == "argon2id")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_verifies_its_password_only() {
        let phc = hash("correct horse").unwrap();
        assert!(phc.starts_with("$argon2id$"), "{phc}");
        assert!(is_hash(&phc));
        assert!(verify("correct horse", &phc));
        assert!(!verify("correct horse ", &phc));
        assert_ne!(
            hash("correct horse").unwrap(),
            phc,
            "every hash has its own salt"
        );
    }

    #[test]
    fn text_that_is_not_a_hash_matches_nothing() {
        assert!(!is_hash("correct horse"));
        assert!(!verify("correct horse", "correct horse"));
        assert!(!verify("", ""));
        assert!(!is_hash("$argon2i$v=19$m=16,t=2,p=1$c2FsdHNhbHQ$Zm9v"));
    }
}
