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
use domain::{CustomerId, E164, Money, OrderId, ProductId, TenantId, UserId, WaMessageId};
use nlu::{Command, CommandParse, OrderFilter, ProductMatch, StockChange};
use std::sync::Arc;
use store::jobs::Claimed;
use store::orders::Order;
use store::products::{Product, ProductPatch};
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
        let parsed = match j.text.as_str() {
            crate::notify::STAFF_YES | crate::notify::STAFF_NO => None,
            text => Some(nlu::parse_command(text)),
        };
        let lang = match &parsed {
            Some(CommandParse::Command {
                language: Some(l), ..
            }) => l.as_str(),
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
            by: j.user_id,
            text: &j.text,
        };
        let answered = match parsed {
            Some(parsed) => cx.answer(parsed, user.role).await,
            None => cx
                .confirm(j.text == crate::notify::STAFF_YES, user.role)
                .await
                .map(Reply::Text),
        };
        let reply = answered.map_err(|e| JobError::Retry(e.to_string()))?;
        let (yes, no) = (cx.say(Key::CmdYesCancel, &[]), cx.say(Key::CmdNoKeep, &[]));
        let msg = match &reply {
            Reply::Text(text) => Msg::StaffReply { text },
            Reply::Ask(text) => Msg::StaffAsk {
                text,
                yes: &yes,
                no: &no,
            },
        };
        let phone = E164::parse(&j.phone, &tenant.country)
            .map_err(|e| JobError::Fatal(format!("staff phone: {e}")))?;
        let mut tx = svc.db.begin().await.map_err(retry)?;
        crate::notify::to_outbox((&mut tx).into(), Some(j.tenant_id), &phone, lang, &msg)
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
    /// Who runs the command, and what they wrote.
    by: UserId,
    text: &'a str,
}

/// The answer: text, or a question with a yes and a no button.
enum Reply {
    Text(String),
    Ask(String),
}

/// How long `undo` can take a command back.
const UNDO_FOR: chrono::Duration = chrono::Duration::minutes(1);
/// How long a question (cancel this order?) waits for its yes.
const ASK_FOR: chrono::Duration = chrono::Duration::minutes(10);

/// What `undo` does to take the last command back: only what is safe to
/// change back (nobody was told about it).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "undo", rename_all = "snake_case")]
enum Undo {
    /// Change the count by `delta` again.
    Stock { product: ProductId, delta: i64 },
    /// Put the product back on (or off) the menu.
    Menu { product: ProductId, available: bool },
    /// Close today again (`close`), or open it again.
    Day { close: bool },
    /// The bot's pause for the customer, as it was.
    Bot {
        customer: CustomerId,
        paused_until: Option<DateTime<Utc>>,
    },
}

