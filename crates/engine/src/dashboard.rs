//! What the owner's dashboard reads: the day at a glance, the board, the
//! kitchen, customers, payments and a change cursor for live pages. Each
//! view is one or a few aggregate queries on indexes
//! ([`store::dashboard`]), never a query per order; the instants they are
//! bounded by are the business's own days, weeks and months (its
//! timezone), read from the services' clock.
//!
//! The notions are the ones used elsewhere, not new ones:
//!
//! - an *active* order is one not in a finished stage
//!   ([`domain::order::FINISHED`]: delivered, cancelled);
//! - *urgent* is [`domain::order::urgent_due_before`] (due within 48 hours,
//!   or overdue) for work not yet done ([`domain::order::WORK_DONE`]), as in
//!   [`crate::orders::urgent`]; *overdue* is the part of that past its
//!   deadline;
//! - *still owed* is [`crate::payments::unpaid`]'s: orders not cancelled
//!   whose price is above what was paid;
//! - *revenue* is paid payments by the time they were paid;
//! - a customer's name is [`crate::inbox::display_name`]'s.
//!
//! "Due this week" is the business's calendar week, Monday to Sunday, that
//! contains today (as [`crate::payments::sales`] counts a week): on a
//! Sunday it is one day, and an order overdue since last week is not in
//! it (it is in `overdue`).

use crate::error::ServiceError;
use crate::services::Services;
use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc};
use domain::order::{Fulfilment, Source, Stage, WORK_DONE, balance_due, urgent_due_before};
use domain::{Currency, CustomerId, Money, OrderId, TenantId};
use serde::Serialize;
use store::Db;
use store::dashboard::{CardQuery, CardRow, CardSort, PaymentLine, TodayBounds};
use store::payments::Debt;

/// The most cards a list returns; a list that has more says so.
pub const CARD_LIMIT: i64 = 500;
/// How long finished orders stay on the board.
pub const FINISHED_ON_BOARD_DAYS: i64 = 7;
/// How far back the payments board lists money received.
pub const RECENT_PAYMENT_DAYS: i64 = 30;
const RECENT_PAYMENT_LIMIT: i64 = 200;
const FLAGGED_LIMIT: i64 = 100;
const TIMELINE_LIMIT: i64 = 200;
/// The largest page of customers.
pub const CUSTOMER_PAGE_MAX: i64 = 200;

/// How pressing an order is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Urgency {
    /// Past its deadline with the work not done.
    Overdue,
    /// Due within the urgent horizon with the work not done.
    Urgent,
    /// Anything else: no deadline, work done, finished, or not due soon.
    Normal,
}

/// The urgent rule of [`crate::orders::urgent`], for one order.
pub fn urgency(stage: Stage, deadline: Option<DateTime<Utc>>, now: DateTime<Utc>) -> Urgency {
    let Some(due) = deadline else {
        return Urgency::Normal;
    };
    if stage.is_terminal() || WORK_DONE.contains(&stage) {
        Urgency::Normal
    } else if due < now {
        Urgency::Overdue
    } else if due < urgent_due_before(now) {
        Urgency::Urgent
    } else {
        Urgency::Normal
    }
}

/// An order as the dashboard shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Card {
    pub id: OrderId,
    pub order_ref: String,
    pub customer_id: CustomerId,
    /// [`crate::inbox::display_name`].
    pub customer_name: String,
    pub customer_phone: Option<String>,
    pub stage: Stage,
    pub deadline: Option<DateTime<Utc>>,
    pub urgency: Urgency,
    /// Minor units of `currency`, as every amount of the card.
    pub price: i64,
    pub paid: i64,
    pub balance_due: i64,
    pub deposit_amount: i64,
    /// Whether what was paid covers the deposit (work may start).
    pub deposit_met: bool,
    pub currency: Currency,
    pub source: Source,
    pub fulfilment: Option<Fulfilment>,
    /// What was ordered, shortly: the style, else the first lines.
    pub summary: Option<String>,
    /// An order placed while closed, for the next opening.
    pub scheduled_for: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// The style (with its quantity when more than one), else the first two
