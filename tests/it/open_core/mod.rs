//! The open core: custom schemes, identity resolution, hooks, token locations, the
//! one failure path.

mod checks_first;
mod custom_scheme;
mod hooks;
mod identity;
mod renderer;
mod token_locations;
mod verifiers;
