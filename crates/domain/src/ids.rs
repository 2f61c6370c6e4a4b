//! Typed identifiers. Every id is a UUID v7, so ids sort by creation time
//! (cursor pagination relies on this).

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use uuid::Uuid;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(value_type = String, format = Uuid))]
        pub struct $name(pub Uuid);

        impl $name {
            /// A fresh, time-ordered id.
            pub fn new() -> Self {
                Self(Uuid::now_v7())
            }
            pub fn as_uuid(&self) -> Uuid {
                self.0
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self)
            }
        }

        impl From<Uuid> for $name {
            fn from(u: Uuid) -> Self {
                Self(u)
            }
        }
    };
}

id_type!(
    /// A business on this server; every tenant-owned row carries one.
    TenantId
);
id_type!(
    /// A staff member (owner, staff or viewer) of one tenant.
    UserId
);
id_type!(
    /// A customer of one tenant.
    CustomerId
);
id_type!(
    /// One immutable version of a customer's measurements.
    MeasurementId
);
id_type!(
    /// An order.
    OrderId
);
id_type!(
    /// A payment request or receipt against an order.
    PaymentId
);
id_type!(
    /// A background job.
    JobId
);
id_type!(
    /// A catalog product of one tenant.
    ProductId
);
id_type!(
    /// A delivery zone of one tenant.
    ZoneId
);
id_type!(
    /// A WhatsApp business number of one tenant.
    WaNumberId
);
id_type!(
    /// A WhatsApp message in a tenant's log, inbound or outbound.
    WaMessageId
);
id_type!(
    /// A raw event Meta posted to the webhook.
    WaEventId
);
