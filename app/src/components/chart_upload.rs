use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::url::encode;

/// Where a chart archive is uploaded: the host's repository of uploads, as ChartMuseum takes
/// uploads (a multipart form's `chart` field).
const UPLOAD_URL: &str = "/appstore/repos/uploads/api/charts";

/// The query keys of the upload form's page that say what became of an upload the browser
/// sent itself (without script): what was uploaded, or why nothing was.
const UPLOADED: &str = "uploaded";
const UPLOAD_ERROR: &str = "upload_error";

/// The address of the upload form's page telling what became of an upload the browser sent
/// itself: `Ok` with the chart's name and version, `Err` with why it was refused.
pub fn upload_page_address(outcome: Result<(&str, &str), &str>) -> String {
    let query = match outcome {
        Ok((name, version)) => format!("{UPLOADED}={}", encode(&format!("{name} {version}"))),
        Err(why) => format!("{UPLOAD_ERROR}={}", encode(why)),
    };
    format!("/appstore/repositories?{query}")
}

/// What the page's address says of an upload sent without script, if anything.
fn outcome_in_address() -> Option<Result<String, String>> {
    let query = use_query_map();
    let query = query.read_untracked();
    if let Some(uploaded) = query.get(UPLOADED) {
        return Some(Ok(format!("Uploaded {uploaded}.")));
    }
    query.get(UPLOAD_ERROR).map(Err)
}

/// The form that uploads a chart archive (`helm package`'s `.tgz`) into the host's repository
/// of uploads; `uploaded` is bumped after each upload taken. In the browser the form is sent
/// by script and the answer shown here; without script the browser posts it itself and is sent
/// back here with the answer in the address.
#[component]
pub fn ChartUpload(uploaded: RwSignal<u64>) -> impl IntoView {
    let outcome = RwSignal::new(outcome_in_address());
    let pending = RwSignal::new(false);
    let on_submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        send(&event, outcome, pending, uploaded);
    };
    view! {
        <section class="panel" aria-labelledby="upload-heading">
            <h2 id="upload-heading">"Upload a chart"</h2>
            <p class="muted">
                "A chart archive as helm package writes it becomes an app of the repository uploads, installable like any other. Helm can upload too: POST the archive to "
                <code>{UPLOAD_URL}</code>
                "."
            </p>
            <form
                class="form"
                method="post"
                enctype="multipart/form-data"
                action=UPLOAD_URL
                on:submit=on_submit
            >
                <label>
                    "Chart archive (.tgz)"
                    <input type="file" name="chart" accept=".tgz,application/gzip" required />
                </label>
                <label class="checkbox">
                    <input type="checkbox" name="force" value="true" />
                    "Replace the same version if it is there"
                </label>
                <crate::components::SubmitButton label="Upload chart" busy="Uploading…" pending />
            </form>
            <crate::components::FormOutcome testid="upload-outcome" outcome />
        </section>
    }
}

/// Sends the submitted form and shows what the host answered.
#[cfg(feature = "hydrate")]
fn send(
    event: &leptos::ev::SubmitEvent,
    outcome: RwSignal<Option<Result<String, String>>>,
    pending: RwSignal<bool>,
    uploaded: RwSignal<u64>,
) {
    use wasm_bindgen::JsCast;

    let Some(form) = event
        .target()
        .and_then(|target| target.dyn_into::<web_sys::HtmlFormElement>().ok())
    else {
        return;
    };
    let Ok(data) = web_sys::FormData::new_with_form(&form) else {
        return;
    };
    let url = match data.get("force").as_string() {
        Some(_) => format!("{UPLOAD_URL}?force=true"),
        None => UPLOAD_URL.to_owned(),
    };
    pending.set(true);
    leptos::task::spawn_local(async move {
        let answer = post(&url, &data).await;
        pending.set(false);
        if answer.is_ok() {
            form.reset();
            uploaded.update(|count| *count += 1);
        }
        outcome.set(Some(answer));
    });
}

/// Without a browser there is nothing to send.
#[cfg(not(feature = "hydrate"))]
fn send(
    _: &leptos::ev::SubmitEvent,
    _: RwSignal<Option<Result<String, String>>>,
    _: RwSignal<bool>,
    _: RwSignal<u64>,
) {
}

/// Posts `data` to `url`: what was uploaded, or why not.
#[cfg(feature = "hydrate")]
async fn post(url: &str, data: &web_sys::FormData) -> Result<String, String> {
    use wasm_bindgen::JsCast;
    use wasm_bindgen_futures::JsFuture;

    let failed = |_| "the console did not answer; try again".to_owned();
    let init = web_sys::RequestInit::new();
    init.set_method("POST");
    init.set_body(data);
    let window = web_sys::window().ok_or("no browser window")?;
    let response: web_sys::Response = JsFuture::from(window.fetch_with_str_and_init(url, &init))
        .await
        .map_err(failed)?
        .unchecked_into();
    let text = JsFuture::from(response.text().map_err(failed)?)
        .await
        .map_err(failed)?
        .as_string()
        .unwrap_or_default();
    let answer: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
    if response.ok() {
        Ok(format!(
            "Uploaded {} {}.",
            answer["name"].as_str().unwrap_or_default(),
            answer["version"].as_str().unwrap_or_default()
        ))
    } else {
        Err(answer["error"]
            .as_str()
            .map(str::to_owned)
            .unwrap_or_else(|| format!("the console answered {}", response.status())))
    }
}
