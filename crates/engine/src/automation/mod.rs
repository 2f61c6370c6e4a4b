//! The automation engine: every cycle, for every business, finds who should
//! hear what and sends it once, within WhatsApp's rules and the person's
//! wishes.
//!
//! A cycle runs one candidate query per (trigger kind, thresholds) across
//! every business (`store::automation`), loads what the messages need in
//! bulk, and decides each target with the pure rules of
//! `domain::automation` (opt-out, quiet hours, the 24-hour window and the
//! approved templates). Then, in transactions that each hold whole
//! businesses (a few hundred targets to a commit), it writes each
//! target's line in the ledger (whose unique key is "never twice for the
//! same kind, target and day") and queues the message through the outbound
//! service's batch form, which sends it from the bulk queue. A crash before
//! the commit leaves nothing; after it, everything. A dry run
//! ([`preview`]) goes through the same steps and writes nothing.

pub mod scheduled;
pub mod scheduler;
pub mod triggers;

use crate::error::ServiceError;
use crate::outbound::{self, Note, OutboundError, To};
use crate::services::Services;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use domain::automation::{
    Decision, Facts, QuietHours, STEPS, Skip, Thresholds, TriggerKind, due_step,
};
use domain::outbound::Purpose;
use domain::text::{Key, Overrides, language_of, render};
use domain::{CustomerId, E164, Money, OrderId, PaymentId, TenantId};
use std::collections::{HashMap, HashSet};
use std::time::Instant;
use store::StoreResult;
use store::automation::{Candidate, StaffPhone};
use store::customers::Customer;
use uuid::Uuid;

pub use triggers::install_defaults;

/// What one cycle did.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct CycleReport {
    pub run_id: Option<uuid::Uuid>,
    /// Targets the triggers chose (after what was already done today).
    pub targets: u64,
    pub sent: u64,
    pub skipped: u64,
    pub deferred: u64,
    /// Rows inserted or updated (ledger, messages, jobs, payments, runs).
    pub rows_written: u64,
    /// Time spent on the database (queries and the writing transactions).
    #[serde(skip)]
    pub db_time: std::time::Duration,
}

/// Runs one cycle now, for the cron fire time `fire_at` (`None`: run-once).
pub async fn run_cycle(
    svc: &Services,
    fire_at: Option<DateTime<Utc>>,
) -> Result<CycleReport, ServiceError> {
    let now = svc.clock.now();
    let t0 = Instant::now();
    let run_id = store::automation::start_run(&svc.db, fire_at, now).await?;
    let mut report = CycleReport {
        run_id: Some(run_id),
        rows_written: 1,
        ..CycleReport::default()
    };
    let result = async {
        let (plans, db) = find(svc, now, None).await?;
        report.db_time += db;
        report.targets = plans.len() as u64;
        let t = Instant::now();
        apply(svc, run_id, now, plans, &mut report).await?;
        report.db_time += t.elapsed();
        Ok::<(), ServiceError>(())
    }
    .await;
    let error = result.as_ref().err().map(|e| e.to_string());
    store::automation::finish_run(
        &svc.db,
        run_id,
        svc.clock.now(),
        report.targets,
        report.sent,
        report.skipped,
        report.deferred,
        error.as_deref(),
    )
    .await?;
    result?;
    svc.wake_outbound();
    tracing::info!(
        targets = report.targets,
        sent = report.sent,
        skipped = report.skipped,
        deferred = report.deferred,
        ms = t0.elapsed().as_millis() as u64,
        "automation cycle"
    );
    Ok(report)
}

/// What a trigger would do right now, target by target: the dry run of the
/// API (`POST /automation/test/{id}`). Nothing is written or sent.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Preview {
    pub kind: &'static str,
    pub target_id: Uuid,
    /// The escalation step (`gentle`, `firm`, `final`), or the staff
    /// member told; empty otherwise.
    pub step: String,
    #[schema(value_type = Option<String>, format = Uuid)]
    pub customer_id: Option<CustomerId>,
    pub order_id: Option<Uuid>,
    /// Who it is for: the customer's or staff member's name and masked phone.
    pub to: String,
    pub text: String,
    /// `send`, `skip` or `defer`.
    pub outcome: &'static str,
    /// For a send: `text` (inside the 24-hour window) or `template`.
    pub send_as: Option<&'static str>,
    pub template: Option<&'static str>,
    pub reason: Option<&'static str>,
    pub until: Option<DateTime<Utc>>,
}

