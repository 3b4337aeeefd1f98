//! The nSA step executors, by topic: each adds methods to the case.

mod isolation;
mod malformed;
mod reports;
mod tenants;
