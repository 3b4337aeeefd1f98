//! Reference models, one per vendor: what the server should hold and answer, learned from
//! the server where only it can know (ids, timestamps) and predicted everywhere else.

pub mod glp;
pub mod nsa;
pub mod ruckus;