pub async fn preview(
    svc: &Services,
    tenant: TenantId,
    trigger: Uuid,
) -> Result<Vec<Preview>, ServiceError> {
    let t = store::automation::trigger(&svc.db, tenant, trigger).await?;
    let (plans, _) = find(svc, svc.clock.now(), Some((tenant, t.id))).await?;
    Ok(plans
        .into_iter()
        .map(|p| {
            let (outcome, send_as, reason, until) = match p.decision {
                Decision::Text => ("send", Some("text"), None, None),
                Decision::Template => ("send", Some("template"), None, None),
                Decision::Skip(s) => ("skip", None, Some(s.as_str()), None),
                Decision::Defer(u) => ("defer", None, None, Some(u)),
            };
            Preview {
                kind: p.kind.as_str(),
                target_id: p.target,
                step: p.step.clone(),
                customer_id: p.customer.as_ref().map(|c| c.id),
                order_id: p.order.map(|o| o.0),
                to: p.to_label(),
                template: matches!(p.decision, Decision::Template)
                    .then(|| p.purpose.template())
                    .flatten(),
                text: p.body,
                outcome,
                send_as,
                reason,
                until,
            }
        })
        .collect())
}

/// Who a plan speaks to.
#[derive(Debug, Clone)]
enum Recipient {
    Customer(Box<Customer>),
    Staff { phone: E164, name: String },
}

/// One target, decided.
#[derive(Debug, Clone)]
struct Plan {
    tenant: TenantId,
    trigger: Option<Uuid>,
    kind: TriggerKind,
    target: Uuid,
    step: String,
    day: NaiveDate,
    customer: Option<Customer>,
    to: Recipient,
    order: Option<OrderId>,
    purpose: Purpose,
    lang: &'static str,
    body: String,
    params: Vec<String>,
    decision: Decision,
    /// unpaid_balance: the payment, and whether its link must be renewed
    /// (expired, or a push) instead of sent again.
    payment: Option<(PaymentId, bool)>,
}

impl Plan {
    fn to_label(&self) -> String {
        match &self.to {
            Recipient::Customer(c) => {
                let name = c
                    .name
                    .clone()
                    .or(c.wa_profile_name.clone())
                    .unwrap_or_default();
                let phone = c
                    .wa_id
                    .as_deref()
                    .and_then(|w| E164::from_wa_id(w).ok())
                    .map(|p| p.masked())
                    .unwrap_or_default();
                format!("{name} {phone}").trim().to_string()
            }
            Recipient::Staff { phone, name } => format!("{name} {}", phone.masked()),
        }
    }
}

/// What the messages of one business need.
struct Biz {
    tenant: store::tenants::Tenant,
    tz: Tz,
    lang: &'static str,
    quiet: QuietHours,
    texts: Overrides,
    staff: Vec<StaffPhone>,
    has_number: bool,
}

impl Biz {
    fn money(&self, minor: i64) -> String {
        Money::new(minor, self.tenant.currency).display(&self.tenant.locale.to_string())
    }

    fn today(&self, now: DateTime<Utc>) -> NaiveDate {
        now.with_timezone(&self.tz).date_naive()
    }

    /// Who is told about `order`'s business: the assigned staff member if
    /// they have a phone, else the owners.
    fn tell(&self, assigned: Option<Uuid>) -> Vec<&StaffPhone> {
        if let Some(a) = assigned
            && let Some(s) = self.staff.iter().find(|s| s.id == a)
        {
            return vec![s];
        }
        self.owners()
    }

    fn owners(&self) -> Vec<&StaffPhone> {
        self.staff.iter().filter(|s| s.role == "owner").collect()
    }
}

/// A trigger's wording and quiet hours on top of its business's.
struct TriggerCx {
    texts: Overrides,
    quiet: Option<QuietHours>,
}

fn name_of(c: &Customer) -> String {
    c.name
        .clone()
        .or_else(|| c.wa_profile_name.clone())
        .unwrap_or_default()
}