/// lines' names and how many more there are.
pub fn summary(
    style: Option<&str>,
    quantity: i32,
    first: Option<&str>,
    second: Option<&str>,
    items: i64,
) -> Option<String> {
    if let Some(style) = style.map(str::trim).filter(|s| !s.is_empty()) {
        return Some(if quantity > 1 {
            format!("{style} ×{quantity}")
        } else {
            style.to_string()
        });
    }
    let first = first?;
    let mut out = first.to_string();
    if let Some(second) = second {
        out.push_str(", ");
        out.push_str(second);
    }
    let more = items - if second.is_some() { 2 } else { 1 };
    if more > 0 {
        out.push_str(&format!(" +{more} more"));
    }
    Some(out)
}

fn card(r: CardRow, now: DateTime<Utc>) -> Card {
    let fulfilment = r.fulfilment();
    Card {
        id: r.id,
        customer_name: crate::inbox::display_name_of(
            r.customer_name.as_deref(),
            r.customer_profile_name.as_deref(),
            r.customer_phone.as_deref(),
        ),
        urgency: urgency(r.stage, r.deadline, now),
        balance_due: balance_due(r.price, r.paid),
        deposit_met: r.paid >= r.deposit_amount,
        summary: summary(
            r.style_name.as_deref(),
            r.quantity,
            r.first_item.as_deref(),
            r.second_item.as_deref(),
            r.item_count,
        ),
        order_ref: r.order_ref,
        customer_id: r.customer_id,
        customer_phone: r.customer_phone,
        stage: r.stage,
        deadline: r.deadline,
        price: r.price,
        paid: r.paid,
        deposit_amount: r.deposit_amount,
        currency: r.currency,
        source: r.source,
        fulfilment,
        scheduled_for: r.scheduled_for,
        created_at: r.created_at,
        updated_at: r.updated_at,
    }
}

/// Cards for `q`, at most `limit`, and whether there were more.
async fn cards(
    svc: &Services,
    tenant: TenantId,
    mut q: CardQuery,
    limit: i64,
    now: DateTime<Utc>,
) -> Result<(Vec<Card>, bool), ServiceError> {
    q.limit = limit + 1;
    let mut rows = store::dashboard::cards(&svc.db, tenant, &q).await?;
    let capped = rows.len() as i64 > limit;
    rows.truncate(usize::try_from(limit).unwrap_or(0));
    Ok((rows.into_iter().map(|r| card(r, now)).collect(), capped))
}

/// The first instant of `date` in `tz` (midnight, or the first hour that
/// exists when a DST change skips midnight).
pub fn local_start(date: NaiveDate, tz: chrono_tz::Tz) -> DateTime<Utc> {
    (0..24)
        .find_map(|h| {
            date.and_hms_opt(h, 0, 0)
                .and_then(|t| tz.from_local_datetime(&t).earliest())
        })
        .map(|d| d.with_timezone(&Utc))
        .unwrap_or_else(|| date.and_time(chrono::NaiveTime::MIN).and_utc())
}

/// The business's local dates a view is bounded by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Calendar {
    pub today: NaiveDate,
    /// Monday of this week.
    pub week_start: NaiveDate,
    pub month_start: NaiveDate,
    pub last_month_start: NaiveDate,
    pub next_month_start: NaiveDate,
}

impl Calendar {
    pub fn at(now: DateTime<Utc>, tz: chrono_tz::Tz) -> Calendar {
        let today = now.with_timezone(&tz).date_naive();
        let week_start = today - Duration::days(i64::from(today.weekday().num_days_from_monday()));
        let month_start = today.with_day(1).unwrap_or(today);
        let last_month_start = (month_start - Duration::days(1))
            .with_day(1)
            .unwrap_or(month_start);
        let next_month_start = (month_start + Duration::days(32))
            .with_day(1)
            .unwrap_or(month_start);
        Calendar {
            today,
            week_start,
            month_start,
            last_month_start,
            next_month_start,
        }
    }
}

