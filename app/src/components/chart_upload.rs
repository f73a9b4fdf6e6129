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
/// of uploads. The browser posts it itself and is sent back here with the answer in the
/// address.
#[component]
pub fn ChartUpload() -> impl IntoView {
    let outcome = outcome_in_address();
    view! {
        <section class="panel" aria-labelledby="upload-heading">
            <h2 id="upload-heading">"Upload a chart"</h2>
            <p class="muted">
                "A chart archive as helm package writes it becomes an app of the repository uploads, installable like any other. Helm can upload too: POST the archive to "
                <code>{UPLOAD_URL}</code>
                "."
            </p>
            <form class="form" method="post" enctype="multipart/form-data" action=UPLOAD_URL>
                <label>
                    "Chart archive (.tgz)"
                    <input type="file" name="chart" accept=".tgz,application/gzip" required />
                </label>
                <label class="checkbox">
                    <input type="checkbox" name="force" value="true" />
                    "Replace the same version if it is there"
                </label>
                <button class="button" type="submit">"Upload chart"</button>
            </form>
            <crate::components::FormOutcome testid="upload-outcome" outcome=Signal::stored(outcome) />
        </section>
    }
}