/// Finds every target of every enabled trigger (or only `only`'s) and
/// decides each; returns the plans and the time spent on the database.
async fn find(
    svc: &Services,
    now: DateTime<Utc>,
    only: Option<(TenantId, Uuid)>,
) -> Result<(Vec<Plan>, std::time::Duration), ServiceError> {
    let mut db_time = std::time::Duration::ZERO;
    let t = Instant::now();
    let groups: Vec<(TriggerKind, Thresholds)> = match only {
        None => store::automation::groups(&svc.db).await?,
        Some((tenant, id)) => {
            let t = store::automation::trigger(&svc.db, tenant, id).await?;
            vec![(t.kind, t.params)]
        }
    }
    .into_iter()
    .filter_map(|(k, p)| {
        let kind = TriggerKind::parse(&k)?;
        Some((kind, Thresholds::from_params(kind, &p)?))
    })
    .collect();
    let only_id = only.map(|(_, id)| id);
    let mut found: Vec<(TriggerKind, Thresholds, Candidate)> = Vec::new();
    for (kind, th) in groups {
        let params = th.params();
        let rows = candidates(&svc.db, kind, &th, &params, only_id, now).await?;
        found.extend(rows.into_iter().map(|c| (kind, th.clone(), c)));
    }
    // What the messages need, in bulk.
    let tenant_ids: Vec<TenantId> = dedup(found.iter().map(|f| TenantId(f.2.tenant_id)));
    let tenants = store::tenants::by_ids(&svc.db, &tenant_ids).await?;
    let settings = store::business::by_tenants(&svc.db, &tenant_ids).await?;
    let mut staff: HashMap<TenantId, Vec<StaffPhone>> = HashMap::new();
    for s in store::automation::staff(&svc.db, &tenant_ids).await? {
        staff.entry(TenantId(s.tenant_id)).or_default().push(s);
    }
    let numbers = store::automation::with_number(&svc.db, &tenant_ids).await?;
    let approved = store::templates::approved_many(&svc.db, &tenant_ids).await?;
    let trigger_ids: Vec<Uuid> = dedup(found.iter().filter_map(|f| f.2.trigger_id));
    let trigger_cx: HashMap<Uuid, TriggerCx> =
        store::automation::triggers_by_id(&svc.db, &trigger_ids)
            .await?
            .into_iter()
            .map(|t| {
                let quiet = t
                    .quiet_start
                    .as_deref()
                    .zip(t.quiet_end.as_deref())
                    .and_then(|(s, e)| QuietHours::parse(s, e).ok());
                (
                    t.id,
                    TriggerCx {
                        texts: t.texts.0,
                        quiet,
                    },
                )
            })
            .collect();
    let customer_ids: Vec<Uuid> = dedup(found.iter().filter_map(|f| f.2.customer_id));
    let customers: HashMap<Uuid, Customer> = store::automation::customers(&svc.db, &customer_ids)
        .await?
        .into_iter()
        .map(|c| (c.id.0, c))
        .collect();
    let repeaters: Vec<(TenantId, Uuid)> = found
        .iter()
        .filter(|f| f.0 == TriggerKind::RepeatCustomer)
        .filter_map(|f| f.2.customer_id.map(|c| (TenantId(f.2.tenant_id), c)))
        .collect();
    let suggestions = favourite(store::automation::past_items(&svc.db, &repeaters).await?);
    let mut biz: HashMap<TenantId, Biz> = HashMap::new();
    for t in tenants {
        let s = settings.get(&t.id).cloned().unwrap_or_default();
        let quiet = QuietHours::parse(&s.quiet_start, &s.quiet_end).unwrap_or_default();
        biz.insert(
            t.id,
            Biz {
                tz: t.tz(),
                lang: language_of(&t.locale.to_string()),
                quiet,
                texts: s.texts,
                staff: staff.remove(&t.id).unwrap_or_default(),
                has_number: numbers.contains(&t.id),
                tenant: t,
            },
        );
    }
    // The daily summaries' figures, for the businesses whose hour has come:
    // one query per day start (businesses in one timezone share it).
    let mut due_by_start: HashMap<DateTime<Utc>, Vec<TenantId>> = HashMap::new();
    for (kind, th, c) in &found {
        if let (TriggerKind::DailySummary, Thresholds::DailySummary { hour }) = (kind, th)
            && let Some(b) = biz.get(&TenantId(c.tenant_id))
            && let Some(start) = summary_due(b, now, *hour)
        {
            due_by_start.entry(start).or_default().push(b.tenant.id);
        }
    }
    let mut figures: HashMap<TenantId, store::automation::DayFigures> = HashMap::new();
    for (start, tenants) in due_by_start {
        figures.extend(
            store::automation::day_figures(
                &svc.db,
                &tenants,
                start,
                now,
                now + Duration::hours(48),
            )
            .await?,
        );
    }
    db_time += t.elapsed();

    let mut plans = Vec::new();
    for (kind, th, c) in found {
        let Some(b) = biz.get(&TenantId(c.tenant_id)) else {
            continue;
        };
        let cx = c.trigger_id.and_then(|id| trigger_cx.get(&id));
        plans.extend(plan(
            b,
            cx,
            kind,
            &th,
            &c,
            c.customer_id.and_then(|id| customers.get(&id)),
            &suggestions,
            &figures,
            now,
        ));
    }
    // Each (kind, target, step) once, whichever trigger found it first.
    let mut seen = HashSet::new();
    plans.retain(|p| seen.insert((p.tenant, p.kind, p.target, p.step.clone())));

    // What the ledger already holds for today is left alone.
    let t = Instant::now();
    let mut done = HashSet::new();
    for kind in TriggerKind::ALL {
        let targets: Vec<Uuid> = dedup(plans.iter().filter(|p| p.kind == kind).map(|p| p.target));
        if targets.is_empty() {
            continue;
        }
        let since = now.date_naive() - Duration::days(2);
        for (target, step, day) in
            store::automation::done(&svc.db, kind.as_str(), &targets, since).await?
        {
            done.insert((kind, target, step, day));
        }
    }
    plans.retain(|p| !done.contains(&(p.kind, p.target, p.step.clone(), p.day)));

    // The window and template facts, then the decision.
    let mut staff_windows: HashMap<(TenantId, String), bool> = HashMap::new();
    for p in &mut plans {
        let Some(b) = biz.get(&p.tenant) else {
            continue;
        };
        let window_open = match &p.to {
            Recipient::Customer(c) => c
                .last_inbound_at
                .is_some_and(|t| now - t < crate::delivery::WINDOW),
            Recipient::Staff { phone, .. } => {
                let key = (p.tenant, phone.as_str().to_string());
                match staff_windows.get(&key) {
                    Some(open) => *open,
                    None => {
                        let open = staff_window(svc, p.tenant, phone, now).await?;
                        staff_windows.insert(key, open);
                        open
                    }
                }
            }
        };
        let cx = p.trigger.and_then(|id| trigger_cx.get(&id));
        let quiet = cx.and_then(|c| c.quiet).unwrap_or(b.quiet);
        let facts = Facts {
            purpose: p.purpose,
            opted_out: p
                .customer
                .as_ref()
                .is_some_and(|c| c.opted_out_at.is_some()),
            reachable: match &p.to {
                Recipient::Customer(c) => c.wa_id.is_some(),
                Recipient::Staff { .. } => true,
            },
            has_number: b.has_number,
            window_open,
            template_approved: p.purpose.template().is_some_and(|name| {
                approved.contains(&(p.tenant, name.to_string(), p.lang.to_string()))
            }),
            quiet_until: quiet.defer_until(now, b.tz),
        };
        p.decision = domain::automation::decide(&facts);
        if let Decision::Defer(until) = p.decision {
            p.day = until.with_timezone(&b.tz).date_naive();
        }
    }
    db_time += t.elapsed();
    plans.sort_by(|a, b| {
        (a.tenant.0, a.kind, a.target, &a.step).cmp(&(b.tenant.0, b.kind, b.target, &b.step))
    });
    Ok((plans, db_time))
}

