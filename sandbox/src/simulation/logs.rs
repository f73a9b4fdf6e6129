//! The log output of simulated containers: deterministic, plausible lines, computed from the
//! container's image and start time, so any range can be produced without storing anything.

use jiff::{SignedDuration, Timestamp};
use serde_json::json;

use super::lifecycle::{Behaviour, RUN_BEFORE_COMPLETION, RUN_BEFORE_CRASH, behaviour};
use super::objects::hash;

/// What kind of program a container runs, judged by its image.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Program {
    WebServer,
    Cache,
    Database,
    Dns,
    Generic,
}

fn program(image: &str) -> Program {
    let name = image.rsplit('/').next().unwrap_or(image);
    if name.starts_with("nginx") || name.starts_with("httpd") || name.starts_with("caddy") {
        Program::WebServer
    } else if name.starts_with("redis") || name.starts_with("memcached") {
        Program::Cache
    } else if name.starts_with("postgres")
        || name.starts_with("mysql")
        || name.starts_with("mariadb")
    {
        Program::Database
    } else if name.starts_with("coredns") {
        Program::Dns
    } else {
        Program::Generic
    }
}

/// One run of one container: the lines it printed between its start and its end.
#[derive(Clone, Debug)]
pub struct Transcript {
    started: Timestamp,
    ended: Option<Timestamp>,
    behaviour: Behaviour,
    program: Program,
    seed: u64,
    period_ms: i64,
}

impl Transcript {
    /// The run of `container` (with `image`) started at `started`; `instance` tells restarts
    /// apart; `ended` is when it stopped, if it did.
    pub fn new(
        pod_uid: &str,
        container: &str,
        image: &str,
        restart_policy: &str,
        instance: i64,
        started: Timestamp,
        ended: Option<Timestamp>,
    ) -> Self {
        let seed = hash(&json!([pod_uid, container, instance]));
        Self {
            started,
            ended,
            behaviour: behaviour(image, restart_policy),
            program: program(image),
            seed,
            period_ms: 2_000 + (seed % 4_000) as i64,
        }
    }

    /// Whether the run is over: it printed everything it ever will.
    pub fn is_over(&self) -> bool {
        self.ended.is_some()
    }

