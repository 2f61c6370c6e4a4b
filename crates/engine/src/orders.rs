//! The orders service: creating, changing and moving orders, for every
//! front end (the API, the dashboard, WhatsApp commands, automation). The
//! rules live here once:
//!
//! - an order's measurement version is its customer's, its assignee one of
//!   the business's staff, its deposit never above its price;
//! - a stage change follows the vertical's pipeline and the holds of
//!   [`domain::order::stage_hold`] (deposit first, no delivery of a pickup
//!   order, no hand-over with money due, the last two unless staff override);
//! - its effects commit with it: stock given back on cancel, taken off the
//!   shelf on delivery (unless the business consumes on payment), the
//!   customer's figures, and the notice the customer gets (ready, with the
//!   balance and its link when money is due; on its way; delivered).

use crate::outbound::{self, Note, OutboundError, To};
use crate::services::Services;
use domain::order::{
    Stage, StageFacts, StageHold, TransitionError, check_deposit, pipeline, stage_hold,
};
use domain::outbound::Purpose;
use domain::text::{Key, language_of, render};
use domain::{CustomerId, E164, MeasurementId, Money, OrderId, TenantId, UserId};
use store::business::ConsumeOn;
use store::orders::{NewOrder, Order, OrderPatch};
use store::{StoreError, Tx};

pub use crate::error::ServiceError as OrderError;

fn invalid(field: &'static str, message: &str) -> OrderError {
    OrderError::invalid(field, message)
}

/// Checks the references of a new or changed order: 404 for a customer or
/// user of another business, a field error for another customer's
/// measurements.
async fn check_refs(
    svc: &Services,
    tenant: TenantId,
    customer: CustomerId,
    measurement: Option<MeasurementId>,
    assignee: Option<UserId>,
) -> Result<(), OrderError> {
    if let Some(m) = measurement {
        let found = store::measurements::get(&svc.db, tenant, m).await?;
        if found.customer_id != customer {
            return Err(invalid("measurement_id", "belongs to another customer"));
        }
    }
    if let Some(u) = assignee {
        store::users::get(&svc.db, tenant, u).await?;
    }
    Ok(())
}

/// A new order as a front end parsed it. `measurement`: `None` means the
/// customer's current version, `Some(None)` none.
#[derive(Debug, Clone)]
pub struct Create {
    pub order: NewOrder,
    pub measurement: Option<Option<MeasurementId>>,
}

/// Creates an order with the next ref.
pub async fn create(svc: &Services, tenant: TenantId, c: Create) -> Result<Order, OrderError> {
    let mut new = c.order;
    check_deposit(new.deposit_amount, new.price).map_err(|m| invalid("deposit_amount", m))?;
    if !store::customers::exists(&svc.db, tenant, new.customer_id).await? {
        return Err(OrderError::NotFound);
    }
    new.measurement_id = match c.measurement {
        None => store::measurements::current(&svc.db, tenant, new.customer_id)
            .await?
            .map(|m| m.id),
        Some(m) => m,
    };
    check_refs(
        svc,
        tenant,
        new.customer_id,
        c.measurement.flatten(),
        new.assigned_to,
    )
    .await?;
    let mut tx = svc.db.begin().await?;
    let order = store::orders::insert(&mut tx, tenant, &new).await?;
    tx.commit().await?;
    tracing::info!(order_ref = %order.order_ref, %tenant, "order created");
    Ok(order)
}

/// The business's customer with this number, created (with `name`) when
/// there is none: how a front end that takes an order by phone (the
/// dashboard's quick form) finds whom it is for. A customer who already
/// exists keeps their name. Two such requests at once meet at the unique
/// number and find the same customer.
pub async fn customer_for_phone(
    svc: &Services,
    tenant: TenantId,
    phone: &E164,
    name: Option<&str>,
) -> Result<CustomerId, OrderError> {
    if let Some(c) = store::customers::find_by_phone(&svc.db, tenant, phone.as_str()).await? {
        return Ok(c.id);
    }
    let new = store::customers::NewCustomer {
        name: name.map(str::to_string),
        phone: Some(phone.to_string()),
        wa_id: Some(phone.wa_id()),
        ..Default::default()
    };
    match store::customers::insert(&svc.db, tenant, &new).await {
        Ok(c) => Ok(c.id),
        Err(StoreError::Unique(_)) => {
            let by_phone = store::customers::find_by_phone(&svc.db, tenant, phone.as_str()).await?;
            let found = match by_phone {
                Some(c) => Some(c),
                None => store::customers::find_by_wa_id(&svc.db, tenant, &phone.wa_id()).await?,
            };
            found.map(|c| c.id).ok_or(OrderError::NotFound)
        }
        Err(e) => Err(e.into()),
    }
}