fn dedup<T: std::hash::Hash + Eq + Copy>(it: impl Iterator<Item = T>) -> Vec<T> {
    let mut seen = HashSet::new();
    it.filter(|x| seen.insert(*x)).collect()
}

/// Each customer's most ordered style or product.
fn favourite(items: Vec<(Uuid, String)>) -> HashMap<Uuid, String> {
    let mut counts: HashMap<Uuid, HashMap<String, usize>> = HashMap::new();
    for (c, name) in items {
        *counts.entry(c).or_default().entry(name).or_default() += 1;
    }
    counts
        .into_iter()
        .filter_map(|(c, names)| {
            names
                .into_iter()
                .max_by(|a, b| a.1.cmp(&b.1).then_with(|| b.0.cmp(&a.0)))
                .map(|(n, _)| (c, n))
        })
        .collect()
}

/// When today's summary is due (the start of the business's day), or
/// `None` before the chosen hour.
fn summary_due(b: &Biz, now: DateTime<Utc>, hour: u32) -> Option<DateTime<Utc>> {
    let local = now.with_timezone(&b.tz);
    if chrono::Timelike::hour(&local) < hour {
        return None;
    }
    let midnight = local.date_naive().and_hms_opt(0, 0, 0)?;
    Some(
        chrono::TimeZone::from_local_datetime(&b.tz, &midnight)
            .earliest()?
            .with_timezone(&Utc),
    )
}