/// The change from `last` to `this` in per cent; `None` when `last` is 0.
pub fn change_percent(this: i64, last: i64) -> Option<f64> {
    (last != 0).then(|| (this - last) as f64 * 100.0 / last as f64)
}

/// The day at a glance.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Today {
    /// The business's date today.
    pub date: NaiveDate,
    /// Orders not finished.
    pub active_orders: i64,
    /// Active orders past their deadline with the work not done.
    pub overdue: i64,
    /// Monday and Sunday of this week.
    pub week: (NaiveDate, NaiveDate),
    /// Active orders due this week, and how many of them are urgent.
    pub due_this_week: i64,
    pub due_this_week_urgent: i64,
    /// Orders with money still due, and how much in all.
    pub pending_payments: i64,
    pub pending_amount: Money,
    /// Money received this local month and last, and the change in per
    /// cent (`None` when last month is 0).
    pub revenue_this_month: Money,
    pub revenue_last_month: Money,
    pub revenue_change_percent: Option<f64>,
    /// Today's orders: due today or overdue, and those created today,
    /// not finished, earliest deadline first.
    pub cards: Vec<Card>,
    pub cards_capped: bool,
}

pub async fn today(svc: &Services, tenant: TenantId) -> Result<Today, ServiceError> {
    let t = store::tenants::get(&svc.db, tenant).await?;
    let tz = t.tz();
    let now = svc.clock.now();
    let cal = Calendar::at(now, tz);
    let bounds = TodayBounds {
        now,
        week_from: local_start(cal.week_start, tz),
        week_to: local_start(cal.week_start + Duration::days(7), tz),
        urgent_before: urgent_due_before(now),
    };
    let counts = store::dashboard::order_counts(&svc.db, tenant, &bounds).await?;
    let (owed_orders, owed) = store::dashboard::owed(&svc.db, tenant).await?;
    let (last, this) = store::dashboard::received_split(
        &svc.db,
        tenant,
        local_start(cal.last_month_start, tz),
        local_start(cal.month_start, tz),
        local_start(cal.next_month_start, tz),
    )
    .await?;
    let (cards, capped) = cards(
        svc,
        tenant,
        CardQuery {
            active: true,
            due_before_or_created_from: Some((
                domain::order::today_due_before(now, tz),
                local_start(cal.today, tz),
            )),
            sort: CardSort::Due,
            ..Default::default()
        },
        CARD_LIMIT,
        now,
    )
    .await?;
    Ok(Today {
        date: cal.today,
        active_orders: counts.active,
        overdue: counts.overdue,
        week: (cal.week_start, cal.week_start + Duration::days(6)),
        due_this_week: counts.due_week,
        due_this_week_urgent: counts.due_week_urgent,
        pending_payments: owed_orders,
        pending_amount: Money::new(owed, t.currency),
        revenue_this_month: Money::new(this, t.currency),
        revenue_last_month: Money::new(last, t.currency),
        revenue_change_percent: change_percent(this, last),
        cards,
        cards_capped: capped,
    })
}

/// What the board shows; every field narrows it.
#[derive(Debug, Clone, Default)]
pub struct BoardFilter {
    pub stage: Option<Stage>,
    /// Due on or after this local date.
    pub due_from: Option<NaiveDate>,
    /// Due on or before this local date.
    pub due_to: Option<NaiveDate>,
    pub source: Option<Source>,
    /// Part of the ref, the customer's name or phone, any case.
    pub q: Option<String>,
}

/// The board's cards, earliest deadline first; `capped` when there were
/// more than [`CARD_LIMIT`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Board {
    pub cards: Vec<Card>,
    pub capped: bool,
}

