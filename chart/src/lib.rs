//! Helm charts as Helm reads and renders them: a chart loaded from a directory or an archive,
//! its values (the user's files and `--set` arguments coalesced with the defaults of the
//! chart and its subcharts), its subcharts enabled by their conditions and tags, its templates
//! rendered by `orbital-template`, and the output sorted into manifests and hooks in Helm's
//! install order — checked byte for byte against `helm template`.

mod command;
mod dependencies;
mod error;
mod install;
mod load;
mod manifests;
mod metadata;
mod objects;
mod pattern;
mod render;
mod schema;
mod set;
mod values;

pub use command::{TemplateRequest, helm_template};
pub use dependencies::process_dependencies;
pub use error::ChartError;
pub use install::{
    ClusterCapabilities, PreparedRelease, ReleaseOptions, Rendered, prepare_release,
    render_release, validate_release_name,
};
pub use load::{Chart, ChartFile};
pub use manifests::{Hook, HookEvent, Manifest, Sorted, sort_manifests, split_documents};
pub use metadata::{Dependency, FieldError, Maintainer, Metadata};
pub use objects::{DEFAULT_API_VERSIONS, DEFAULT_KUBE_VERSION, HELM_VERSION, KubeVersion};
pub use render::Lookup;
pub use set::{SetError, SetKind, apply_set};
pub use values::{coalesce, merge_user_values};