async fn staff_window(
    svc: &Services,
    tenant: TenantId,
    phone: &E164,
    now: DateTime<Utc>,
) -> StoreResult<bool> {
    let number = match outbound::sending_number(&svc.db, tenant).await {
        Ok(n) => n,
        Err(OutboundError::Store(e)) => return Err(e),
        Err(_) => return Ok(false),
    };
    let digits: String = phone
        .as_str()
        .chars()
        .filter(char::is_ascii_digit)
        .collect();
    Ok(
        store::wa::last_inbound_from(&svc.db, tenant, number.id, &digits)
            .await?
            .is_some_and(|t| now - t < crate::delivery::WINDOW),
    )
}

/// Runs the candidate query of one group.
async fn candidates(
    db: &store::Db,
    kind: TriggerKind,
    th: &Thresholds,
    params: &str,
    only: Option<Uuid>,
    now: DateTime<Utc>,
) -> StoreResult<Vec<Candidate>> {
    use store::automation as a;
    let days = Duration::days;
    match (kind, th) {
        (
            TriggerKind::CustomerInactive,
            Thresholds::CustomerInactive {
                days: d,
                quiet_days,
            },
        ) => a::inactive(db, params, only, now - days(*d), now - days(*quiet_days)).await,
        (TriggerKind::OrderReady, Thresholds::OrderReady { hours }) => {
            a::ready(db, params, only, now - Duration::hours(*hours), now).await
        }
        (TriggerKind::UnpaidBalance, Thresholds::UnpaidBalance { steps }) => {
            a::unpaid(db, params, only, now - days(steps[0])).await
        }
        (TriggerKind::DeadlineRisk, Thresholds::DeadlineRisk { hours, stages }) => {
            let names: Vec<&str> = stages.iter().map(|s| s.as_str()).collect();
            // Overdue orders still at risk are included for a week.
            a::deadline(
                db,
                params,
                only,
                now - days(7),
                now + Duration::hours(*hours),
                &names,
            )
            .await
        }
        (TriggerKind::Birthday, Thresholds::Birthday { days: d }) => {
            // Every business's local "today + d" is one of these three dates.
            let base = (now + days(*d)).date_naive();
            let dates = [base - days(1), base, base + days(1)];
            a::birthdays(db, params, only, &dates, now - days(300)).await
        }
        (TriggerKind::RepeatCustomer, Thresholds::RepeatCustomer { orders, quiet_days }) => {
            a::repeat(
                db,
                params,
                only,
                *orders,
                now - days(2),
                now - days(*quiet_days),
            )
            .await
        }
        (TriggerKind::LowStock, _) => a::low_stock(db, params, only).await,
        (TriggerKind::DailySummary, _) => a::summaries(db, params, only).await,
        (TriggerKind::ScheduledMessage, _) => a::scheduled_due(db, params, only, now).await,
        _ => Ok(Vec::new()),
    }
}