/// Active orders, and those finished in the last
/// [`FINISHED_ON_BOARD_DAYS`] days.
pub async fn board(
    svc: &Services,
    tenant: TenantId,
    f: &BoardFilter,
) -> Result<Board, ServiceError> {
    let t = store::tenants::get(&svc.db, tenant).await?;
    let tz = t.tz();
    let now = svc.clock.now();
    let (cards, capped) = cards(
        svc,
        tenant,
        CardQuery {
            active: true,
            finished_since: Some(now - Duration::days(FINISHED_ON_BOARD_DAYS)),
            stage: f.stage,
            source: f.source,
            due_from: f.due_from.map(|d| local_start(d, tz)),
            due_to: f.due_to.map(|d| local_start(d + Duration::days(1), tz)),
            search: f.q.as_deref().and_then(store::dashboard::search),
            sort: CardSort::Due,
            ..Default::default()
        },
        CARD_LIMIT,
        now,
    )
    .await?;
    Ok(Board { cards, capped })
}

/// Today's orders (created today in the business's timezone, or
/// scheduled for today) that are not finished, newest first.
pub async fn kitchen(svc: &Services, tenant: TenantId) -> Result<Vec<Card>, ServiceError> {
    let t = store::tenants::get(&svc.db, tenant).await?;
    let tz = t.tz();
    let now = svc.clock.now();
    let today = Calendar::at(now, tz).today;
    let (cards, _) = cards(
        svc,
        tenant,
        CardQuery {
            active: true,
            created_within: Some((
                local_start(today, tz),
                local_start(today + Duration::days(1), tz),
            )),
            sort: CardSort::Newest,
            ..Default::default()
        },
        CARD_LIMIT,
        now,
    )
    .await?;
    Ok(cards)
}

/// A customer in the dashboard's list.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CustomerRow {
    pub id: CustomerId,
    /// [`crate::inbox::display_name`].
    pub name: String,
    pub phone: Option<String>,
    /// Orders that were not cancelled.
    pub order_count: i64,
    /// Sum of paid payments.
    pub lifetime_value: Money,
    pub last_order_at: Option<DateTime<Utc>>,
    /// The later of the last order and the last message, else when the
    /// customer was added.
    pub last_activity: DateTime<Utc>,
}

/// A page of customers, the most recently active first; `q` matches part
/// of the name (any case) or of the phone (`0723…` finds `+254723…`).
pub async fn customers(
    svc: &Services,
    tenant: TenantId,
    q: Option<&str>,
    limit: i64,
    offset: i64,
) -> Result<Vec<CustomerRow>, ServiceError> {
    let t = store::tenants::get(&svc.db, tenant).await?;
    let rows = store::dashboard::customers(
        &svc.db,
        tenant,
        q,
        limit.clamp(1, CUSTOMER_PAGE_MAX),
        offset.max(0),
    )
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| CustomerRow {
            id: r.id,
            name: crate::inbox::display_name_of(
                r.name.as_deref(),
                r.wa_profile_name.as_deref(),
                r.phone.as_deref(),
            ),
            phone: r.phone,
            order_count: i64::from(r.total_orders),
            lifetime_value: Money::new(r.total_spent, t.currency),
            last_order_at: r.last_order_at,
            last_activity: r.last_activity,
        })
        .collect())
}

/// One customer's page.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CustomerSummary {
    pub id: CustomerId,
    pub name: String,
    pub phone: Option<String>,
    pub lifetime_value: Money,
    /// Orders that were not cancelled, the first and the last of them.
    pub order_count: i64,
    pub first_order_at: Option<DateTime<Utc>>,
    pub last_order_at: Option<DateTime<Utc>>,
    /// Every order (cancelled ones too), newest first.
    pub timeline: Vec<Card>,
    pub timeline_capped: bool,
}

