//! The catalog service: stock that arrives and counts that change. A
//! receipt adds one or more; an adjustment changes the count by a non-zero
//! amount, says why, and cannot take away what open orders hold. The
//! movement and the new count commit together and come back to the caller.

use domain::{ProductId, TenantId, UserId};
use store::StoreError;
use store::inventory::{StockError, StockMovement};
use store::products::Product;

/// What staff record.
#[derive(Debug, Clone)]
pub enum Movement {
    /// Stock that arrived.
    Receipt {
        quantity: i64,
        reason: Option<String>,
    },
    /// A count corrected (damaged, found, stolen), with why.
    Adjustment { delta: i64, reason: String },
}

pub use crate::error::ServiceError as CatalogError;

fn invalid(field: &'static str, message: impl Into<String>) -> CatalogError {
    CatalogError::invalid(field, message)
}

/// More units than any shop counts; keeps sums far from overflow.
pub const MAX_STOCK: i64 = 1_000_000_000;
/// The longest reason a movement keeps.
pub const MAX_REASON_CHARS: usize = 500;

/// The movement's own rules, before anything is read.
pub fn check(m: &Movement) -> Result<(), CatalogError> {
    let (quantity, reason) = match m {
        Movement::Receipt { quantity, reason } => (*quantity, reason.as_deref()),
        Movement::Adjustment { delta, reason } => (*delta, Some(reason.as_str())),
    };
    if quantity.abs() > MAX_STOCK {
        return Err(invalid(
            "quantity",
            format!("must be at most {MAX_STOCK} units"),
        ));
    }
    if reason.is_some_and(|r| r.trim().chars().count() > MAX_REASON_CHARS) {
        return Err(invalid(
            "reason",
            format!("must be at most {MAX_REASON_CHARS} characters"),
        ));
    }
    match m {
        Movement::Receipt { quantity, .. } if *quantity <= 0 => {
            Err(invalid("quantity", "a receipt adds 1 or more"))
        }
        Movement::Adjustment { delta: 0, .. } => Err(invalid("quantity", "must not be 0")),
        Movement::Adjustment { reason, .. } if reason.trim().is_empty() => {
            Err(invalid("reason", "say why the count changes"))
        }
        _ => Ok(()),
    }
}

/// Records a receipt or an adjustment; returns the movement and the
/// product's new figures.
pub async fn record(
    db: &store::Db,
    tenant: TenantId,
    product: ProductId,
    m: &Movement,
    by: Option<UserId>,
) -> Result<(StockMovement, Product), CatalogError> {
    check(m)?;
    let mut tx = db.begin().await?;
    let done = match m {
        Movement::Receipt { quantity, reason } => {
            store::inventory::receive(&mut tx, tenant, product, *quantity, by, reason.as_deref())
                .await
        }
        Movement::Adjustment { delta, reason } => {
            store::inventory::adjust(&mut tx, tenant, product, *delta, by, reason).await
        }
    };
    let product = done.map_err(|e| match e {
        StockError::NotTracked => invalid(
            "productId",
            "this product does not track stock; set track_stock first",
        ),
        StockError::Insufficient { saleable, .. } => invalid(
            "quantity",
            format!("open orders hold the rest; at most {saleable} can be taken off"),
        ),
        StockError::InvalidQuantity => invalid("quantity", e.to_string()),
        StockError::Store(s) => s.into(),
    })?;
    let movement = store::inventory::movements(&mut tx, tenant, product.id, 1)
        .await?
        .into_iter()
        .next()
        .ok_or(CatalogError::Store(StoreError::NotFound))?;
    tx.commit().await?;
    Ok((movement, product))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn receipts_add_and_adjustments_say_why() {
        assert!(
            check(&Movement::Receipt {
                quantity: 0,
                reason: None
            })
            .is_err()
        );
        assert!(
            check(&Movement::Receipt {
                quantity: 3,
                reason: None
            })
            .is_ok()
        );
        assert!(
            check(&Movement::Adjustment {
                delta: 0,
                reason: "x".into()
            })
            .is_err()
        );
        assert!(
            check(&Movement::Adjustment {
                delta: -2,
                reason: " ".into()
            })
            .is_err()
        );
        assert!(
            check(&Movement::Adjustment {
                delta: -2,
                reason: "broken".into()
            })
            .is_ok()
        );
        assert!(
            check(&Movement::Receipt {
                quantity: MAX_STOCK + 1,
                reason: None
            })
            .is_err()
        );
        assert!(
            check(&Movement::Adjustment {
                delta: -2,
                reason: "x".repeat(MAX_REASON_CHARS + 1)
            })
            .is_err()
        );
    }
}
