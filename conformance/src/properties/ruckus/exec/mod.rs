//! The RUCKUS One step executors, by topic: each adds methods to the case.

mod activities;
mod isolation;
mod limits;
mod malformed;
mod queries;
mod tenants;
