//! Pieces of the console's layout shared by every page.

mod alert;
mod chart_upload;
mod cluster_loads;
mod command_palette;
mod delete_object;
mod failed_clusters;
mod form_outcome;
mod found_list;
mod hydration_mark;
mod kind_nav;
mod live_region;
mod load_bar;
mod members;
mod object_actions;
mod object_events;
mod object_overview;
mod overview_panels;
mod pod_logs;
mod secret_values;
mod setting_fields;
mod side_nav;
mod submit_button;
mod top_bar;
mod version_select;
mod yaml_check;
mod yaml_editor;
mod yaml_highlight;
mod yaml_text;

use leptos::prelude::{Resource, ServerFnError};

use orbital_types::tenancy::Permissions;

use crate::api::{ConsoleOverview, IamError};

pub use alert::Alert;
pub use chart_upload::{ChartUpload, upload_page_address};
pub use cluster_loads::ClusterLoads;
pub use command_palette::CommandPalette;
pub use delete_object::{DeleteObjectForm, DeleteState};
pub use failed_clusters::FailedClusters;
pub use form_outcome::{FormOutcome, outcome_of};
pub use found_list::FoundList;
pub use hydration_mark::HydrationMark;
pub use kind_nav::KindNav;
pub use live_region::{Freshness, LiveRegion, read_regions_again};
pub use load_bar::LoadBar;
pub use members::Members;
pub use object_actions::{ActionsState, ObjectActions};
pub use object_events::ObjectEvents;
pub use object_overview::ObjectOverview;
pub use overview_panels::OverviewPanels;
pub use pod_logs::{LogsAsked, PodLogs};
pub use secret_values::{SecretReveal, SecretValues};
pub use setting_fields::SettingFields;
pub use side_nav::SideNav;
pub use submit_button::SubmitButton;
pub use top_bar::TopBar;
pub use version_select::VersionSelect;
pub use yaml_editor::YamlEditor;
pub use yaml_text::{YamlText, yaml_problem};

/// The console overview, loaded once by the app and read through context.
pub type OverviewResource = Resource<Result<ConsoleOverview, ServerFnError>>;

/// What the caller may change, loaded once by the app and read through context, so that pages
/// offer only the controls that will work.
pub type PermissionsResource = Resource<Result<Permissions, IamError>>;