    fn startup(&self) -> &'static [&'static str] {
        if self.behaviour == Behaviour::Complete {
            return &["starting", "reading work items from the queue"];
        }
        match self.program {
            Program::WebServer => &[
                "/docker-entrypoint.sh: /docker-entrypoint.d/ is not empty, will attempt to perform configuration",
                "/docker-entrypoint.sh: Looking for shell scripts in /docker-entrypoint.d/",
                "/docker-entrypoint.sh: Configuration complete; ready for start up",
                "start worker processes",
            ],
            Program::Cache => &[
                "oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo",
                "Server initialized",
                "Ready to accept connections tcp",
            ],
            Program::Database => &[
                "PostgreSQL Database directory appears to contain a database; Skipping initialization",
                "LOG:  starting PostgreSQL on x86_64-pc-linux-gnu",
                "LOG:  listening on IPv4 address \"0.0.0.0\", port 5432",
                "LOG:  database system is ready to accept connections",
            ],
            Program::Dns => &[".:53", "CoreDNS-1.11.3", "linux/amd64, go1.22.7"],
            Program::Generic => &[
                "starting",
                "loaded configuration from /etc/app/config.yaml",
                "listening on :8080",
            ],
        }
    }

    /// The lines after start-up, one per period while the run lasts (servers only).
    fn periodic_count(&self, until: Timestamp) -> usize {
        if self.behaviour != Behaviour::Serve {
            return 0;
        }
        let end = self.ended.map_or(until, |ended| ended.min(until));
        let elapsed = end.as_millisecond() - self.started.as_millisecond();
        (elapsed / self.period_ms).max(0) as usize
    }

    fn has_final_line(&self, until: Timestamp) -> bool {
        self.behaviour != Behaviour::Serve && self.ended.is_some_and(|ended| ended <= until)
    }

    /// How many lines the run had printed by `until`.
    pub fn count(&self, until: Timestamp) -> usize {
        if until < self.started {
            return 0;
        }
        self.startup().len() + self.periodic_count(until) + usize::from(self.has_final_line(until))
    }

    /// When the next line after the first `printed` ones appears, if ever.
    pub fn next_time(&self, printed: usize) -> Option<Timestamp> {
        let startup = self.startup().len();
        if printed < startup {
            return Some(self.started);
        }
        match self.behaviour {
            Behaviour::Serve => {
                let at = self.started
                    + SignedDuration::from_millis(self.period_ms * (printed - startup + 1) as i64);
                self.ended.is_none_or(|ended| at <= ended).then_some(at)
            }
            _ if printed == startup => {
                let run = if self.behaviour == Behaviour::Crash {
                    RUN_BEFORE_CRASH
                } else {
                    RUN_BEFORE_COMPLETION
                };
                Some(
                    self.ended.unwrap_or(
                        self.started + SignedDuration::try_from(run).unwrap_or_default(),
                    ),
                )
            }
            _ => None,
        }
    }

    /// The `index`th line and when it was printed.
    pub fn line(&self, index: usize) -> (Timestamp, String) {
        let startup = self.startup();
        if let Some(text) = startup.get(index) {
            let at = self.started + SignedDuration::from_millis(index as i64 * 7);
            return (at, (*text).to_owned());
        }
        let at = self.next_time(index).unwrap_or(self.started);
        let n = hash(&json!([self.seed, index]));
        let text = match self.behaviour {
            Behaviour::Crash => {
                "panic: cannot connect to database at db:5432: connection refused".to_owned()
            }
            Behaviour::Complete => format!(
                "done: processed {} records in {}ms",
                100 + n % 9_900,
                200 + n % 1_800
            ),
            _ => self.served_line(at, n),
        };
        (at, text)
    }

    fn served_line(&self, at: Timestamp, n: u64) -> String {
        const PATHS: &[&str] = &[
            "/",
            "/healthz",
            "/api/v1/items",
            "/api/v1/items/42",
            "/static/app.js",
            "/login",
        ];
        let path = PATHS[(n % PATHS.len() as u64) as usize];
        let status = if n.is_multiple_of(23) { 404 } else { 200 };
        let client = format!("10.244.{}.{}", 1 + n % 3, 2 + (n >> 8) % 200);
        match self.program {
            Program::WebServer => format!(
                "{client} - - [{}] \"GET {path} HTTP/1.1\" {status} {} \"-\" \"Mozilla/5.0\" \"-\"",
                at.strftime("%d/%b/%Y:%H:%M:%S +0000"),
                200 + n % 4_000
            ),
            Program::Cache => format!(
                "DB saved on disk; {} changes in {} seconds",
                1 + n % 100,
                60 + n % 240
            ),
            Program::Database => format!(
                "LOG:  checkpoint complete: wrote {} buffers ({}.{}%)",
                n % 500,
                n % 10,
                n % 9
            ),
            Program::Dns => format!(
                "[INFO] {client}:{} - {} \"A IN web.demo.svc.cluster.local. udp 50 false 512\" NOERROR qr,aa,rd 104 0.000{}s",
                30_000 + n % 30_000,
                n % 65_536,
                100 + n % 800
            ),
            Program::Generic => format!(
                "{} INFO handled request method=GET path={path} status={status} duration_ms={}",
                at.strftime("%Y-%m-%dT%H:%M:%SZ"),
                1 + n % 120
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(seconds: i64) -> Timestamp {
        Timestamp::from_second(1_800_000_000 + seconds).unwrap()
    }

    #[test]
    fn servers_print_start_up_lines_then_one_per_period() {
        let log = Transcript::new("uid", "web", "nginx:1.27", "Always", 0, at(0), None);
        assert_eq!(log.count(at(-1)), 0);
        assert_eq!(log.count(at(0)), 4);
        let later = log.count(at(600));
        assert!(later > 100 && later < 310, "{later}");
        let (first_at, first) = log.line(0);
        assert_eq!(first_at, at(0));
        assert!(first.starts_with("/docker-entrypoint.sh"));
        let (time, text) = log.line(4);
        assert_eq!(Some(time), log.next_time(4));
        assert!(text.contains("HTTP/1.1"), "{text}");
        assert_eq!(
            log.line(10).1,
            Transcript::new("uid", "web", "nginx:1.27", "Always", 0, at(0), None)
                .line(10)
                .1
        );
        assert!(!log.is_over());
    }

    #[test]
    fn failing_runs_end_with_their_error() {
        let log = Transcript::new(
            "uid",
            "app",
            "example/fail",
            "Always",
            1,
            at(0),
            Some(at(3)),
        );
        assert_eq!(log.count(at(100)), 4);
        assert!(log.line(3).1.starts_with("panic:"));
        assert_eq!(log.next_time(4), None);
    }
}
