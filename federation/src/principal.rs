//! Who a request to a cluster is made for.

use std::fmt;

/// The caller on whose behalf a [`Scope`](crate::Scope) acts. Every scope is built for one, so
/// that what it may reach can be decided in one place.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Principal {
    /// The console itself: its own start-up work and, until users log in, every request.
    Console,
}

impl fmt::Display for Principal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Console => f.write_str("console"),
        }
    }
}
