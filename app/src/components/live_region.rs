use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// When a live region reads its page again.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Freshness {
    /// After each change the stream at this address (`/live/changes?…`, `/live/view?…`)
    /// announces, and when it opens, for what may have been missed.
    Follow(String),
    /// Every so many seconds.
    Every(u32),
    /// Every so many seconds while the region shows something on its way (an element marked
    /// `data-moving`).
    WhileMoving(u32),
}

/// Keeps parts of a server-rendered page current: when `keep` says, the page is read again from
/// the server and the content of each element named in `regions` replaced by its new one. The
/// regions stay plain HTML (links and forms that work without script), so they cost the browser
/// bundle nothing; only this island runs there. A region must not hold islands itself.
#[island]
pub fn LiveRegion(
    /// The ids of the elements kept current.
    regions: Vec<String>,
    /// When it is read again.
    keep: Freshness,
) -> impl IntoView {
    #[cfg(feature = "hydrate")]
    browser::keep_current(regions, keep);
    #[cfg(not(feature = "hydrate"))]
    let _ = (regions, keep);
}

/// Reads the page again now and puts the new content of `regions` in place: for an island
/// whose action changed what a region of the page shows.
pub fn read_regions_again(regions: Vec<String>) {
    #[cfg(feature = "hydrate")]
    browser::read_now(regions);
    #[cfg(not(feature = "hydrate"))]
    let _ = regions;
}

#[cfg(feature = "hydrate")]
mod browser {
    use std::cell::Cell;
    use std::rc::Rc;
    use std::time::Duration;

    use leptos::prelude::*;
    use wasm_bindgen::JsCast;
    use wasm_bindgen_futures::JsFuture;
    use web_sys::{DomParser, SupportedType};

    use super::Freshness;

    /// What a region's reading is doing: one reading at a time, and one more after it when
    /// asked meanwhile.
    #[derive(Default)]
    struct Reading {
        /// A reading is under way.
        busy: Cell<bool>,
        /// Another was asked for meanwhile.
        again: Cell<bool>,
        /// The next reading is set on a timer.
        timer: Cell<bool>,
    }

    /// The ids of the regions a page keeps current.
    type Regions = Rc<Vec<String>>;

    /// Reads `regions` again whenever `keep` says, for as long as the page is open.
    pub(super) fn keep_current(regions: Vec<String>, keep: Freshness) {
        let reading = Rc::new(Reading::default());
        let regions = Rc::new(regions);
        match keep {
            Freshness::Follow(url) => {
                let changes = crate::live::use_changes(url);
                let (regions, reading) = (regions.clone(), reading.clone());
                Effect::new(move || {
                    if changes.get() > 0 {
                        read_again(regions.clone(), reading.clone(), None);
                    }
                });
            }
            Freshness::Every(seconds) => schedule(regions, reading, seconds, false),
            Freshness::WhileMoving(seconds) => schedule(regions, reading, seconds, true),
        }
    }

    /// Reads `regions` again once, now.
    pub(super) fn read_now(regions: Vec<String>) {
        read_again(Rc::new(regions), Rc::new(Reading::default()), None);
    }

    /// Reads the region again in `seconds`, and so on after (while it shows something on its
    /// way, when `while_moving`).
    fn schedule(regions: Regions, reading: Rc<Reading>, seconds: u32, while_moving: bool) {
        if while_moving && !moving(&regions) || reading.timer.replace(true) {
            return;
        }
        set_timeout(
            move || {
                reading.timer.set(false);
                read_again(regions, reading, Some((seconds, while_moving)));
            },
            Duration::from_secs(seconds.into()),
        );
    }

    /// Reads the page again and replaces the region's content; `then` schedules the next reading.
    fn read_again(regions: Regions, reading: Rc<Reading>, then: Option<(u32, bool)>) {
        if reading.busy.replace(true) {
            reading.again.set(true);
            return;
        }
        leptos::task::spawn_local(async move {
            loop {
                reading.again.set(false);
                if let Err(error) = replace(&regions).await {
                    leptos::logging::warn!("could not read the page again: {error:?}");
                }
                if !reading.again.get() {
                    break;
                }
            }
            reading.busy.set(false);
            if let Some((seconds, while_moving)) = then {
                schedule(regions, reading, seconds, while_moving);
            }
        });
    }

    /// Whether a region shows something on its way.
    fn moving(regions: &[String]) -> bool {
        regions.iter().any(|region| {
            document()
                .get_element_by_id(region)
                .and_then(|element| element.query_selector("[data-moving]").ok().flatten())
                .is_some()
        })
    }

    /// Reads this page from the server and puts the new content of `regions` in place.
    async fn replace(regions: &[String]) -> Result<(), wasm_bindgen::JsValue> {
        let window = window();
        let address = window.location().href()?;
        let init = web_sys::RequestInit::new();
        let headers = web_sys::Headers::new()?;
        headers.set("Accept", "text/html")?;
        init.set_headers(&headers);
        let response: web_sys::Response =
            JsFuture::from(window.fetch_with_str_and_init(&address, &init))
                .await?
                .unchecked_into();
        let html = JsFuture::from(response.text()?)
            .await?
            .as_string()
            .unwrap_or_default();
        let fresh = DomParser::new()?.parse_from_string(&html, SupportedType::TextHtml)?;
        for region in regions {
            if let (Some(fresh), Some(shown)) = (
                fresh.get_element_by_id(region),
                document().get_element_by_id(region),
            ) {
                shown.set_inner_html(&fresh.inner_html());
            }
        }
        Ok(())
    }
}
