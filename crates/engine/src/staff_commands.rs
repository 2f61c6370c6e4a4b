//! Staff commands over WhatsApp: a staff member writes to their business's
//! number (`orders today`, `ready SEW-0042`, `paid SEW-0042 15000 cash`,
//! `remind SEW-0042`), the grammar in `nlu::command` reads it, and the
//! `staff_command` job runs it through the same application services as the
//! API (outside the intake's transaction, each with its own), checked
//! against the sender's role as it is now, and answers in their language
//! from the catalog.

use crate::error::ServiceError;
use crate::jobs::{Job, Queue};
use crate::services::Services;
use crate::worker::{JobError, Perform, retry};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use domain::messages::Msg;
use domain::order::Stage;
use domain::tenant::Role;
use domain::text::{Key, Overrides, language_of, render};
use domain::{E164, Money, TenantId, UserId, WaMessageId};
use nlu::{Command, CommandParse, OrderFilter};
use std::sync::Arc;
use store::jobs::Claimed;
use store::orders::Order;
use store::tenants::Tenant;

/// Runs one staff command (the message's text, parsed again: the grammar
/// is pure).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct StaffCommand {
    pub tenant_id: TenantId,
    pub message_id: WaMessageId,
    pub user_id: UserId,
    /// The staff member's phone (E.164), where the answer goes.
    pub phone: String,
    pub text: String,
}

impl Job for StaffCommand {
    const KIND: &'static str = "staff_command";
    const QUEUE: Queue = Queue::Inbound;
    fn tenant(&self) -> Option<TenantId> {
        Some(self.tenant_id)
    }
    fn dedup_key(&self) -> Option<String> {
        Some(format!("staff_command:{}", self.message_id))
    }
}

/// Whether a staff member's text is for the command runner (anything that
/// reads as a command, or nearly does); plain sentences get the help text.
pub fn is_command(text: &str) -> bool {
    !matches!(nlu::parse_command(text), CommandParse::NotACommand)
}

/// The `staff_command` job.
pub struct RunStaffCommand(pub Arc<Services>);

#[async_trait]
impl Perform<StaffCommand> for RunStaffCommand {
    async fn perform(&self, j: StaffCommand, _job: &Claimed) -> Result<(), JobError> {
        let svc = &self.0;
        let tenant = store::tenants::get(&svc.db, j.tenant_id)
            .await
            .map_err(retry)?;
        let user = store::users::get(&svc.db, j.tenant_id, j.user_id)
            .await
            .map_err(retry)?;
        if !user.is_active {
            return Ok(());
        }
        let parsed = nlu::parse_command(&j.text);
        let lang = match &parsed {
            CommandParse::Command {
                language: Some(l), ..
            } => l.as_str(),
            _ => language_of(&tenant.locale.to_string()),
        };
        let cx = Cx {
            svc,
            tenant: &tenant,
            lang,
            texts: store::business::get(&svc.db, j.tenant_id)
                .await
                .map_err(retry)?
                .texts,
        };
        let reply = cx
            .answer(parsed, user.role, j.user_id)
            .await
            .map_err(|e| JobError::Retry(e.to_string()))?;
        let phone = E164::parse(&j.phone, &tenant.country)
            .map_err(|e| JobError::Fatal(format!("staff phone: {e}")))?;
        let mut tx = svc.db.begin().await.map_err(retry)?;
        crate::notify::to_outbox(
            (&mut tx).into(),
            Some(j.tenant_id),
            &phone,
            lang,
            &Msg::StaffReply { text: &reply },
        )
        .await
        .map_err(|e| JobError::Retry(e.to_string()))?;
        tx.commit().await.map_err(retry)?;
        svc.wake_outbound();
        Ok(())
    }
}

struct Cx<'a> {
    svc: &'a Services,
    tenant: &'a Tenant,
    lang: &'static str,
    texts: Overrides,
}

