//! Sokoni's pure core: the types and rules every other crate shares.
//!
//! Nothing here touches a database, the network or an async runtime, so every
//! rule (stage transitions, balances, phone identity, urgency) is tested as a
//! plain function.

pub mod automation;
pub mod commerce;
pub mod hours;
pub mod ids;
pub mod measurement;
pub mod messages;
pub mod money;
pub mod order;
pub mod outbound;
pub mod payment;
pub mod phone;
pub mod tenant;
pub mod text;

pub use ids::*;
pub use money::{Currency, Money};
pub use phone::{E164, PhoneError};
