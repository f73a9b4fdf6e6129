use leptos::prelude::*;
use orbital_types::appstore::{SchemaSetting, SettingKind};

/// The fields of an install form that a chart's `values.schema.json` describes, each named
/// `settings[PATH]` and showing the chart's default; one left empty keeps it.
#[component]
pub fn SettingFields(settings: Vec<SchemaSetting>) -> impl IntoView {
    view! {
        <fieldset class="choices" data-testid="settings">
            <legend>"Settings (from the chart's values schema; empty keeps the default)"</legend>
            {settings.into_iter().map(|setting| view! { <SettingField setting /> }).collect_view()}
        </fieldset>
    }
}

#[component]
fn SettingField(setting: SchemaSetting) -> impl IntoView {
    let name = format!("settings[{}]", setting.path);
    let default = setting.default.clone();
    let kept = move || format!("default: {default}");
    let control = match setting.kind {
        SettingKind::Boolean => view! {
            <select name=name>
                <option value="">{kept()}</option>
                <option value="true">"true"</option>
                <option value="false">"false"</option>
            </select>
        }
        .into_any(),
        SettingKind::Choice(choices) => view! {
            <select name=name>
                <option value="">{kept()}</option>
                {choices
                    .into_iter()
                    .map(|choice| view! { <option value=choice.clone()>{choice.clone()}</option> })
                    .collect_view()}
            </select>
        }
        .into_any(),
        kind => {
            let input_mode = match kind {
                SettingKind::Integer => "numeric",
                SettingKind::Number => "decimal",
                _ => "text",
            };
            view! { <input name=name inputmode=input_mode autocomplete="off" placeholder=setting.default /> }
                .into_any()
        }
    };
    view! {
        <label>
            {setting.path}
            {(!setting.help.is_empty()).then(|| view! { <span class="muted">{format!(" — {}", setting.help)}</span> })}
            {control}
        </label>
    }
}
