//! The campaign for the lease: take it when nobody holds it or its holder stopped renewing it,
//! renew it while holding it, and stop leading before anybody else may take it.

use std::time::Duration;

use k8s_openapi::api::coordination::v1::{Lease, LeaseSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{MicroTime, ObjectMeta};
use kube::Api;
use kube::api::PostParams;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio::time::Instant;

use crate::Leadership;

/// How long a lease lasts unless renewed.
pub const DEFAULT_DURATION: Duration = Duration::from_secs(15);
/// How long a holder goes on leading without a renewal going through.
pub const DEFAULT_RENEW_DEADLINE: Duration = Duration::from_secs(10);
/// How often the holder renews and the others look at the lease.
pub const DEFAULT_RETRY: Duration = Duration::from_secs(2);
/// How many times giving the lease up writes over the version it read, when another write got
/// there first.
const RESIGN_ATTEMPTS: u32 = 3;
/// How long one request about the lease may take before it counts as failed.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(1);

/// Why a request about the lease failed.
#[derive(Debug, thiserror::Error)]
pub enum LeaseError {
    /// The API server refused or failed the request.
    #[error("the lease request failed: {0}")]
    Api(#[from] kube::Error),
    /// The API server did not answer in time.
    #[error("the API server did not answer about the lease within {0:?}")]
    Timeout(Duration),
}

/// Which lease, and its timing.
#[derive(Clone, Debug)]
pub struct LeaseSettings {
    /// The lease's namespace.
    pub namespace: String,
    /// The lease's name: replicas that share it share the work.
    pub name: String,
    /// How long the lease lasts unless renewed; another replica takes it over once this long
    /// has passed since the holder's last renewal.
    pub duration: Duration,
    /// How long the holder goes on leading when renewals fail; shorter than `duration` by more
    /// than `retry` and a request's time, so it stops before anybody else may start.
    pub renew_deadline: Duration,
    /// How often the holder renews and the others look.
    pub retry: Duration,
}

impl LeaseSettings {
    /// The lease `namespace/name` with the default timing (15 s, renewed every 2 s, given up
    /// after 10 s without a renewal).
    pub fn new(namespace: &str, name: &str) -> Self {
        Self {
            namespace: namespace.to_owned(),
            name: name.to_owned(),
            duration: DEFAULT_DURATION,
            renew_deadline: DEFAULT_RENEW_DEADLINE,
            retry: DEFAULT_RETRY,
        }
    }
}

/// This replica's campaign for the lease, running until [`Candidate::resign`] or drop.
#[derive(Debug)]
pub struct Candidate {
    leading: watch::Sender<bool>,
    task: JoinHandle<()>,
    api: Api<Lease>,
    identity: String,
    name: String,
}

impl Drop for Candidate {
    fn drop(&mut self) {
        self.leading.send_replace(false);
        self.task.abort();
    }
}

impl Candidate {
    /// Starts campaigning as `identity` (unique among the replicas) for the lease `settings`
    /// name on the cluster `client` reaches.
    pub fn start(client: kube::Client, identity: &str, settings: LeaseSettings) -> Self {
        let api: Api<Lease> = Api::namespaced(client, &settings.namespace);
        let (leading, _) = watch::channel(false);
        let name = settings.name.clone();
        let campaign = Campaign {
            api: api.clone(),
            identity: identity.to_owned(),
            name: name.clone(),
            settings,
            seen: None,
            last_look: None,
        };
        let task = tokio::spawn(campaign.run(leading.clone()));
        Self {
            leading,
            task,
            api,
            identity: identity.to_owned(),
            name,
        }
    }

    /// Whether this replica leads, kept current.
    pub fn leadership(&self) -> Leadership {
        Leadership::of(&self.leading)
    }

    /// Stops campaigning and, when this replica holds the lease, gives it up so another replica
    /// takes over at its next look instead of waiting for the lease to run out.
    pub async fn resign(self) -> Result<(), LeaseError> {
        self.task.abort();
        self.leading.send_replace(false);
        // A renewal already sent before the campaign stopped may land after the read below;
        // the write over the version read then fails, and the lease is read again.
        let mut attempts = RESIGN_ATTEMPTS;
        loop {
            let Some(mut lease) = timed(self.api.get_opt(&self.name)).await? else {
                return Ok(());
            };
            let spec = lease.spec.get_or_insert_with(LeaseSpec::default);
            if spec.holder_identity.as_deref() != Some(self.identity.as_str()) {
                return Ok(());
            }
            spec.holder_identity = None;
            spec.renew_time = Some(MicroTime(jiff::Timestamp::now()));
            attempts -= 1;
            match timed(self.api.replace(&self.name, &PostParams::default(), &lease)).await {
                Ok(_) => break,
                Err(LeaseError::Api(kube::Error::Api(status)))
                    if status.code == 409 && attempts > 0 => {}
                Err(error) => return Err(error),
            }
        }
        tracing::info!("this replica gave up the lease");
        Ok(())
    }
}

/// A version of the lease as this replica saw it.
struct Seen {
    /// The lease's `resourceVersion`: any write changes it.
    version: String,
    /// When it was written at the latest, by this replica's clock.
    since: Instant,
}

/// The state of one replica's campaign.
struct Campaign {
    api: Api<Lease>,
    identity: String,
    name: String,
    settings: LeaseSettings,
    /// The version of the lease seen last.
    seen: Option<Seen>,
    /// When the last look that got an answer was sent.
    last_look: Option<Instant>,
}

/// What a round of the campaign found.
enum Round {
    /// This replica holds the lease, renewed by a request sent at this instant.
    Holding(Instant),
    /// Another replica holds it, until the instant given unless it renews it.
    Following(Instant),
}

impl Campaign {
    async fn run(mut self, leading: watch::Sender<bool>) {
        let mut renewed: Option<Instant> = None;
        loop {
            let started = Instant::now();
            let mut next = started + self.settings.retry;
            match self.round().await {
                Ok(Round::Holding(sent)) => renewed = Some(sent),
                Ok(Round::Following(runs_out)) => {
                    renewed = None;
                    // Look again the moment the holder's lease runs out, not up to a retry later.
                    next = next.min(runs_out);
                }
                Err(error) => tracing::warn!("cannot reach the lease {}: {error}", self.name),
            }
            // Counted from when the renewal was sent, which is no later than the write others
            // see; past the deadline another replica may take over soon, so stop first.
            let leads = renewed.is_some_and(|sent| sent.elapsed() < self.settings.renew_deadline);
            if leads != *leading.borrow() {
                if leads {
                    tracing::info!(identity = %self.identity, "this replica took the lease {}", self.name);
                } else {
                    tracing::info!(identity = %self.identity, "this replica lost the lease {}", self.name);
                }
                leading.send_replace(leads);
            }
            tokio::time::sleep_until(next.max(Instant::now())).await;
        }
    }

    /// Looks at the lease once, and takes or renews it when this replica may.
    async fn round(&mut self) -> Result<Round, LeaseError> {
        let sent = Instant::now();
        let current = timed(self.api.get_opt(&self.name)).await;
        let previous_look = match current {
            Ok(_) => self.last_look.replace(sent),
            Err(_) => None,
        };
        let Some(lease) = current? else {
            return self.create(sent).await;
        };
        let version = lease.metadata.resource_version.clone().unwrap_or_default();
        if self
            .seen
            .as_ref()
            .is_none_or(|seen| seen.version != version)
        {
            // This version was written after the previous look, which saw another one; when
            // that look was recent, take its time, so that a holder that dies is replaced within
            // the lease's duration of its last renewal rather than of this look.
            let since = previous_look
                .filter(|look| sent.duration_since(*look) <= self.settings.retry + REQUEST_TIMEOUT)
                .unwrap_or(sent);
            self.seen = Some(Seen { version, since });
        }
        let spec = lease.spec.clone().unwrap_or_default();
        let holder = spec.holder_identity.clone().filter(|h| !h.is_empty());
        let mine = holder.as_deref() == Some(self.identity.as_str());
        let lasts = spec
            .lease_duration_seconds
            .and_then(|seconds| u64::try_from(seconds).ok())
            .map_or(self.settings.duration, Duration::from_secs);
        let runs_out = self.seen.as_ref().map_or(sent, |seen| seen.since) + lasts;
        if holder.is_some() && !mine && Instant::now() < runs_out {
            return Ok(Round::Following(runs_out));
        }
        self.write(lease, mine, sent).await
    }

    /// Makes the lease, held by this replica.
    async fn create(&mut self, sent: Instant) -> Result<Round, LeaseError> {
        let now = MicroTime(jiff::Timestamp::now());
        let lease = Lease {
            metadata: ObjectMeta {
                name: Some(self.name.clone()),
                ..ObjectMeta::default()
            },
            spec: Some(LeaseSpec {
                holder_identity: Some(self.identity.clone()),
                lease_duration_seconds: Some(self.duration_seconds()),
                acquire_time: Some(now.clone()),
                renew_time: Some(now),
                lease_transitions: Some(0),
                ..LeaseSpec::default()
            }),
        };
        match timed(self.api.create(&PostParams::default(), &lease)).await {
            Ok(_) => Ok(Round::Holding(sent)),
            // Another replica made it first.
            Err(LeaseError::Api(kube::Error::Api(status))) if status.code == 409 => {
                Ok(Round::Following(sent + self.settings.duration))
            }
            Err(error) => Err(error),
        }
    }

    /// Renews `lease` when this replica holds it (`mine`), else takes it over; a write over a
    /// version another replica changed meanwhile fails, so only one replica's write goes through.
    async fn write(
        &mut self,
        mut lease: Lease,
        mine: bool,
        sent: Instant,
    ) -> Result<Round, LeaseError> {
        let now = MicroTime(jiff::Timestamp::now());
        let duration = self.duration_seconds();
        let spec = lease.spec.get_or_insert_with(LeaseSpec::default);
        if !mine {
            spec.holder_identity = Some(self.identity.clone());
            spec.acquire_time = Some(now.clone());
            spec.lease_transitions = Some(spec.lease_transitions.unwrap_or(0).saturating_add(1));
        }
        spec.lease_duration_seconds = Some(duration);
        spec.renew_time = Some(now);
        match timed(self.api.replace(&self.name, &PostParams::default(), &lease)).await {
            Ok(written) => {
                self.seen = Some(Seen {
                    version: written.metadata.resource_version.unwrap_or_default(),
                    since: sent,
                });
                Ok(Round::Holding(sent))
            }
            // Another replica wrote it first.
            Err(LeaseError::Api(kube::Error::Api(status))) if status.code == 409 => {
                Ok(Round::Following(sent + self.settings.duration))
            }
            Err(error) => Err(error),
        }
    }

    fn duration_seconds(&self) -> i32 {
        i32::try_from(self.settings.duration.as_secs()).unwrap_or(i32::MAX)
    }
}

/// `request`, failed when it takes longer than [`REQUEST_TIMEOUT`].
async fn timed<T>(request: impl Future<Output = Result<T, kube::Error>>) -> Result<T, LeaseError> {
    match tokio::time::timeout(REQUEST_TIMEOUT, request).await {
        Ok(answer) => Ok(answer?),
        Err(_) => Err(LeaseError::Timeout(REQUEST_TIMEOUT)),
    }
}
