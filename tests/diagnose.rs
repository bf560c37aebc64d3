//! The time-sync diagnostic: one scenario per verdict, the edges of each
//! verdict and of the offset model, the options, and a simulation of support
//! cases with known causes.

#[path = "diagnose/cases.rs"]
mod cases;
#[path = "diagnose/edges.rs"]
mod edges;
#[path = "diagnose/grey_zones.rs"]
mod grey_zones;
#[path = "diagnose/options.rs"]
mod options;
#[path = "diagnose/oracle.rs"]
mod oracle;
#[path = "diagnose/simulation.rs"]
mod simulation;
#[path = "diagnose/support.rs"]
mod support;
