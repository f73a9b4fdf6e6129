//! Tenancy for Orbital: who may do what, where.
//!
//! Users, grants and workspaces are Kubernetes objects on the host (`iam.orbital.dev`). A
//! [`Grant`] gives one user one built-in [`Role`] at one scope; a [`Workspace`] is placed on
//! some clusters, and its projects are the namespaces there labelled [`WORKSPACE_LABEL`]. The
//! [`Policy`] decides every request as an [`Access`] on a cluster, read from the request the
//! way the API server reads it ([`access::from_http`]), before anything is sent to a member.

pub mod access;
mod authorizer;
pub mod copies;
pub mod crd;
pub mod credentials;
mod directory;
mod grant;
mod objects;
pub mod password;
mod redact;
mod tenancy;
mod workspace;

pub use access::{Access, AccessError, ResourceAccess, Verb};
pub use authorizer::{Decision, Policy};
pub use directory::{ADMIN_USER, Account, Directory, DirectoryError};
pub use grant::{Grant, GrantError, GrantScope, GrantSpec};
pub use orbital_types::{Role, RoleScope, UnknownRole};
pub use redact::redact_users;
pub use tenancy::{
    MAX_TOKEN_LIFETIME, MIN_PASSWORD_LENGTH, NewUser, Tenancy, TenancyError, TenancyScope,
};
pub use workspace::{Projects, WORKSPACE_LABEL, Workspace, WorkspaceSpec};
