//! The domain store and its invariants: tenant caps, name uniqueness per MSP, ownership and the
//! "no delete while devices remain" rule.
//!
//! The world is one section per vendor ([`GlpWorld`], [`nsa::NsaWorld`]), each a plain struct
//! whose methods are that vendor's rules, pure and HTTP-free. [`Store`] is a thin lock over
//! them: every API view goes through [`Store::with`] / [`Store::with_mut`], so they all share
//! one state and one set of rules, each checked and applied under a single `parking_lot` lock,
//! never held across `.await`, so concurrent requests cannot break a cap or uniqueness.

pub mod deferred;
pub mod glp;
pub mod model;
pub mod nsa;
pub mod ring;
pub mod row;
pub mod ruckus;
pub mod sessions;

/// The path the benches import the tenant filter by (see [`crate::odata`]).
#[doc(hidden)]
pub mod filter {
    pub use crate::odata::parse;
    /// The vendor list's filter fields, as [`parse`] takes them.
    pub static CAMEL_FIELDS: &crate::odata::Fields<super::row::WorkspaceKey> =
        &crate::glp::workspaces::CAMEL_FIELDS;
}

use chrono::{DateTime, Utc};
use parking_lot::RwLock;

pub use glp::{GlpError, GlpWorld, TenantInput};
pub use model::{Address, InventoryOwnership, Msp, Secret, Tenant, World};

/// One vendor's part of the [`World`]: a plain struct whose methods are that vendor's rules.
/// Implemented by the section table in [`model`] (one line per vendor).
pub trait Section: Sized {
    /// The section inside `world`.
    fn of(world: &World) -> &Self;
    /// The section inside `world`, to change it.
    fn of_mut(world: &mut World) -> &mut Self;
}

/// What loading a fixture or an imported state needs from a vendor's section, implemented in
/// the vendor's own `state/<vendor>` module.
pub trait Loadable {
    /// Checks the invariants the section must satisfy (unique ids and names, references that
    /// resolve); the message names what was wrong.
    fn check(&self) -> Result<(), String>;
    /// Fills in what a fixture may leave out (timestamps, timers) with `now`.
    fn fill_defaults(&mut self, now: DateTime<Utc>);
    /// Whether the section holds nothing worth exporting (an export then omits its key).
    fn is_empty(&self) -> bool;
}

/// The shared world, behind one lock: a thin lock over the vendor sections.
#[derive(Debug)]
pub struct Store {
    world: RwLock<World>,
    /// The snapshot [`Store::reset`] returns to. It shares every tenant's device list with the
    /// live world (`Arc`), so keeping it costs the tenants' own fields, not their devices.
    initial: RwLock<World>,
    default_cap: usize,
}

impl Store {
    /// A store holding `world`; [`Store::reset`] returns to it. `default_cap` applies to MSPs
    /// without their own `tenant_cap`.
    pub fn new(mut world: World, default_cap: usize) -> Self {
        world.glp.default_cap = default_cap;
        Self {
            initial: RwLock::new(world.clone()),
            world: RwLock::new(world),
            default_cap,
        }
    }

    /// Back to the world the store was created with.
    pub fn reset(&self) {
        let initial = self.initial.read().clone();
        *self.world.write() = initial;
    }

    /// A copy of the whole world.
    pub fn export(&self) -> World {
        self.world.read().clone()
    }

    /// Replaces the whole world after checking its invariants.
    pub fn import(&self, mut world: World, now: DateTime<Utc>) -> Result<(), String> {
        world.check()?;
        world.fill_defaults(now);
        world.glp.default_cap = self.default_cap;
        *self.world.write() = world;
        Ok(())
    }

    /// Reads section `S` under the lock (keep `f` short; it must not block).
    pub fn with<S: Section, R>(&self, f: impl FnOnce(&S) -> R) -> R {
        f(S::of(&self.world.read()))
    }

    /// Changes section `S` under the lock (keep `f` short; it must not block). A rule that
    /// must hold under concurrency (a cap, uniqueness) is checked and applied in one call.
    pub fn with_mut<S: Section, R>(&self, f: impl FnOnce(&mut S) -> R) -> R {
        f(S::of_mut(&mut self.world.write()))
    }
}

#[cfg(test)]
mod tests {
    use super::glp::{Acting, GlpError, Principal, TenantInput};
    use super::*;
    use uuid::Uuid;

    #[test]
    fn reset_restores_the_initial_world() {
        let msp = Uuid::new_v4();
        let world = World {
            glp: GlpWorld {
                msps: vec![Msp {
                    workspace_id: msp,
                    name: "M".into(),
                    client_id: "c".into(),
                    client_secret: Secret("s".into()),
                    email: "a@b.c".into(),
                    tenant_cap: Some(2),
                    created_at: None,
                    address: None,
                    phone_number: None,
                    tenants: vec![],
                }],
                ..Default::default()
            },
            nsa: Default::default(),
            ruckus: Default::default(),
        };
        let p = Principal {
            acting: Acting::Msp,
            workspace: msp,
            msp,
            client_id: "c".into(),
        };
        let s = Store::new(world, 1000);
        let input = TenantInput {
            name: "a".into(),
            ..Default::default()
        };
        let t = s
            .with_mut(|g: &mut GlpWorld| g.create_tenant(&p, input, Utc::now()))
            .unwrap();
        assert_eq!(s.export().glp.msps[0].tenants.len(), 1);
        s.reset();
        assert!(s.export().glp.msps[0].tenants.is_empty());
        assert_eq!(
            s.with_mut(|g: &mut GlpWorld| g.delete_tenant(&p, t.id, Utc::now())),
            Err(GlpError::NotFound(t.id))
        );
    }
}