impl Cx<'_> {
    fn say(&self, key: Key, args: &[(&str, &str)]) -> String {
        render(self.lang, key, args, &self.texts)
    }

    fn money(&self, minor: i64) -> String {
        Money::new(minor, self.tenant.currency).display(&self.tenant.locale.to_string())
    }

    fn when(&self, t: Option<DateTime<Utc>>) -> String {
        match t {
            Some(t) => t
                .with_timezone(&self.tenant.tz())
                .format("%d/%m %H:%M")
                .to_string(),
            None => self.say(Key::CmdNoDeadline, &[]),
        }
    }

    fn stage(&self, s: Stage) -> String {
        s.as_str().replace('_', " ")
    }

    fn line(&self, o: &Order) -> String {
        self.say(
            Key::CmdOrderLine,
            &[
                ("ref", &o.order_ref),
                ("customer", o.customer_name.as_deref().unwrap_or("")),
                ("stage", &self.stage(o.current_stage)),
                ("deadline", &self.when(o.deadline)),
                ("balance", &self.money(o.balance_due)),
            ],
        )
    }

    fn list(&self, title: Key, lines: Vec<String>) -> String {
        let title = self.say(title, &[]);
        if lines.is_empty() {
            return self.say(Key::CmdOrderNone, &[("title", &title)]);
        }
        let count = lines.len().to_string();
        let shown: Vec<String> = lines.into_iter().take(20).collect();
        self.say(
            Key::CmdOrderList,
            &[
                ("title", &title),
                ("count", &count),
                ("lines", &shown.join("\n")),
            ],
        )
    }

    /// The service's refusal in words: its message names what to do.
    fn refused(&self, e: &ServiceError) -> String {
        self.say(Key::CmdRefused, &[("reason", &e.to_string())])
    }

    async fn order(&self, r: &nlu::OrderRef) -> Result<Result<Order, String>, ServiceError> {
        let wanted = r.resolve(&self.tenant.order_prefix);
        Ok(
            match store::orders::by_ref(&self.svc.db, self.tenant.id, &wanted).await? {
                Some(o) => Ok(o),
                None => Err(self.say(Key::CmdNoOrder, &[("ref", &wanted)])),
            },
        )
    }

    /// The business's customer with this phone, as typed (local or +).
    async fn customer(
        &self,
        phone: &str,
    ) -> Result<Result<store::customers::Customer, String>, ServiceError> {
        let missing = || self.say(Key::CmdNoCustomer, &[("phone", phone)]);
        let Ok(e164) = E164::parse(phone, &self.tenant.country) else {
            return Ok(Err(missing()));
        };
        Ok(
            match store::customers::find_by_phone(&self.svc.db, self.tenant.id, e164.as_str())
                .await?
            {
                Some(c) => Ok(c),
                None => Err(missing()),
            },
        )
    }

    async fn answer(
        &self,
        parsed: CommandParse,
        role: Role,
        by: UserId,
    ) -> Result<String, ServiceError> {
        let command = match parsed {
            CommandParse::Command { command, .. } => command,
            CommandParse::Unknown { suggestions } => {
                return Ok(self.say(Key::CmdUnknown, &[("suggestions", &suggestions.join(", "))]));
            }
            CommandParse::NotACommand => return Ok(self.help(role)),
        };
        if command.writes() && role == Role::Viewer {
            return Ok(self.say(Key::CmdViewerOnly, &[]));
        }
        let svc = self.svc;
        let tenant = self.tenant.id;
        match command {
            Command::Help => Ok(self.help(role)),
            Command::Orders { filter } => {
                let (title, orders) = match filter {
                    OrderFilter::Today => (
                        Key::CmdOrdersToday,
                        crate::orders::due_today(svc, tenant).await?,
                    ),
                    OrderFilter::Urgent => (
                        Key::CmdOrdersUrgent,
                        crate::orders::urgent(svc, tenant).await?,
                    ),
                    OrderFilter::Unpaid => {
                        let debts = crate::payments::unpaid(svc, tenant).await?;
                        let lines = debts
                            .iter()
                            .map(|d| {
                                self.say(
                                    Key::CmdOrderLine,
                                    &[
                                        ("ref", &d.order_ref),
                                        ("customer", d.customer_name.as_deref().unwrap_or("")),
                                        ("stage", &d.current_stage.replace('_', " ")),
                                        ("deadline", &self.when(d.deadline)),
                                        ("balance", &self.money(d.balance_due)),
                                    ],
                                )
                            })
                            .collect();
                        return Ok(self.list(Key::CmdOrdersUnpaid, lines));
                    }
                };
                Ok(self.list(title, orders.iter().map(|o| self.line(o)).collect()))
            }
            Command::Order { order_ref } => Ok(match self.order(&order_ref).await? {
                Err(missing) => missing,
                Ok(o) => self.say(
                    Key::CmdOrderDetail,
                    &[
                        ("ref", &o.order_ref),
                        ("customer", o.customer_name.as_deref().unwrap_or("")),
                        ("what", o.style_name.as_deref().unwrap_or("")),
                        ("stage", &self.stage(o.current_stage)),
                        ("deadline", &self.when(o.deadline)),
                        ("price", &self.money(o.price)),
                        ("paid", &self.money(o.amount_paid)),
                        ("balance", &self.money(o.balance_due)),
                    ],
                ),
            }),
            Command::SetStage { order_ref, stage } => {
                let o = match self.order(&order_ref).await? {
                    Ok(o) => o,
                    Err(missing) => return Ok(missing),
                };
                let Ok(to) = stage.as_str().parse::<Stage>() else {
                    return Ok(self.help(role));
                };
                let change = crate::orders::StageChange {
                    to,
                    note: None,
                    by: Some(by),
                    override_deposit: false,
                    override_balance: false,
                };
                Ok(
                    match crate::orders::change_stage(svc, tenant, o.id, &change).await {
                        Ok(moved) => self.say(
                            Key::CmdStageMoved,
                            &[
                                ("ref", &moved.order_ref),
                                ("stage", &self.stage(moved.current_stage)),
                            ],
                        ),
                        Err(e @ (ServiceError::Conflict { .. } | ServiceError::Invalid { .. })) => {
                            self.refused(&e)
                        }
                        Err(e) => return Err(e),
                    },
                )
            }
            Command::Paid {
                order_ref,
                amount,
                method,
            } => {
                let o = match self.order(&order_ref).await? {
                    Ok(o) => o,
                    Err(missing) => return Ok(missing),
                };
                let (method, method_key) = match method {
                    Some(nlu::PaymentMethod::Transfer) => {
                        (crate::payments::Method::Transfer, Key::CmdMethodTransfer)
                    }
                    _ => (crate::payments::Method::Cash, Key::CmdMethodCash),
                };
                let minor = amount.saturating_mul(10i64.pow(self.tenant.currency.minor_digits()));
                let kind = if o.amount_paid < o.deposit_amount {
                    crate::payments::Kind::Deposit
                } else {
                    crate::payments::Kind::Balance
                };
                let m = crate::payments::ManualPayment {
                    order: o.id,
                    amount: minor,
                    method,
                    kind,
                    by,
                };
                Ok(
                    match crate::payments::record_manual(svc, tenant, &m).await {
                        Ok(_) => {
                            let after = store::orders::get(&svc.db, tenant, o.id).await?;
                            self.say(
                                Key::CmdPaid,
                                &[
                                    ("amount", &self.money(minor)),
                                    ("method", &self.say(method_key, &[])),
                                    ("ref", &after.order_ref),
                                    ("balance", &self.money(after.balance_due)),
                                ],
                            )
                        }
                        Err(e @ (ServiceError::Conflict { .. } | ServiceError::Invalid { .. })) => {
                            self.refused(&e)
                        }
                        Err(e) => return Err(e),
                    },
                )
            }
            Command::Remind { order_ref } => {
                let o = match self.order(&order_ref).await? {
                    Ok(o) => o,
                    Err(missing) => return Ok(missing),
                };
                let open = store::payments::for_order(&svc.db, tenant, o.id)
                    .await?
                    .into_iter()
                    .find(|p| p.status == domain::payment::PaymentStatus::Pending);
                let Some(p) = open else {
                    return Ok(self.say(Key::CmdNothingToRemind, &[("ref", &o.order_ref)]));
                };
                Ok(match crate::payments::remind(svc, tenant, p.id).await {
                    Ok(p) => self.say(
                        Key::CmdReminded,
                        &[
                            ("customer", o.customer_name.as_deref().unwrap_or("")),
                            ("ref", &o.order_ref),
                            ("amount", &self.money(p.amount)),
                        ],
                    ),
                    Err(e @ (ServiceError::Conflict { .. } | ServiceError::Invalid { .. })) => {
                        self.refused(&e)
                    }
                    Err(e) => return Err(e),
                })
            }
            Command::Sales { period } => {
                let (p, key) = match period {
                    nlu::Period::Today => {
                        (crate::payments::SalesPeriod::Today, Key::CmdPeriodToday)
                    }
                    nlu::Period::Week => (crate::payments::SalesPeriod::Week, Key::CmdPeriodWeek),
                    nlu::Period::Month => {
                        (crate::payments::SalesPeriod::Month, Key::CmdPeriodMonth)
                    }
                };
                let (count, sum) = crate::payments::sales(svc, tenant, p).await?;
                Ok(self.say(
                    Key::CmdSales,
                    &[
                        ("period", &self.say(key, &[])),
                        ("amount", &self.money(sum)),
                        ("count", &count.to_string()),
                    ],
                ))
            }
            Command::Customer { phone } => Ok(match self.customer(&phone).await? {
                Err(missing) => missing,
                Ok(c) => self.say(
                    Key::CmdCustomer,
                    &[
                        ("name", c.name.as_deref().unwrap_or("")),
                        ("phone", c.phone.as_deref().unwrap_or("")),
                        ("orders", &c.total_orders.to_string()),
                        ("spent", &self.money(c.total_spent)),
                        ("last", &self.when(c.last_order_at)),
                    ],
                ),
            }),
            Command::PauseBot { phone } => Ok(match self.customer(&phone).await? {
                Err(missing) => missing,
                Ok(c) => {
                    let hours = store::business::get(&svc.db, tenant).await?.handoff_hours;
                    let until = svc.clock.now() + chrono::Duration::hours(i64::from(hours));
                    store::chat::set_paused_until(&svc.db, tenant, c.id, Some(until)).await?;
                    self.say(
                        Key::CmdPaused,
                        &[
                            ("name", c.name.as_deref().unwrap_or("")),
                            ("until", &self.when(Some(until))),
                        ],
                    )
                }
            }),
            Command::ResumeBot { phone } => Ok(match self.customer(&phone).await? {
                Err(missing) => missing,
                Ok(c) => {
                    store::chat::set_paused_until(&svc.db, tenant, c.id, None).await?;
                    self.say(
                        Key::CmdResumed,
                        &[("name", c.name.as_deref().unwrap_or(""))],
                    )
                }
            }),
            other => Ok(self.say(Key::CmdNotYet, &[("command", other.name())])),
        }
    }

    fn help(&self, role: Role) -> String {
        if role == Role::Viewer {
            self.say(Key::CmdHelpViewer, &[])
        } else {
            self.say(Key::CmdHelp, &[])
        }
    }
}