/// A destructive command waiting for a yes.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "ask", rename_all = "snake_case")]
enum Pending {
    Cancel { order: OrderId, order_ref: String },
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
    /// The rules the chat knows by name are said in the staff member's
    /// language; the rest in the service's own words.
    fn refused(&self, e: &ServiceError) -> String {
        let known = match e {
            ServiceError::Conflict { code, .. } => match *code {
                "deposit_due" => Some(Key::CmdWhyDepositDue),
                "balance_due" => Some(Key::CmdWhyBalanceDue),
                "pickup_order" => Some(Key::CmdWhyPickup),
                "invalid_transition" | "invalid_stage" => Some(Key::CmdWhyTransition),
                "stage_changed" => Some(Key::CmdWhyChanged),
                "already_paid" => Some(Key::CmdWhyAlreadyPaid),
                _ => None,
            },
            _ => None,
        };
        let reason = known.map_or_else(|| e.to_string(), |k| self.say(k, &[]));
        self.say(Key::CmdRefused, &[("reason", &reason)])
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

    async fn answer(&self, parsed: CommandParse, role: Role) -> Result<Reply, ServiceError> {
        let command = match parsed {
            CommandParse::Command { command, .. } => command,
            CommandParse::Unknown { suggestions } => {
                return Ok(Reply::Text(self.say(
                    Key::CmdUnknown,
                    &[("suggestions", &suggestions.join(", "))],
                )));
            }
            CommandParse::NotACommand => return Ok(Reply::Text(self.help(role))),
        };
        let (db, tenant, by) = (&self.svc.db, self.tenant.id, self.by);
        let session = store::staff::session(db, tenant, by).await?;
        // A new command drops a question still waiting: a "yes" written
        // later must not answer it.
        if session.pending.is_some() {
            store::staff::set_pending(db, tenant, by, None).await?;
        }
        if command.writes() && role == Role::Viewer {
            return Ok(Reply::Text(self.say(Key::CmdViewerOnly, &[])));
        }
        let undoable = matches!(
            command,
            Command::Stock { .. }
                | Command::Snooze { .. }
                | Command::Unsnooze { .. }
                | Command::Open
                | Command::Close
                | Command::PauseBot { .. }
                | Command::ResumeBot { .. }
                | Command::Undo
        );
        // Any other change ends what `undo` could take back: it would undo
        // something older than the last thing done.
        if command.writes() && !undoable && session.undo.is_some() {
            store::staff::set_undo(db, tenant, by, None).await?;
        }
        match command {
            Command::Cancel { order_ref } => self.ask_cancel(&order_ref).await,
            other => self.run(other, role).await.map(Reply::Text),
        }
    }

    async fn run(&self, command: Command, role: Role) -> Result<String, ServiceError> {
        let svc = self.svc;
        let tenant = self.tenant.id;
        let by = self.by;
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
                let kind = crate::payments::next_kind(o.amount_paid, o.deposit_amount);
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
                    let until =
                        crate::inbox::pause_bot(&svc.db, tenant, c.id, svc.clock.now()).await?;
                    self.keep_undo(Undo::Bot {
                        customer: c.id,
                        paused_until: c.bot_paused_until,
                    })
                    .await?;
                    self.with_undo(self.say(
                        Key::CmdPaused,
                        &[
                            ("name", c.name.as_deref().unwrap_or("")),
                            ("until", &self.when(Some(until))),
                        ],
                    ))
                }
            }),
            Command::ResumeBot { phone } => Ok(match self.customer(&phone).await? {
                Err(missing) => missing,
                Ok(c) => {
                    store::chat::set_paused_until(&svc.db, tenant, c.id, None).await?;
                    self.keep_undo(Undo::Bot {
                        customer: c.id,
                        paused_until: c.bot_paused_until,
                    })
                    .await?;
                    self.with_undo(self.say(
                        Key::CmdResumed,
                        &[("name", c.name.as_deref().unwrap_or(""))],
                    ))
                }
            }),
            Command::Stock { product, change } => Ok(match self.product(&product).await? {
                Err(missing) => missing,
                Ok(p) => self.stock(p, change).await?,
            }),
            Command::Snooze { product } => Ok(match self.product(&product).await? {
                Err(missing) => missing,
                Ok(p) => self.menu(p, false).await?,
            }),
            Command::Unsnooze { product } => Ok(match self.product(&product).await? {
                Err(missing) => missing,
                Ok(p) => self.menu(p, true).await?,
            }),
            Command::Close | Command::Open => {
                let close = matches!(command, Command::Close);
                self.day(close).await
            }
            Command::Done => self.done().await,
            Command::Undo => self.undo().await,
            // Asked first, in `answer`.
            Command::Cancel { .. } => Ok(self.help(role)),
        }
    }

    /// Keeps what takes the command just run back, for a minute.
    async fn keep_undo(&self, undo: Undo) -> Result<(), ServiceError> {
        let value =
            serde_json::to_value(&undo).map_err(|e| ServiceError::Internal(e.to_string()))?;
        let until = self.svc.clock.now() + UNDO_FOR;
        store::staff::set_undo(&self.svc.db, self.tenant.id, self.by, Some((&value, until)))
            .await?;
        Ok(())
    }

    /// A confirmation with the hint that `undo` takes it back.
    fn with_undo(&self, text: String) -> String {
        format!("{text}\n{}", self.say(Key::CmdUndoHint, &[]))
    }

    /// The product the staff member named, or what to say instead.
    async fn product(&self, typed: &str) -> Result<Result<Product, String>, ServiceError> {
        let all = store::products::list(
            &self.svc.db,
            self.tenant.id,
            &store::products::ProductFilter::default(),
        )
        .await?;
        let names: Vec<Vec<&str>> = all
            .iter()
            .map(|p| {
                std::iter::once(p.name.as_str())
                    .chain(p.aliases.iter().map(String::as_str))
                    .chain(std::iter::once(p.sku.as_str()))
                    .collect()
            })
            .collect();
        Ok(match nlu::find_product(typed, &names) {
            ProductMatch::One(i) => Ok(all[i].clone()),
            ProductMatch::Several(is) => {
                let options: Vec<&str> = is.iter().map(|&i| all[i].name.as_str()).collect();
                Err(self.say(
                    Key::CmdWhichProduct,
                    &[("product", typed), ("options", &options.join(", "))],
                ))
            }
            ProductMatch::None => Err(self.say(Key::CmdNoProduct, &[("product", typed)])),
        })
    }

    fn stock_line(&self, p: &Product) -> String {
        self.say(
            Key::CmdStock,
            &[
                ("product", &p.name),
                ("on_hand", &p.stock_on_hand.to_string()),
                ("available", &p.saleable.unwrap_or(0).to_string()),
            ],
        )
    }

    /// Changes the count: arrivals are receipts, the rest adjustments with
    /// the command as the reason. "Out of stock" leaves nothing to sell
    /// (what open orders hold stays); on a product that counts no stock it
    /// takes it off the menu instead.
    async fn stock(&self, p: Product, change: StockChange) -> Result<String, ServiceError> {
        if !p.track_stock {
            return match change {
                StockChange::Out => self.menu(p, false).await,
                _ => Ok(self.say(Key::CmdStockUntracked, &[("product", &p.name)])),
            };
        }
        let delta = match change {
            StockChange::Add(n) => i64::from(n),
            StockChange::Remove(n) => -i64::from(n),
            StockChange::Set(n) => i64::from(n) - p.stock_on_hand,
            StockChange::Out => p.reserved - p.stock_on_hand,
        };
        if delta == 0 {
            return Ok(self.say(
                Key::CmdStockSame,
                &[
                    ("product", &p.name),
                    ("on_hand", &p.stock_on_hand.to_string()),
                ],
            ));
        }
        let movement = match change {
            StockChange::Add(n) => crate::catalog::Movement::Receipt {
                quantity: i64::from(n),
                reason: Some(self.text.to_string()),
            },
            _ => crate::catalog::Movement::Adjustment {
                delta,
                reason: self.text.to_string(),
            },
        };
        Ok(match self.move_stock(p.id, &movement).await? {
            Err(refused) => refused,
            Ok(after) => {
                self.keep_undo(Undo::Stock {
                    product: p.id,
                    delta: -delta,
                })
                .await?;
                self.with_undo(self.stock_line(&after))
            }
        })
    }

    async fn move_stock(
        &self,
        product: ProductId,
        m: &crate::catalog::Movement,
    ) -> Result<Result<Product, String>, ServiceError> {
        match crate::catalog::record(&self.svc.db, self.tenant.id, product, m, Some(self.by)).await
        {
            Ok((_, after)) => Ok(Ok(after)),
            Err(e @ ServiceError::Invalid { .. }) => Ok(Err(self.refused(&e))),
            Err(e) => Err(e),
        }
    }

    /// Puts a product on the menu or takes it off ("snooze").
    async fn menu(&self, p: Product, available: bool) -> Result<String, ServiceError> {
        if p.is_available != available {
            let patch = ProductPatch {
                is_available: Some(available),
                ..ProductPatch::default()
            };
            store::products::update(&self.svc.db, self.tenant.id, p.id, &patch).await?;
            self.keep_undo(Undo::Menu {
                product: p.id,
                available: p.is_available,
            })
            .await?;
        }
        let key = if available {
            Key::CmdUnsnoozed
        } else {
            Key::CmdSnoozed
        };
        let text = self.say(key, &[("product", &p.name)]);
        Ok(if p.is_available != available {
            self.with_undo(text)
        } else {
            text
        })
    }

    fn date(&self, d: chrono::NaiveDate) -> String {
        d.format("%d/%m").to_string()
    }

    /// Closes for the rest of today, or opens today again.
    async fn day(&self, close: bool) -> Result<String, ServiceError> {
        let (svc, tenant) = (self.svc, self.tenant.id);
        let change = if close {
            crate::hours::close_today(svc, tenant).await?
        } else {
            crate::hours::reopen_today(svc, tenant).await?
        };
        let date = self.date(change.date);
        if !change.changed {
            let key = if close {
                Key::CmdAlreadyClosed
            } else {
                Key::CmdNotClosed
            };
            return Ok(self.say(key, &[("date", &date)]));
        }
        self.keep_undo(Undo::Day { close: !close }).await?;
        if !close {
            return Ok(self.with_undo(self.say(Key::CmdOpened, &[("date", &date)])));
        }
        let hours = store::business::get(&svc.db, tenant).await?.hours;
        let next = match hours.availability(svc.clock.now(), self.tenant.tz()) {
            domain::hours::Availability::Closed {
                next_open: Some(at),
            } => self.when(Some(at)),
            _ => self.say(Key::CmdNextOpenUnknown, &[]),
        };
        Ok(self.with_undo(self.say(Key::CmdClosedToday, &[("date", &date), ("next", &next)])))
    }

    /// Hands the customer this staff member answers back to the bot.
    async fn done(&self) -> Result<String, ServiceError> {
        let session = store::staff::session(&self.svc.db, self.tenant.id, self.by).await?;
        let Some(customer) = session.replying_to else {
            return Ok(self.say(Key::CmdDoneNobody, &[]));
        };
        crate::inbox::hand_back(
            &self.svc.db,
            self.tenant.id,
            customer,
            self.by,
            self.svc.clock.now(),
        )
        .await?;
        let c = store::customers::get(&self.svc.db, self.tenant.id, customer).await?;
        Ok(self.say(Key::CmdDone, &[("name", &crate::inbox::display_name(&c))]))
    }

    /// Takes the last command back, within the minute.
    async fn undo(&self) -> Result<String, ServiceError> {
        let (svc, tenant) = (self.svc, self.tenant.id);
        let taken = store::staff::take_undo(&svc.db, tenant, self.by).await?;
        let Some((value, _)) = taken.filter(|(_, until)| *until > svc.clock.now()) else {
            return Ok(self.say(Key::CmdNothingToUndo, &[]));
        };
        let Ok(undo) = serde_json::from_value::<Undo>(value) else {
            return Ok(self.say(Key::CmdNothingToUndo, &[]));
        };
        let now_text = match undo {
            Undo::Stock { product, delta } => {
                let m = crate::catalog::Movement::Adjustment {
                    delta,
                    reason: self.text.to_string(),
                };
                match self.move_stock(product, &m).await? {
                    Ok(after) => self.stock_line(&after),
                    Err(refused) => return Ok(refused),
                }
            }
            Undo::Menu { product, available } => {
                let patch = ProductPatch {
                    is_available: Some(available),
                    ..ProductPatch::default()
                };
                let p = store::products::update(&svc.db, tenant, product, &patch).await?;
                let key = if available {
                    Key::CmdUnsnoozed
                } else {
                    Key::CmdSnoozed
                };
                self.say(key, &[("product", &p.name)])
            }
            Undo::Day { close } => {
                let change = if close {
                    crate::hours::close_today(svc, tenant).await?
                } else {
                    crate::hours::reopen_today(svc, tenant).await?
                };
                let key = if close {
                    Key::CmdAlreadyClosed
                } else {
                    Key::CmdOpened
                };
                self.say(key, &[("date", &self.date(change.date))])
            }
            Undo::Bot {
                customer,
                paused_until,
            } => {
                store::chat::set_paused_until(&svc.db, tenant, customer, paused_until).await?;
                let c = store::customers::get(&svc.db, tenant, customer).await?;
                let name = crate::inbox::display_name(&c);
                match paused_until.filter(|u| *u > svc.clock.now()) {
                    Some(u) => self.say(
                        Key::CmdPaused,
                        &[("name", &name), ("until", &self.when(Some(u)))],
                    ),
                    None => self.say(Key::CmdResumed, &[("name", &name)]),
                }
            }
        };
        Ok(self.say(Key::CmdUndone, &[("now", &now_text)]))
    }

    /// Asks before cancelling an order, with buttons.
    async fn ask_cancel(&self, r: &nlu::OrderRef) -> Result<Reply, ServiceError> {
        let o = match self.order(r).await? {
            Ok(o) => o,
            Err(missing) => return Ok(Reply::Text(missing)),
        };
        let pending = Pending::Cancel {
            order: o.id,
            order_ref: o.order_ref.clone(),
        };
        let value =
            serde_json::to_value(&pending).map_err(|e| ServiceError::Internal(e.to_string()))?;
        let until = self.svc.clock.now() + ASK_FOR;
        store::staff::set_pending(&self.svc.db, self.tenant.id, self.by, Some((&value, until)))
            .await?;
        Ok(Reply::Ask(self.say(
            Key::CmdCancelAsk,
            &[
                ("ref", &o.order_ref),
                ("customer", o.customer_name.as_deref().unwrap_or("")),
            ],
        )))
    }

    /// The yes (or no) to the question waiting.
    async fn confirm(&self, yes: bool, role: Role) -> Result<String, ServiceError> {
        let (svc, tenant) = (self.svc, self.tenant.id);
        let Some((value, until)) = store::staff::take_pending(&svc.db, tenant, self.by).await?
        else {
            return Ok(self.say(Key::CmdNothingToConfirm, &[]));
        };
        let Ok(Pending::Cancel { order, order_ref }) = serde_json::from_value::<Pending>(value)
        else {
            return Ok(self.say(Key::CmdNothingToConfirm, &[]));
        };
        if !yes {
            return Ok(self.say(Key::CmdKept, &[("ref", &order_ref)]));
        }
        if until <= svc.clock.now() {
            return Ok(self.say(Key::CmdConfirmExpired, &[]));
        }
        if role == Role::Viewer {
            return Ok(self.say(Key::CmdViewerOnly, &[]));
        }
        store::staff::set_undo(&svc.db, tenant, self.by, None).await?;
        let change = crate::orders::StageChange {
            to: Stage::Cancelled,
            note: None,
            by: Some(self.by),
            override_deposit: false,
            override_balance: false,
        };
        Ok(
            match crate::orders::change_stage(svc, tenant, order, &change).await {
                Ok(o) => self.say(Key::CmdCancelled, &[("ref", &o.order_ref)]),
                Err(e @ (ServiceError::Conflict { .. } | ServiceError::Invalid { .. })) => {
                    self.refused(&e)
                }
                Err(e) => return Err(e),
            },
        )
    }

    fn help(&self, role: Role) -> String {
        if role == Role::Viewer {
            self.say(Key::CmdHelpViewer, &[])
        } else {
            self.say(Key::CmdHelp, &[])
        }
    }
}
