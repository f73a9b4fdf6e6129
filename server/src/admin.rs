//! The first platform admin: made on the first start of a console whose cluster has no `admin`
//! user, with the password from `ORBITAL_ADMIN_PASSWORD` or one generated into the data
//! directory.

use std::path::{Path, PathBuf};

use orbital_iam::{ADMIN_USER, Directory, DirectoryError};

use crate::files::write_private;

/// The variable that sets the first admin's password.
pub const PASSWORD_VARIABLE: &str = "ORBITAL_ADMIN_PASSWORD";
/// The file in the data directory that holds a generated password.
pub const PASSWORD_FILE: &str = "admin-password";

/// Why the first admin could not be made.
#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    /// The password file could not be read or written.
    #[error("cannot use the admin password file {}: {source}", path.display())]
    File {
        /// The file.
        path: PathBuf,
        /// What the file system said.
        source: std::io::Error,
    },
    /// The user could not be made.
    #[error("cannot make the first admin user: {0}")]
    Directory(#[from] DirectoryError),
}

/// Where the first admin's password comes from.
enum Source {
    Variable,
    File(PathBuf),
}

/// The password for a new admin: the variable's, else the file's (written with a fresh one,
/// readable by its owner only, if missing).
fn password(data_dir: &Path) -> Result<(String, Source), AdminError> {
    if let Ok(password) = std::env::var(PASSWORD_VARIABLE)
        && !password.is_empty()
    {
        return Ok((password, Source::Variable));
    }
    let path = data_dir.join(PASSWORD_FILE);
    let failed = |source| AdminError::File {
        path: path.clone(),
        source,
    };
    match std::fs::read_to_string(&path) {
        Ok(text) if !text.trim().is_empty() => {
            return Ok((text.trim().to_owned(), Source::File(path)));
        }
        Ok(_) => {}
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
        Err(error) => return Err(failed(error)),
    }
    let password: String = orbital_iam::credentials::new_key("")
        .chars()
        .take(24)
        .collect();
    write_private(&path, &format!("{password}\n")).map_err(failed)?;
    Ok((password, Source::File(path)))
}

/// Makes the first admin unless the console's cluster has one.
pub async fn ensure(directory: &Directory, data_dir: &Path) -> Result<(), AdminError> {
    if directory.account(ADMIN_USER).is_some() {
        return Ok(());
    }
    let (password, source) = password(data_dir)?;
    if directory.ensure_admin(&password).await? {
        match source {
            Source::Variable => tracing::info!(
                "made the platform admin {ADMIN_USER:?} with the password from {PASSWORD_VARIABLE}"
            ),
            Source::File(path) => tracing::info!(
                "made the platform admin {ADMIN_USER:?}; its password is in {}",
                path.display()
            ),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_generated_password_is_written_once_for_its_owner_only() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        // The variable is not set in tests, so the file is the source.
        let (first, _) = password(dir.path()).unwrap();
        let (again, _) = password(dir.path()).unwrap();
        assert_eq!(first, again);
        assert_eq!(first.len(), 24);
        let mode = std::fs::metadata(dir.path().join(PASSWORD_FILE))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}
