//! How a handler `#[auth]` generates reaches the gate: through the framework's state.
//! Framework-neutral; the adapters (`adapter::axum`) implement the reach and the
//! extraction.
//!
//! The generated handler is generic over the state `S` and over `V`, the way the gate is
//! reached from it, and bounded by `S: HasGate<User, V>`; its guard parameter is
//! [`Guarded<Authenticated<User, Schemes>, S, V>`](Guarded), which extracts with
//! `V: GateSource<S, Authenticated<User, Schemes>>`:
//!
//! * when the state gives the gate (axum: `Portcullis<User>: FromRef<S>`), the bound
//!   picks `V` (`ViaState`) once the router's state is known, and the guard extracts;
//! * when it does not, the bound is the only error, in [`HasGate`]'s words, at the
//!   route: it names the missing `FromRef` and how to add it. `V` stays undecided, so the
//!   guard's `V: GateSource<S, _>` is ambiguous rather than a second failure (rustc
//!   reports ambiguities only when there is no other error): the framework's "`Handler`
//!   is not implemented", which never says why, does not appear.
//!
//! `HasGate` has a second implementation, for states that implement the never
//! implemented [`Unreachable`] (`V` = [`NoVia`]). With two candidates, rustc picks `V`
//! only when the state is known and exactly one of them holds: never before the state
//! is known (which would bring the framework's error back for a state without the gate),
//! and never for a state without the gate.

use std::marker::PhantomData;

use http::request::Parts;

use crate::gate::Portcullis;
use crate::guard::{Authenticated, MaybeAuthenticated};
use crate::rejection::Refusal;
use crate::user::AuthUser;

/// The state `Self` gives the gate of `U` by way of `V` (axum: `ViaState`, for states
/// with `Portcullis<U>: FromRef<Self>`). The bound of every `#[auth]` handler; its
/// message is the error for a state without the gate.
#[diagnostic::on_unimplemented(
    message = "the state `{Self}` gives no `Portcullis<{U}>`: `Portcullis<{U}>` does not implement `FromRef<{Self}>`",
    label = "this `#[auth]` handler needs the `Portcullis<{U}>` of the router's state `{Self}`",
    note = "add a `Portcullis<{U}>` field to `{Self}` and derive `axum::extract::FromRef` on `{Self}`, or write `impl FromRef<{Self}> for Portcullis<{U}>`"
)]
pub trait HasGate<U, V> {}

/// Authenticates the guard `G` with the gate of the state `S` (implemented by the
/// adapters' `ViaState`). While `V` is undecided this bound of the guard is ambiguous,
/// never a second error beside [`HasGate`]'s.
pub trait GateSource<S, G> {
    /// Authenticates `parts` with the state's gate.
    fn authenticate(state: &S, parts: &mut Parts) -> impl Future<Output = Result<G, Refusal>> + Send;
}

/// The way no state reaches the gate: [`HasGate`]'s second implementation (see the
/// module).
pub enum NoVia {}

/// Implemented by no type: the states of [`NoVia`].
pub trait Unreachable {}

#[diagnostic::do_not_recommend]
impl<S: Unreachable, U> HasGate<U, NoVia> for S {}

/// What a generated handler's guard parameter extracts: the guard `G`, authenticated
/// with the gate the state `S` gives by way of `V`.
pub struct Guarded<G, S, V> {
    guard: G,
    reach: PhantomData<fn() -> (S, V)>,
}

impl<G, S, V> Guarded<G, S, V> {
    /// Wraps an extracted guard (used by the framework adapters).
    pub fn new(guard: G) -> Self {
        Guarded {
            guard,
            reach: PhantomData,
        }
    }

    /// The guard, at the start of the handler's body.
    pub fn into_inner(self) -> G {
        self.guard
    }
}

/// A guard authenticated with a gate: [`Authenticated`] and [`MaybeAuthenticated`].
pub trait Guard: Sized + Send {
    /// The user type.
    type User: AuthUser;

    /// Authenticates `parts` with `gate`.
    fn authenticate(
        gate: &Portcullis<Self::User>,
        parts: &Parts,
    ) -> impl Future<Output = Result<Self, Refusal>> + Send;
}

impl<U: AuthUser, S: crate::gate::SchemeSet<U>, O: crate::browser::RouteOptions> Guard
    for Authenticated<U, S, O>
{
    type User = U;

    fn authenticate(
        gate: &Portcullis<U>,
        parts: &Parts,
    ) -> impl Future<Output = Result<Self, Refusal>> + Send {
        Authenticated::from_parts(gate, parts)
    }
}

impl<U: AuthUser, S: crate::gate::SchemeSet<U>, O: crate::browser::RouteOptions> Guard
    for MaybeAuthenticated<U, S, O>
{
    type User = U;

    fn authenticate(
        gate: &Portcullis<U>,
        parts: &Parts,
    ) -> impl Future<Output = Result<Self, Refusal>> + Send {
        MaybeAuthenticated::from_parts(gate, parts)
    }
}

/// A parameter of a handler `#[auth]` could not compile: what it emits beside its error,
/// so that the handler still is one (every parameter extracts) and the error at hand is
/// the only one. Never extracted: the crate does not compile.
pub struct Unreached<T> {
    never: std::convert::Infallible,
    value: PhantomData<fn() -> T>,
}

impl<T> Unreached<T> {
    /// The parameter's value (never reached).
    pub fn get(self) -> T {
        let _ = self.value;
        match self.never {}
    }
}