/// The stage a one-tap "move on" takes an order to: the next stage of the
/// pipeline (an optional one included), passing over a delivery stage for
/// an order the customer collects. None for a finished order.
pub fn next_stage(
    vertical: domain::tenant::Vertical,
    from: Stage,
    fulfilment: Option<domain::order::Fulfilment>,
) -> Option<Stage> {
    let p = pipeline(vertical);
    let at = p.stages.iter().position(|s| *s == from)?;
    let facts = StageFacts {
        from,
        deposit: 0,
        price: 0,
        paid: 0,
        fulfilment,
    };
    p.next_stages(from)
        .into_iter()
        .filter(|s| p.stages.iter().position(|x| x == s).is_some_and(|i| i > at))
        .find(|s| stage_hold(&facts, *s, true, true) != Err(StageHold::PickupNotDelivered))
}

/// Changes an order's details (not its stage).
pub async fn update(
    svc: &Services,
    tenant: TenantId,
    id: OrderId,
    patch: &OrderPatch,
) -> Result<Order, OrderError> {
    let current = store::orders::get(&svc.db, tenant, id).await?;
    let price = patch.price.unwrap_or(current.price);
    let deposit = patch.deposit_amount.unwrap_or(current.deposit_amount);
    check_deposit(deposit, price).map_err(|m| invalid("deposit_amount", m))?;
    check_refs(
        svc,
        tenant,
        current.customer_id,
        patch.measurement_id.flatten(),
        patch.assigned_to.flatten(),
    )
    .await?;
    Ok(store::orders::update(&svc.db, tenant, id, patch).await?)
}

/// A stage change as staff asked for it.
#[derive(Debug, Clone)]
pub struct StageChange {
    pub to: Stage,
    pub note: Option<String>,
    pub by: Option<UserId>,
    /// Start work before the deposit is in.
    pub override_deposit: bool,
    /// Hand over an order with money still due.
    pub override_balance: bool,
}

/// How many orders a day's view shows at most.
const VIEW_LIMIT: i64 = 500;

/// Due today (the business's day) or overdue, and not yet delivered,
/// earliest deadline first.
pub async fn due_today(svc: &Services, tenant: TenantId) -> Result<Vec<Order>, OrderError> {
    let t = store::tenants::get(&svc.db, tenant).await?;
    let f = store::orders::Filter {
        due_before: Some(domain::order::today_due_before(svc.clock.now(), t.tz())),
        unfinished: true,
        ..Default::default()
    };
    Ok(store::orders::list(
        &svc.db,
        tenant,
        &f,
        store::orders::Sort::Deadline,
        VIEW_LIMIT,
    )
    .await?)
}

/// Due within 48 hours (or overdue) and not yet ready.
pub async fn urgent(svc: &Services, tenant: TenantId) -> Result<Vec<Order>, OrderError> {
    let f = store::orders::Filter {
        due_before: Some(domain::order::urgent_due_before(svc.clock.now())),
        unfinished: true,
        not_ready: true,
        ..Default::default()
    };
    Ok(store::orders::list(
        &svc.db,
        tenant,
        &f,
        store::orders::Sort::Deadline,
        VIEW_LIMIT,
    )
    .await?)
}

/// Moves an order along its pipeline, with its effects and the customer's
/// notice, in one transaction.
pub async fn change_stage(
    svc: &Services,
    tenant: TenantId,
    id: OrderId,
    c: &StageChange,
) -> Result<Order, OrderError> {
    let t = store::tenants::get(&svc.db, tenant).await?;
    let order = store::orders::get(&svc.db, tenant, id).await?;
    let p = pipeline(t.vertical);
    p.check(order.current_stage, c.to).map_err(|e| {
        let allowed: Vec<&str> = p
            .next_stages(order.current_stage)
            .iter()
            .map(|s| s.as_str())
            .collect();
        let hint = if allowed.is_empty() {
            String::new()
        } else {
            format!(" (allowed: {})", allowed.join(", "))
        };
        let code = if matches!(e, TransitionError::NotInPipeline(_)) {
            "invalid_stage"
        } else {
            "invalid_transition"
        };
        OrderError::conflict(code, format!("{e}{hint}"), Some("stage"))
    })?;
    let facts = StageFacts {
        from: order.current_stage,
        deposit: order.deposit_amount,
        price: order.price,
        paid: order.amount_paid,
        fulfilment: order.fulfilment,
    };
    stage_hold(&facts, c.to, c.override_deposit, c.override_balance).map_err(|h| {
        let (code, message) = match h {
            StageHold::DepositDue => (
                "deposit_due",
                "the deposit is not paid yet; send \"override_deposit\": true to start anyway",
            ),
            StageHold::PickupNotDelivered => (
                "pickup_order",
                "the customer collects this order; it cannot go out for delivery",
            ),
            StageHold::BalanceDue => (
                "balance_due",
                "money is still due on this order; record the payment, or send \"override_balance\": true to hand it over anyway",
            ),
        };
        OrderError::conflict(code, message, Some("stage"))
    })?;
    let mut tx = svc.db.begin().await?;
    let moved =
        store::orders::change_stage(&mut tx, tenant, &order, c.to, c.by, c.note.as_deref()).await?;
    if !moved {
        return Err(OrderError::conflict(
            "stage_changed",
            "the order's stage changed meanwhile; reload and retry",
            Some("stage"),
        ));
    }
    apply_effects(&mut tx, tenant, &order, c.to, c.by).await?;
    notify_stage(svc, &mut tx, &t, &order, c.to).await?;
    tx.commit().await?;
    svc.wake_outbound();
    Ok(store::orders::get(&svc.db, tenant, id).await?)
}

