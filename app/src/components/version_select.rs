use leptos::prelude::*;
use orbital_types::appstore::AppVersionRow;

/// The `version` field of a form about a chart: its versions, newest first, with `selected`
/// chosen (the newest when none is given).
#[component]
pub fn VersionSelect(
    /// The chart's versions, newest first.
    versions: Vec<AppVersionRow>,
    /// The version chosen at first.
    #[prop(optional)]
    selected: Option<String>,
) -> impl IntoView {
    view! {
        <label>
            "Version"
            <select name="version">
                {versions
                    .into_iter()
                    .map(|row| {
                        let chosen = selected.as_ref() == Some(&row.version);
                        let label = row.version.clone();
                        view! {
                            <option value=row.version selected=chosen>
                                {label}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
        </label>
    }
}
