//! Pieces of the console's layout shared by every page.

mod alert;
mod form_outcome;
mod members;
mod side_nav;
mod submit_button;
mod top_bar;

use leptos::prelude::{Resource, ServerFnError};

use orbital_types::tenancy::Permissions;

use crate::api::{ConsoleOverview, IamError};

pub use alert::Alert;
pub use form_outcome::{FormOutcome, outcome_of};
pub use members::Members;
pub use side_nav::SideNav;
pub use submit_button::SubmitButton;
pub use top_bar::TopBar;

/// The console overview, loaded once by the app and read through context.
pub type OverviewResource = Resource<Result<ConsoleOverview, ServerFnError>>;

/// What the caller may change, loaded once by the app and read through context, so that pages
/// offer only the controls that will work.
pub type PermissionsResource = Resource<Result<Permissions, IamError>>;
