//! Where a payment stands.

use serde::{Deserialize, Serialize};

/// A payment's status. `pending` is an open request (a link, a push, a
/// transfer awaited); a request that was superseded or ran out is
/// `expired`; money received is `paid`, once.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentStatus {
    Pending,
    Paid,
    Failed,
    Expired,
    Refunded,
}

impl PaymentStatus {
    pub const ALL: [PaymentStatus; 5] = [
        PaymentStatus::Pending,
        PaymentStatus::Paid,
        PaymentStatus::Failed,
        PaymentStatus::Expired,
        PaymentStatus::Refunded,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            PaymentStatus::Pending => "pending",
            PaymentStatus::Paid => "paid",
            PaymentStatus::Failed => "failed",
            PaymentStatus::Expired => "expired",
            PaymentStatus::Refunded => "refunded",
        }
    }

    /// Money that arrived (or went back): nothing more to ask for.
    pub fn settled(self) -> bool {
        matches!(self, PaymentStatus::Paid | PaymentStatus::Refunded)
    }
}

impl std::fmt::Display for PaymentStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl TryFrom<String> for PaymentStatus {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        PaymentStatus::ALL
            .into_iter()
            .find(|p| p.as_str() == s)
            .ok_or_else(|| format!("unknown payment status {s:?}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_read_back_what_they_write() {
        for s in PaymentStatus::ALL {
            assert_eq!(PaymentStatus::try_from(s.as_str().to_string()), Ok(s));
        }
        assert!(PaymentStatus::try_from("void".to_string()).is_err());
        assert!(PaymentStatus::Paid.settled() && !PaymentStatus::Expired.settled());
    }
}
