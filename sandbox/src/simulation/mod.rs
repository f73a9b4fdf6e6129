//! A simulated cluster behind the API, in the spirit of KWOK: nodes that report, a scheduler,
//! kubelets that run pods without containers, the workload controllers, endpoints, pod logs
//! and events. Every component follows the store's change feed and acts through [`Cluster`]
//! verbs, as real components act through the API, so a restart carries on from what is stored.

mod cron;
mod cronjob;
mod daemonset;
mod deployment;
mod driver;
mod endpoints;
mod events;
mod job;
mod kubelet;
mod lifecycle;
pub mod logs;
mod nodes;
mod objects;
mod pods;
mod replicaset;
mod revisions;
mod scheduler;
mod seed;
mod statefulset;

use tokio::task::JoinHandle;

use crate::api::ApiError;
use crate::cluster::Cluster;
use driver::Controller;
use objects::Writer;

pub use lifecycle::{Behaviour, behaviour};
pub use nodes::{NOT_READY_ANNOTATION, SIMULATED_LABEL, node_name};
pub use seed::seed;

/// The field manager of the controllers, as a real cluster names it.
const CONTROLLER_MANAGER: &str = "kube-controller-manager";

/// How the simulation runs.
#[derive(Clone, Debug)]
pub struct SimulationConfig {
    /// How many nodes the cluster has.
    pub nodes: usize,
}

impl Default for SimulationConfig {
    fn default() -> Self {
        Self { nodes: 3 }
    }
}

/// Creates the simulated nodes, then starts every simulated component; they run until their
/// handles are aborted.
pub async fn start(
    cluster: &Cluster,
    config: &SimulationConfig,
) -> Result<Vec<JoinHandle<()>>, ApiError> {
    let writer = |manager: &str| Writer::new(cluster, manager);
    nodes::ensure(&writer("kubelet"), config.nodes).await?;
    let controllers = writer(CONTROLLER_MANAGER);
    Ok(vec![
        spawn(cluster, nodes::NodeController::new(writer("kubelet"))),
        spawn(cluster, scheduler::Scheduler::new(writer("kube-scheduler"))),
        spawn(cluster, kubelet::Kubelet::new(writer("kubelet"))),
        spawn(
            cluster,
            replicaset::ReplicaSetController::new(controllers.clone()),
        ),
        spawn(
            cluster,
            deployment::DeploymentController::new(controllers.clone()),
        ),
        spawn(
            cluster,
            statefulset::StatefulSetController::new(controllers.clone()),
        ),
        spawn(
            cluster,
            daemonset::DaemonSetController::new(controllers.clone()),
        ),
        spawn(cluster, job::JobController::new(controllers.clone())),
        spawn(
            cluster,
            cronjob::CronJobController::new(controllers.clone()),
        ),
        spawn(cluster, endpoints::EndpointsController::new(controllers)),
        tokio::spawn(events::prune(writer("kube-apiserver"))),
    ])
}

fn spawn<C: Controller>(cluster: &Cluster, controller: C) -> JoinHandle<()> {
    tokio::spawn(driver::run(cluster.clone(), controller))
}