/// What a stage change does besides the stage: stock given back on cancel
/// (and the customer's figures), taken off the shelf on delivery unless the
/// business consumes on payment. For every path that moves an order (the
/// service above, the customer cancelling in chat).
pub async fn apply_effects(
    tx: &mut Tx,
    tenant: TenantId,
    order: &Order,
    to: Stage,
    by: Option<UserId>,
) -> Result<(), StoreError> {
    match to {
        Stage::Cancelled => {
            store::inventory::release(&mut *tx, tenant, order.id, by).await?;
            store::customers::refresh_stats(&mut *tx, tenant, order.customer_id).await?;
        }
        Stage::Delivered
            if store::business::get(&mut *tx, tenant)
                .await?
                .consume_stock_on
                == ConsumeOn::Delivery =>
        {
            store::inventory::consume(&mut *tx, tenant, order.id, by).await?;
        }
        _ => {}
    }
    Ok(())
}

/// Which notice a move sends the customer, if any.
pub fn stage_notice(to: Stage, balance_due: i64, link: bool) -> Option<Key> {
    match to {
        Stage::Ready if balance_due > 0 && link => Some(Key::OrderReadyDueLink),
        Stage::Ready if balance_due > 0 => Some(Key::OrderReadyDue),
        Stage::Ready => Some(Key::OrderReady),
        Stage::OutForDelivery => Some(Key::OrderOnTheWay),
        Stage::Delivered => Some(Key::OrderDelivered),
        _ => None,
    }
}

/// Tells the customer their order moved, in their business's language, by
/// the outbound service (the `order_update` template outside the window).
/// A ready order with money due carries its open balance link, or asks for
/// one (the link follows).
async fn notify_stage(
    svc: &Services,
    tx: &mut Tx,
    t: &store::tenants::Tenant,
    order: &Order,
    to: Stage,
) -> Result<(), OrderError> {
    let due = order.balance_due;
    let open_link = if to == Stage::Ready && due > 0 {
        store::payments::for_order(&mut *tx, t.id, order.id)
            .await?
            .into_iter()
            .filter(|p| p.status == domain::payment::PaymentStatus::Pending && p.amount <= due)
            .find_map(|p| p.payment_link)
    } else {
        None
    };
    let Some(key) = stage_notice(to, due, open_link.is_some()) else {
        return Ok(());
    };
    let customer = store::customers::get(&mut *tx, t.id, order.customer_id).await?;
    let settings = store::business::get(&mut *tx, t.id).await?;
    let locale = t.locale.to_string();
    let lang = language_of(&locale);
    let balance = Money::new(due, t.currency).display(&locale);
    let body = render(
        lang,
        key,
        &[
            ("ref", &order.order_ref),
            ("balance", &balance),
            ("url", open_link.as_deref().unwrap_or_default()),
            ("business", &t.business_name),
        ],
        &settings.texts,
    );
    let note = Note::text(
        t.id,
        To::Customer(&customer),
        Purpose::StageNotice,
        lang,
        body.clone(),
        vec![order.order_ref.clone(), body],
    )
    .about(order.id);
    match outbound::send(&mut *tx, &note).await {
        Ok(_) => {}
        Err(OutboundError::NoNumber | OutboundError::NoWhatsapp) => return Ok(()),
        Err(e) => return Err(e.into()),
    }
    // Money due and no link open: ask for one, which follows the notice.
    if to == Stage::Ready
        && due > 0
        && open_link.is_none()
        && let Some(provider) =
            crate::pay::usable_provider(&mut *tx, &svc.pay, &svc.sealer, t.id).await?
        // An unasked-for M-PESA prompt on the customer's phone would surprise
        // them: the notice states the balance instead.
        && provider != "mpesa"
    {
        crate::pay::request(
            tx,
            &svc.pay,
            svc.clock.now(),
            t.id,
            order,
            "balance",
            due,
            &provider,
        )
        .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_hand_over_stage_has_its_notice() {
        assert_eq!(stage_notice(Stage::Ready, 0, false), Some(Key::OrderReady));
        assert_eq!(
            stage_notice(Stage::Ready, 500, false),
            Some(Key::OrderReadyDue)
        );
        assert_eq!(
            stage_notice(Stage::Ready, 500, true),
            Some(Key::OrderReadyDueLink)
        );
        assert_eq!(
            stage_notice(Stage::OutForDelivery, 0, false),
            Some(Key::OrderOnTheWay)
        );
        assert_eq!(
            stage_notice(Stage::Delivered, 0, false),
            Some(Key::OrderDelivered)
        );
        assert_eq!(stage_notice(Stage::Cutting, 0, false), None);
    }
}