/// [`ServiceError::NotFound`] for another business's customer.
pub async fn customer_summary(
    svc: &Services,
    tenant: TenantId,
    customer: CustomerId,
) -> Result<CustomerSummary, ServiceError> {
    let c = store::customers::get(&svc.db, tenant, customer).await?;
    let t = store::tenants::get(&svc.db, tenant).await?;
    let first = store::dashboard::first_order_at(&svc.db, tenant, customer).await?;
    let now = svc.clock.now();
    let (timeline, capped) = cards(
        svc,
        tenant,
        CardQuery {
            customer: Some(customer),
            sort: CardSort::Newest,
            ..Default::default()
        },
        TIMELINE_LIMIT,
        now,
    )
    .await?;
    Ok(CustomerSummary {
        id: c.id,
        name: crate::inbox::display_name(&c),
        phone: c.phone,
        lifetime_value: Money::new(c.total_spent, t.currency),
        order_count: i64::from(c.total_orders),
        first_order_at: first,
        last_order_at: c.last_order_at,
        timeline,
        timeline_capped: capped,
    })
}

/// A payment on the payments board.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PaymentEntry {
    pub id: domain::PaymentId,
    pub order_id: OrderId,
    pub order_ref: String,
    pub customer_id: CustomerId,
    /// [`crate::inbox::display_name`].
    pub customer_name: String,
    pub amount: Money,
    /// `deposit`, `balance` or `full`.
    pub kind: String,
    pub provider: String,
    pub status: String,
    pub paid_at: Option<DateTime<Utc>>,
    pub flag: Option<String>,
    pub failure: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

fn entry(p: PaymentLine, fallback: Currency) -> PaymentEntry {
    PaymentEntry {
        customer_name: crate::inbox::display_name_of(
            p.customer_name.as_deref(),
            p.customer_profile_name.as_deref(),
            p.customer_phone.as_deref(),
        ),
        amount: Money::new(p.amount, Currency::parse(&p.currency).unwrap_or(fallback)),
        id: p.id,
        order_id: p.order_id,
        order_ref: p.order_ref,
        customer_id: p.customer_id,
        kind: p.kind,
        provider: p.provider,
        status: p.status,
        paid_at: p.paid_at,
        flag: p.flag,
        failure: p.failure,
        created_at: p.created_at,
        updated_at: p.updated_at,
    }
}

/// Money in, money due, and what a person must look at.
#[derive(Debug, Clone, Serialize)]
pub struct PaymentsBoard {
    /// Paid in the last [`RECENT_PAYMENT_DAYS`] days, newest first.
    pub recent: Vec<PaymentEntry>,
    /// [`crate::payments::unpaid`].
    pub unpaid: Vec<Debt>,
    /// Flagged payments (`payments.flag`), most recently changed first.
    /// A flag is never cleared today, so this lists every flag raised.
    pub flagged: Vec<PaymentEntry>,
}

pub async fn payments_board(
    svc: &Services,
    tenant: TenantId,
) -> Result<PaymentsBoard, ServiceError> {
    let t = store::tenants::get(&svc.db, tenant).await?;
    let since = svc.clock.now() - Duration::days(RECENT_PAYMENT_DAYS);
    let recent = store::dashboard::paid_payments(&svc.db, tenant, since, RECENT_PAYMENT_LIMIT)
        .await?
        .into_iter()
        .map(|p| entry(p, t.currency))
        .collect();
    let flagged = store::dashboard::flagged_payments(&svc.db, tenant, FLAGGED_LIMIT)
        .await?
        .into_iter()
        .map(|p| entry(p, t.currency))
        .collect();
    let unpaid = crate::payments::unpaid(svc, tenant).await?;
    Ok(PaymentsBoard {
        recent,
        unpaid,
        flagged,
    })
}