/// The message (or messages, one per staff member told) of one candidate.
#[expect(
    clippy::too_many_arguments,
    reason = "one candidate's context, all required"
)]
fn plan(
    b: &Biz,
    cx: Option<&TriggerCx>,
    kind: TriggerKind,
    th: &Thresholds,
    c: &Candidate,
    customer: Option<&Customer>,
    suggestions: &HashMap<Uuid, String>,
    figures: &HashMap<TenantId, store::automation::DayFigures>,
    now: DateTime<Utc>,
) -> Vec<Plan> {
    let mut texts = b.texts.clone();
    if let Some(cx) = cx {
        for (lang, keys) in &cx.texts {
            texts
                .entry(lang.clone())
                .or_default()
                .extend(keys.iter().map(|(k, v)| (k.clone(), v.clone())));
        }
    }
    let say = |key: Key, args: &[(&str, &str)]| render(b.lang, key, args, &texts);
    let business = b.tenant.business_name.as_str();
    let base = |to: Recipient, step: String, body: String, params: Vec<String>| Plan {
        tenant: b.tenant.id,
        trigger: c.trigger_id,
        kind,
        target: c.target_id,
        step,
        day: b.today(now),
        customer: customer.cloned(),
        to,
        order: c.order_id.map(OrderId),
        purpose: kind.purpose(),
        lang: b.lang,
        body,
        params,
        decision: Decision::Skip(Skip::NoRecipient),
        payment: None,
    };
    let for_customer = |step: &str, body: String, params: Vec<String>| -> Vec<Plan> {
        match customer {
            Some(cu) => vec![base(
                Recipient::Customer(Box::new(cu.clone())),
                step.to_string(),
                body,
                params,
            )],
            None => Vec::new(),
        }
    };
    let for_staff = |who: Vec<&StaffPhone>, body: String| -> Vec<Plan> {
        who.into_iter()
            .filter_map(|s| {
                let phone = E164::parse(&s.phone, &b.tenant.country).ok()?;
                Some(base(
                    Recipient::Staff {
                        phone,
                        name: s.name.clone(),
                    },
                    s.id.to_string(),
                    body.clone(),
                    // The staff_alert template takes no parameters: it
                    // asks them to open the chat.
                    Vec::new(),
                ))
            })
            .collect()
    };
    let name = customer.map(name_of).unwrap_or_default();
    let order_ref = c.order_ref.clone().unwrap_or_default();
    match (kind, th) {
        (TriggerKind::CustomerInactive, _) => for_customer(
            "",
            say(
                Key::AutoInactive,
                &[("name", &name), ("business", business)],
            ),
            vec![name.clone(), business.to_string()],
        ),
        (TriggerKind::OrderReady, _) => {
            let amount = b.money(c.amount.unwrap_or(0));
            let args = [
                ("name", name.as_str()),
                ("ref", order_ref.as_str()),
                ("amount", amount.as_str()),
                ("link", c.link.as_deref().unwrap_or("")),
            ];
            let key = if c.link.is_some() {
                Key::AutoReady
            } else {
                Key::AutoReadyNoLink
            };
            let body = say(key, &args);
            for_customer("", body.clone(), vec![order_ref.clone(), body])
        }
        (TriggerKind::UnpaidBalance, Thresholds::UnpaidBalance { steps }) => {
            let Some(first) = c.first_sent_at else {
                return Vec::new();
            };
            let last = c.last_step.and_then(|l| usize::try_from(l).ok());
            let Some(step) = due_step(*steps, now - first, last) else {
                return Vec::new();
            };
            let valid = c.link.is_some() && c.expires_at.is_none_or(|e| e > now);
            let amount = b.money(c.amount.unwrap_or(0));
            let link = c.link.clone().unwrap_or_default();
            let key = [
                Key::AutoUnpaidGentle,
                Key::AutoUnpaidFirm,
                Key::AutoUnpaidFinal,
            ][step];
            // A link to renew is not known yet: `{link}` stays for the
            // payment job to fill in once the provider answers.
            let mut args = vec![
                ("name", name.as_str()),
                ("ref", order_ref.as_str()),
                ("amount", amount.as_str()),
            ];
            if valid {
                args.push(("link", link.as_str()));
            }
            let body = say(key, &args);
            let mut out = for_customer(STEPS[step], body, vec![order_ref.clone(), amount, link]);
            for p in &mut out {
                p.payment = Some((PaymentId(c.target_id), !valid));
            }
            out
        }
        (TriggerKind::DeadlineRisk, _) => {
            let deadline = c
                .deadline
                .map(|d| d.with_timezone(&b.tz).format("%d/%m %H:%M").to_string())
                .unwrap_or_default();
            let customer_name = c.customer_name.clone().unwrap_or_default();
            let body = say(
                Key::AutoDeadline,
                &[
                    ("ref", &order_ref),
                    ("customer", &customer_name),
                    ("deadline", &deadline),
                    ("stage", c.stage.as_deref().unwrap_or("")),
                ],
            );
            for_staff(b.tell(c.assigned_to), body)
        }
        (TriggerKind::Birthday, Thresholds::Birthday { days }) => {
            let on = b.today(now) + Duration::days(*days);
            let same_day = c.birthday.is_some_and(|bd| {
                chrono::Datelike::month(&bd) == chrono::Datelike::month(&on)
                    && chrono::Datelike::day(&bd) == chrono::Datelike::day(&on)
            });
            if !same_day {
                return Vec::new();
            }
            for_customer(
                "",
                say(
                    Key::AutoBirthday,
                    &[("name", &name), ("business", business)],
                ),
                vec![name.clone(), business.to_string()],
            )
        }
        (TriggerKind::RepeatCustomer, _) => {
            let Some(suggestion) = c.customer_id.and_then(|id| suggestions.get(&id)) else {
                return Vec::new();
            };
            for_customer(
                "",
                say(
                    Key::AutoRepeat,
                    &[
                        ("name", &name),
                        ("suggestion", suggestion),
                        ("business", business),
                    ],
                ),
                vec![name.clone(), suggestion.clone(), business.to_string()],
            )
        }
        (TriggerKind::LowStock, _) => {
            let body = say(
                Key::AutoLowStock,
                &[
                    ("product", c.product.as_deref().unwrap_or("")),
                    ("available", &c.available.unwrap_or(0).to_string()),
                    ("threshold", &c.threshold.unwrap_or(0).to_string()),
                ],
            );
            for_staff(b.owners(), body)
        }
        (TriggerKind::DailySummary, _) => {
            let Some(f) = figures.get(&b.tenant.id) else {
                return Vec::new();
            };
            let date = b.today(now).format("%d/%m/%Y").to_string();
            let body = say(
                Key::AutoDailySummary,
                &[
                    ("business", business),
                    ("date", &date),
                    ("orders", &f.orders.to_string()),
                    ("due", &f.due.to_string()),
                    ("unpaid", &b.money(f.unpaid)),
                    ("unpaid_count", &f.unpaid_count.to_string()),
                    ("sales", &b.money(f.sales)),
                ],
            );
            for_staff(b.owners(), body)
        }
        (TriggerKind::ScheduledMessage, _) => {
            for_customer("", c.body.clone().unwrap_or_default(), Vec::new())
        }
        _ => Vec::new(),
    }
}

