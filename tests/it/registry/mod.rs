//! The route registry (issue 11 items 2–4): entries the macros submit, the routing
//! wrapper's deny-by-default check, start-up refusals and the access matrix.

mod checks;
mod entries;