/// A token that changes whenever one of the business's orders, payments
/// or WhatsApp messages is created or updated: three index seeks, for
/// pages that poll. Compare tokens for equality only.
pub async fn changes(db: &Db, tenant: TenantId) -> Result<String, ServiceError> {
    let c = store::dashboard::changes(db, tenant).await?;
    let part = |t: Option<DateTime<Utc>>| {
        t.map(|t| t.timestamp_micros().to_string())
            .unwrap_or_else(|| "-".into())
    };
    Ok(format!(
        "{}.{}.{}",
        part(c.orders),
        part(c.payments),
        part(c.messages)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn urgency_follows_the_urgent_view() {
        let now = at("2026-11-20T10:00:00Z");
        let soon = Some(now + Duration::hours(47));
        let later = Some(now + Duration::hours(49));
        let past = Some(now - Duration::minutes(1));
        assert_eq!(urgency(Stage::Sewing, past, now), Urgency::Overdue);
        assert_eq!(urgency(Stage::Sewing, soon, now), Urgency::Urgent);
        assert_eq!(urgency(Stage::Sewing, later, now), Urgency::Normal);
        assert_eq!(urgency(Stage::Sewing, None, now), Urgency::Normal);
        // Work done or finished: not pressing, as in the urgent view.
        assert_eq!(urgency(Stage::Ready, past, now), Urgency::Normal);
        assert_eq!(urgency(Stage::Delivered, past, now), Urgency::Normal);
        assert_eq!(urgency(Stage::Cancelled, soon, now), Urgency::Normal);
    }

    #[test]
    fn a_summary_is_the_style_else_the_first_lines() {
        assert_eq!(
            summary(Some("Agbada"), 2, Some("x"), None, 1).as_deref(),
            Some("Agbada ×2")
        );
        assert_eq!(
            summary(Some(" "), 1, Some("Jollof"), None, 1).as_deref(),
            Some("Jollof")
        );
        assert_eq!(
            summary(None, 1, Some("Jollof"), Some("Chapman"), 2).as_deref(),
            Some("Jollof, Chapman")
        );
        assert_eq!(
            summary(None, 1, Some("Jollof"), Some("Chapman"), 5).as_deref(),
            Some("Jollof, Chapman +3 more")
        );
        assert_eq!(summary(None, 1, None, None, 0), None);
    }

    #[test]
    fn the_calendar_is_the_businesss() {
        let lagos: chrono_tz::Tz = "Africa/Lagos".parse().unwrap();
        // 23:30 UTC on Sunday 31 January is Monday 1 February in Lagos.
        let c = Calendar::at(at("2027-01-31T23:30:00Z"), lagos);
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert_eq!(c.today, d(2027, 2, 1));
        assert_eq!(c.week_start, d(2027, 2, 1));
        assert_eq!(c.month_start, d(2027, 2, 1));
        assert_eq!(c.last_month_start, d(2027, 1, 1));
        assert_eq!(c.next_month_start, d(2027, 3, 1));
        let c = Calendar::at(at("2026-03-15T12:00:00Z"), lagos);
        assert_eq!(c.week_start, d(2026, 3, 9));
        assert_eq!(c.last_month_start, d(2026, 2, 1));
        assert_eq!(c.next_month_start, d(2026, 4, 1));
        // January's last month is December of the year before.
        let c = Calendar::at(at("2027-01-10T12:00:00Z"), lagos);
        assert_eq!(c.last_month_start, d(2026, 12, 1));
        assert_eq!(
            local_start(d(2027, 1, 10), lagos),
            at("2027-01-09T23:00:00Z")
        );
    }

    #[test]
    fn a_local_day_starts_at_the_first_hour_that_exists() {
        // Santiago skips from 00:00 to 01:00 on 6 September 2026.
        let santiago: chrono_tz::Tz = "America/Santiago".parse().unwrap();
        let d = NaiveDate::from_ymd_opt(2026, 9, 6).unwrap();
        assert_eq!(local_start(d, santiago), at("2026-09-06T04:00:00Z"));
    }

    #[test]
    fn the_change_is_none_without_a_last_month() {
        assert_eq!(change_percent(150, 100), Some(50.0));
        assert_eq!(change_percent(50, 200), Some(-75.0));
        assert_eq!(change_percent(100, 0), None);
    }
}