/// Plans written per transaction: each business's lines and messages
/// commit together, several businesses to a commit.
const PLANS_PER_COMMIT: usize = 500;

/// Writes the ledger and queues the messages. A business's plans are never
/// split across transactions; transactions take the businesses in the same
/// order in every replica, so two replicas at once wait for each other, never
/// deadlock.
async fn apply(
    svc: &Services,
    run_id: Uuid,
    now: DateTime<Utc>,
    plans: Vec<Plan>,
    report: &mut CycleReport,
) -> Result<(), ServiceError> {
    let mut start = 0;
    let mut tx = svc.db.begin().await?;
    let mut in_tx = 0;
    while start < plans.len() {
        let tenant = plans[start].tenant;
        let end = plans[start..]
            .iter()
            .position(|p| p.tenant != tenant)
            .map_or(plans.len(), |i| start + i);
        apply_business(svc, &mut tx, run_id, now, &plans[start..end], report).await?;
        in_tx += end - start;
        start = end;
        if in_tx >= PLANS_PER_COMMIT && start < plans.len() {
            tx.commit().await?;
            tx = svc.db.begin().await?;
            in_tx = 0;
        }
    }
    tx.commit().await?;
    Ok(())
}

async fn apply_business(
    svc: &Services,
    tx: &mut store::Tx,
    run_id: Uuid,
    now: DateTime<Utc>,
    plans: &[Plan],
    report: &mut CycleReport,
) -> Result<(), ServiceError> {
    let tenant = plans[0].tenant;
    let mut rows = 0u64;
    let (mut sent, mut skipped, mut deferred) = (0u64, 0u64, 0u64);
    // (ledger id, plan) of the sends this cycle owns.
    let mut sends: Vec<(Uuid, &Plan)> = Vec::new();
    for p in plans {
        let (outcome, reason, until) = match p.decision {
            Decision::Text | Decision::Template => ("sent", None, None),
            Decision::Skip(s) => ("skipped", Some(s.as_str()), None),
            Decision::Defer(u) => ("deferred", None, Some(u)),
        };
        let entry = store::automation::Entry {
            tenant,
            trigger_id: p.trigger,
            run_id: Some(run_id),
            kind: p.kind.as_str(),
            target_id: p.target,
            step: &p.step,
            day: p.day,
            customer_id: p.customer.as_ref().map(|c| c.id.0),
            order_id: p.order.map(|o| o.0),
            outcome,
            reason,
            until,
            body: Some(&p.body),
        };
        let Some(id) = store::automation::claim(&mut *tx, &entry, now).await? else {
            continue;
        };
        rows += 1;
        match p.decision {
            Decision::Text | Decision::Template => sends.push((id, p)),
            Decision::Skip(s) => {
                skipped += 1;
                if p.kind == TriggerKind::ScheduledMessage {
                    store::automation::close_scheduled(
                        &mut *tx,
                        tenant,
                        p.target,
                        "skipped",
                        Some(s.as_str()),
                        None,
                        now,
                    )
                    .await?;
                    rows += 1;
                }
            }
            Decision::Defer(_) => deferred += 1,
        }
    }
    // Renewals ask the provider again (the new link follows as a reminder);
    // the rest are queued in one batch.
    let mut notes = Vec::new();
    let mut owners = Vec::new();
    for (id, p) in &sends {
        if let Some((payment, true)) = p.payment {
            let pay = store::payments::get(&mut *tx, tenant, payment).await?;
            crate::pay::renew_in(svc, &mut *tx, tenant, &pay, Some(p.body.clone()))
                .await
                .map_err(|e| ServiceError::Internal(e.to_string()))?;
            store::automation::settle(&mut *tx, *id, None, None).await?;
            rows += 3;
            sent += 1;
            continue;
        }
        let to = match &p.to {
            Recipient::Customer(c) => To::Customer(c),
            Recipient::Staff { phone, .. } => To::Staff(phone),
        };
        let mut note = Note::text(
            tenant,
            to,
            p.purpose,
            p.lang,
            p.body.clone(),
            p.params.clone(),
        );
        note.order = p.order;
        // Nobody waits for a cycle's messages: never in front of a reply.
        note.bulk = true;
        notes.push(note);
        owners.push((*id, *p));
    }
    let results = outbound::send_many(&mut *tx, tenant, &notes).await?;
    for ((id, p), r) in owners.into_iter().zip(results) {
        match r {
            Ok(message) => {
                store::automation::settle(&mut *tx, id, Some(message.0), None).await?;
                rows += 3;
                sent += 1;
                if let Some((payment, false)) = p.payment {
                    store::payments::count_reminder(&mut *tx, tenant, payment, now).await?;
                    rows += 1;
                }
                if p.kind == TriggerKind::ScheduledMessage {
                    store::automation::close_scheduled(
                        &mut *tx,
                        tenant,
                        p.target,
                        "sent",
                        None,
                        Some(message.0),
                        now,
                    )
                    .await?;
                    rows += 1;
                }
            }
            Err(e) => {
                let reason = match e {
                    OutboundError::OptedOut => Skip::OptedOut.as_str(),
                    OutboundError::NoWhatsapp => Skip::NoRecipient.as_str(),
                    OutboundError::NoNumber => Skip::NoNumber.as_str(),
                    OutboundError::Invalid(..) => "invalid_message",
                    OutboundError::Store(e) => return Err(e.into()),
                };
                tracing::warn!(
                    kind = p.kind.as_str(),
                    reason,
                    "automated message refused: {e}"
                );
                store::automation::settle(&mut *tx, id, None, Some(reason)).await?;
                rows += 1;
                skipped += 1;
            }
        }
    }
    report.sent += sent;
    report.skipped += skipped;
    report.deferred += deferred;
    report.rows_written += rows;
    Ok(())
}

/// Ledger lines and runs, for the API.
pub async fn runs(
    svc: &Services,
    tenant: TenantId,
    limit: i64,
) -> Result<Vec<(store::automation::Run, Vec<store::automation::Outcome>)>, ServiceError> {
    let runs = store::automation::runs(&svc.db, tenant, limit).await?;
    let ids: Vec<Uuid> = runs.iter().map(|r| r.id).collect();
    let mut lines: HashMap<Uuid, Vec<store::automation::Outcome>> = HashMap::new();
    if !ids.is_empty() {
        for o in store::automation::outcomes(&svc.db, tenant, &ids, 1000).await? {
            if let Some(r) = o.run_id {
                lines.entry(r).or_default().push(o);
            }
        }
    }
    Ok(runs
        .into_iter()
        .map(|r| {
            let l = lines.remove(&r.id).unwrap_or_default();
            (r, l)
        })
        .collect())
}
