//! A Kubernetes-compatible API server with a persistent embedded store.
//!
//! The sandbox lets Orbital be tried and tested without a real cluster: `kubectl` and kube-rs
//! talk to it as they would to a real API server.

pub mod api;
pub mod catalog;
pub mod cluster;
pub mod controllers;
pub mod server;
pub mod simulation;
pub mod store;

pub use server::{Kubeconfig, Sandbox, SandboxConfig, SandboxError};
