//! The GreenLake step executors, by topic: each adds methods to the case.

mod crud;
mod isolation;
mod malformed;
mod read;
