//! From a change on a member to an open page showing it: the console binary with its embedded
//! sandboxes, a session following a Deployment's page (`/live/changes`) and then the list of
//! Deployments across clusters (`/live/view`) as the browser does, a label changed, then the
//! page read again once the change is announced. Prints numbers;
//! see BENCHMARKS.md.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../tests/common/mod.rs"]
mod common;

use std::io::BufRead;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use common::*;
use serde_json::json;

const ROUNDS: usize = 20;
/// How long the browser gathers a burst of changes before it reads the page again
/// (`app/src/live.rs`).
const GATHER: Duration = Duration::from_millis(300);
const OBJECT_PAGE: &str = "/clusters/member-1/namespaces/demo/deployments.apps/web";

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

/// What one measurement follows and reads: the stream a page opens, the page after a round's
/// change (named by its mark), how the stream announces that change and how the page shows it.
struct Followed {
    what: &'static str,
    stream: String,
    page: fn(&str) -> String,
    announces: fn(&str) -> bool,
    /// Whether the page read again shows the round's mark.
    shows: fn(&str, &str) -> bool,
}

fn measure(admin: &Browser, followed: &Followed) {
    let mut stream = admin.stream(&followed.stream, 600);
    let reader = std::io::BufReader::new(stream.stdout.take().unwrap());
    let (lines, arrived) = mpsc::channel();
    std::thread::spawn(move || {
        for line in reader.lines().map_while(Result::ok) {
            if lines.send((Instant::now(), line)).is_err() {
                return;
            }
        }
    });
    let next_line = |timeout: Duration| arrived.recv_timeout(timeout).ok();
    while next_line(Duration::from_secs(30)).is_some_and(|(_, line)| line != "event: open") {}
    let deployment = json!({"cluster": "member-1", "group": "apps", "version": "v1",
                            "resource": "deployments", "namespace": "demo", "name": "web"});
    let (mut announced, mut read, mut whole) = (Vec::new(), Vec::new(), Vec::new());
    for round in 0..ROUNDS {
        // Whatever the simulation changed meanwhile is not this round's change.
        while next_line(Duration::ZERO).is_some() {}
        let mark = format!("round-{round}");
        let started = Instant::now();
        let (status, body) = admin.call_json(
            "objects/patch",
            &json!({"target": deployment, "patch": {"metadata": {"labels": {"bench": mark}}}}),
        );
        assert_eq!(status, 200, "{body}");
        let (at, _) = std::iter::from_fn(|| next_line(Duration::from_secs(10)))
            .find(|(_, line)| line.starts_with("data:") && (followed.announces)(line))
            .expect("the change is announced");
        let reading = Instant::now();
        let (status, page) = admin.get(&(followed.page)(&mark));
        assert_eq!(status, 200);
        assert!(
            (followed.shows)(&page, &mark),
            "{}: the page read again shows the change",
            followed.what
        );
        let (took, reread) = (at - started, reading.elapsed());
        announced.push(took);
        read.push(reread);
        whole.push(took + GATHER + reread);
    }
    stream.kill().ok();
    stream.wait().ok();
    let worst = *whole.iter().max().unwrap();
    println!(
        "{}: change to announcement {:.1} ms, page read again {:.1} ms, with the browser's {} ms gathering {:.1} ms (medians of {ROUNDS}); slowest whole {:.1} ms",
        followed.what,
        ms(median(announced)),
        ms(median(read)),
        GATHER.as_millis(),
        ms(median(whole)),
        ms(worst),
    );
}

fn main() {
    let console = start_console(free_address(), &["--tls-self-signed"]);
    wait_ready_tls(&console);
    let admin = Browser::login(&console, "admin", ADMIN_PASSWORD);
    let shown = wait_until(Duration::from_secs(60), || {
        (admin.get(OBJECT_PAGE).0 == 200).then_some(())
    });
    assert!(shown.is_some(), "the member's Deployment web is shown");
    let target = json!({"cluster": "member-1", "resource": "deployments.apps", "namespace": "demo", "name": "web"});
    measure(
        &admin,
        &Followed {
            what: "the Deployment's page",
            stream: format!(
                "/live/changes?target={}",
                form_urlencoded(&target.to_string())
            ),
            page: |_| OBJECT_PAGE.to_owned(),
            announces: |line| line.contains("\"MODIFIED\""),
            shows: |page, mark| page.contains(mark),
        },
    );
    // The list across clusters, narrowed to the round's label, so it shows the row only once
    // the cache holds the change.
    measure(
        &admin,
        &Followed {
            what: "the Deployments across clusters",
            stream: "/live/view?kind=deployments.apps&namespace=demo".to_owned(),
            page: |mark| format!("/deployments?namespace=demo&labels=bench%3D{mark}"),
            announces: |line| line.contains("\"web\"") && line.contains("\"member-1\""),
            shows: |page, _| {
                page.contains("/clusters/member-1/namespaces/demo/deployments.apps/web")
            },
        },
    );
}
