//! Syncing a repository as large as Bitnami's: an `index.yaml` of 15,000 versions of 250 charts
//! (about 17 MB, each entry shaped like Bitnami's: annotations with an image list,
//! dependencies, maintainers, keywords, sources), served on a loopback port, fetched and read
//! into a catalogue; the time, and the memory the catalogue keeps against the index's size.
//! Prints numbers; see BENCHMARKS.md.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::alloc::System;
use std::fmt::Write as _;
use std::io::{BufRead, BufReader, Write};
use std::time::Instant;

use cap::Cap;
use orbital_appstore::sync;

#[global_allocator]
static ALLOCATED: Cap<System> = Cap::new(System, usize::MAX);

const CHARTS: usize = 250;
const VERSIONS: usize = 60;

fn index() -> String {
    let mut out = String::from("apiVersion: v1\nentries:\n");
    for c in 0..CHARTS {
        let name = format!("chart-{c}");
        let _ = writeln!(out, "  {name}:");
        for v in 0..VERSIONS {
            let _ = write!(
                out,
                "  - annotations:\n      category: Database\n      licenses: Apache-2.0\n      images: |\n        - name: app\n          image: docker.io/bitnami/app:{v}.0.0-debian-12-r{v}\n        - name: os-shell\n          image: docker.io/bitnami/os-shell:12-debian-12-r{v}\n    apiVersion: v2\n    appVersion: {v}.2.1\n    created: \"2024-05-{:02}T10:11:12.345678901Z\"\n    dependencies:\n    - name: common\n      repository: oci://registry-1.docker.io/bitnamicharts\n      tags:\n      - bitnami-common\n      version: 2.x.x\n    description: {name} is an application that does things, with a description of a typical length for a chart in a big repository.\n    digest: {:064x}\n    home: https://bitnami.com\n    icon: https://bitnami.com/assets/stacks/{name}/img/{name}-stack-220x234.png\n    keywords:\n    - {name}\n    - database\n    - sql\n    maintainers:\n    - name: Broadcom, Inc. All Rights Reserved.\n      url: https://github.com/bitnami/charts\n    name: {name}\n    sources:\n    - https://github.com/bitnami/charts/tree/main/bitnami/{name}\n    urls:\n    - https://charts.bitnami.com/bitnami/{name}-{v}.0.{c}.tgz\n    version: {v}.0.{c}\n",
                v % 28 + 1,
                c * VERSIONS + v
            );
        }
    }
    out.push_str("generated: \"2024-05-20T10:11:12.345678901Z\"\n");
    out
}

fn serve(body: Vec<u8>) -> std::net::SocketAddr {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let mut stream = stream.unwrap();
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut line = String::new();
            while reader.read_line(&mut line).unwrap_or(0) > 0 && line != "\r\n" {
                line.clear();
            }
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            stream.write_all(head.as_bytes()).unwrap();
            stream.write_all(&body).unwrap();
        }
    });
    addr
}

#[tokio::main]
async fn main() {
    let index = index();
    let size = index.len();
    let addr = serve(index.into_bytes());
    let url = format!("http://{addr}");
    for round in 1..=3 {
        let before = ALLOCATED.allocated();
        let started = Instant::now();
        let catalogue = sync(&url, None).await.unwrap();
        let took = started.elapsed();
        let kept = ALLOCATED.allocated().saturating_sub(before);
        println!(
            "round {round}: {} apps, {} versions from a {:.1} MB index: synced in {:.2} s, the catalogue keeps {:.1} MB ({:.2}× the index)",
            catalogue.apps.len(),
            catalogue.version_count(),
            size as f64 / 1e6,
            took.as_secs_f64(),
            kept as f64 / 1e6,
            kept as f64 / size as f64
        );
    }
}
