//! One customer's turn in progress, and what every customer flow shares:
//! opting out and back in, handing the conversation to a person (and
//! keeping quiet while a person holds it), order status, cancelling, and
//! counting the messages the bot could not place.

use super::input::{Input, Word};
use super::say::Say;
use super::session::State;
use channels::outbound::OutMessage;
use chrono::{DateTime, Duration, Utc};
use domain::OrderId;
use domain::messages::Attention;
use domain::order::Stage;
use domain::tenant::Vertical;
use domain::text::Key;
use nlu::Intent;
use std::sync::Arc;
use store::Tx;
use store::business::Settings;
use store::customers::Customer;
use store::orders::{Filter, Order, Sort};
use store::products::{Product, ProductFilter};
use store::tenants::Tenant;

/// One turn in progress.
pub(crate) struct Convo<'t> {
    pub tx: &'t mut Tx,
    pub tenant: Tenant,
    pub settings: Settings,
    pub customer: Customer,
    /// A person is answering this customer; the bot keeps quiet.
    pub paused: bool,
    pub now: DateTime<Utc>,
    pub say: Say,
    pub state: State,
    /// Misunderstood messages in a row before this one.
    pub prior_streak: u8,
    /// The available catalog, once a step of this turn needed all of it.
    pub catalog: Option<Arc<Vec<Product>>>,
    pub pay: Option<crate::pay::PaySettings>,
    pub replies: Vec<(OutMessage, Option<OrderId>)>,
}

impl Convo<'_> {
    pub(super) async fn handle(&mut self, input: Input) -> anyhow::Result<()> {
        if self.paused {
            // A person holds the conversation: "hola?", "menu" and the rest
            // are for them (stored, on the staff's inbox). Only opting out
            // or back in is the bot's to answer; the pause ends when it
            // expires or staff resolve the conversation.
            return match &input {
                Input::Word(Word::OptOut) => self.opt_out().await,
                Input::Said(u, _) if u.intent == Intent::OptOut => self.opt_out().await,
                Input::Word(Word::OptIn) => self.opt_in().await,
                _ => Ok(()),
            };
        }
        let restart = input.restarts();
        // Any message the bot can place ends a run of misunderstandings;
        // `miss` counts the ones it cannot.
        self.prior_streak = std::mem::take(&mut self.state.unknown_streak);
        let said_intent = match &input {
            Input::Said(u, _) => Some(u.intent),
            _ => None,
        };
        match (&input, said_intent) {
            (Input::Word(Word::OptOut), _) | (_, Some(Intent::OptOut)) => {
                return self.opt_out().await;
            }
            (Input::Word(Word::OptIn), _) => return self.opt_in().await,
            (Input::Word(Word::Person), _) | (_, Some(Intent::HumanHandoff)) => {
                return self
                    .handoff(Attention::AskedForPerson, &input.words())
                    .await;
            }
            (Input::Tap(id), _) if id == "human" => {
                return self.handoff(Attention::AskedForPerson, "").await;
            }
            (Input::Tap(id), _) if id == "status" => return self.order_status().await,
            (_, Some(Intent::OrderStatus)) => return self.order_status().await,
            (_, Some(Intent::PaymentNotice)) => {
                let body = self.say.t(Key::PaymentNoted, &[]);
                self.reply(self.say.text(body));
                return self
                    .needs_person(Attention::PaymentClaimed, &input.words())
                    .await;
            }
            (Input::Ignore, _) => {
                self.state.unknown_streak = self.prior_streak;
                return Ok(());
            }
            (Input::Media(_), _) => {
                let body = self.say.t(
                    Key::MediaReceived,
                    &[("business", &self.tenant.business_name)],
                );
                self.reply(self.say.text(body));
                return self.needs_person(Attention::Media, &input.words()).await;
            }
            _ => {}
        }
        match self.tenant.vertical {
            Vertical::Tailor => self.tailor(input, restart).await,
            Vertical::Shop | Vertical::Restaurant => self.shop(input, restart).await,
        }
    }

    pub fn reply(&mut self, m: OutMessage) {
        self.replies.push((m, None));
    }

    pub fn reply_for(&mut self, m: OutMessage, order: OrderId) {
        self.replies.push((m, Some(order)));
    }

    /// "Hello Amaka" or "Hello", in the greeting language.
    pub fn hello(&self) -> String {
        match self
            .customer
            .name
            .as_deref()
            .and_then(|n| n.split_whitespace().next())
        {
            Some(first) => self.say.greet(Key::Hello, &[("name", first)]),
            None => self.say.greet(Key::HelloAnon, &[]),
        }
    }

    /// The business's available products in menu order, read once per turn
    /// and only by a step that needs all of them (reading typed text, a
    /// style's price).
    pub async fn catalog(&mut self) -> anyhow::Result<Arc<Vec<Product>>> {
        if let Some(c) = &self.catalog {
            return Ok(c.clone());
        }
        let products = store::products::list(
            &mut *self.tx,
            self.tenant.id,
            &ProductFilter {
                available_only: true,
                ..ProductFilter::default()
            },
        )
        .await?;
        let c = Arc::new(products);
        self.catalog = Some(c.clone());
        Ok(c)
    }

    /// One available product by sku: from the catalog if this turn read it,
    /// else by itself.
    pub async fn product(&mut self, sku: &str) -> anyhow::Result<Option<Product>> {
        if let Some(c) = &self.catalog {
            return Ok(c.iter().find(|p| p.sku == sku).cloned());
        }
        Ok(store::products::by_sku(&mut *self.tx, self.tenant.id, sku)
            .await?
            .filter(|p| p.is_available))
    }

    async fn opt_out(&mut self) -> anyhow::Result<()> {
        store::chat::set_opted_out(
            &mut *self.tx,
            self.tenant.id,
            self.customer.id,
            Some(self.now),
        )
        .await?;
        let body = self
            .say
            .t(Key::OptedOut, &[("business", &self.tenant.business_name)]);
        self.reply(self.say.text(body));
        Ok(())
    }

    async fn opt_in(&mut self) -> anyhow::Result<()> {
        store::chat::set_opted_out(&mut *self.tx, self.tenant.id, self.customer.id, None).await?;
        let body = self
            .say
            .t(Key::OptedIn, &[("business", &self.tenant.business_name)]);
        self.reply(self.say.text(body));
        Ok(())
    }

    /// Puts the conversation on the staff's inbox for `why` and alerts
    /// them: the bot has promised this customer a person.
    pub async fn needs_person(&mut self, why: Attention, words: &str) -> anyhow::Result<()> {
        crate::inbox::record(self.tx, &self.tenant, &self.customer, why, words).await?;
        Ok(())
    }

    /// Pauses the bot for this customer for the business's handoff hours,
    /// says a person will reply, and puts the conversation on the inbox.
    pub async fn handoff(&mut self, why: Attention, words: &str) -> anyhow::Result<()> {
        let until = self.now + Duration::hours(i64::from(self.settings.handoff_hours));
        store::chat::set_paused_until(&mut *self.tx, self.tenant.id, self.customer.id, Some(until))
            .await?;
        self.state.shop.step = Default::default();
        self.state.tailor.step = Default::default();
        let body = self
            .say
            .t(Key::Handoff, &[("business", &self.tenant.business_name)]);
        self.reply(self.say.text(body));
        self.needs_person(why, words).await
    }

    /// Counts a message the bot could not place; the third in a row goes
    /// to a person rather than round the same answer again.
    pub async fn not_understood(&mut self, words: &str, answer: OutMessage) -> anyhow::Result<()> {
        if self.miss() {
            return self.handoff(Attention::NotUnderstood, words).await;
        }
        self.reply(answer);
        Ok(())
    }

    /// Counts this message as not understood; true on the third in a row.
    pub fn miss(&mut self) -> bool {
        self.state.unknown_streak = self.prior_streak.saturating_add(1);
        self.state.unknown_streak >= 3
    }

    /// The customer's unfinished orders, newest first.
    pub async fn active_orders(&mut self) -> anyhow::Result<Vec<Order>> {
        Ok(store::orders::list(
            &mut *self.tx,
            self.tenant.id,
            &Filter {
                customer: Some(self.customer.id),
                unfinished: true,
                ..Filter::default()
            },
            Sort::Newest { before: None },
            10,
        )
        .await?)
    }

    async fn order_status(&mut self) -> anyhow::Result<()> {
        let orders = self.active_orders().await?;
        if orders.is_empty() {
            let body = self.say.t(Key::NoActiveOrders, &[]);
            self.reply(self.say.text(body));
            return Ok(());
        }
        let mut lines = vec![self.say.t(Key::StatusHeader, &[])];
        for o in orders.iter().rev() {
            let stage = self.say.t(stage_key(o.current_stage), &[]);
            let balance = self.say.money(o.balance_due);
            let line = match o.deadline {
                Some(d) => {
                    let date = self.say.date(self.say.local_date(d));
                    self.say.t(
                        Key::StatusLine,
                        &[
                            ("ref", &o.order_ref),
                            ("stage", &stage),
                            ("deadline", &date),
                            ("balance", &balance),
                        ],
                    )
                }
                None => self.say.t(
                    Key::StatusLineNoDeadline,
                    &[
                        ("ref", &o.order_ref),
                        ("stage", &stage),
                        ("balance", &balance),
                    ],
                ),
            };
            lines.push(line);
        }
        self.reply(self.say.text(lines.join("\n")));
        Ok(())
    }

    /// Cancels the order named (or the newest open one) while it is still
    /// `received`; later, a person handles it.
    pub async fn cancel(&mut self, order_ref: Option<&str>) -> anyhow::Result<()> {
        let orders = self.active_orders().await?;
        let target = match order_ref {
            Some(r) => orders
                .into_iter()
                .find(|o| o.order_ref.eq_ignore_ascii_case(r)),
            None => orders.into_iter().next(),
        };
        let Some(order) = target else {
            let body = self.say.t(Key::NothingToCancel, &[]);
            self.reply(self.say.text(body));
            return Ok(());
        };
        if order.current_stage == Stage::Received
            && store::orders::change_stage(
                &mut *self.tx,
                self.tenant.id,
                &order,
                Stage::Cancelled,
                None,
                Some("cancelled by the customer in chat"),
            )
            .await?
        {
            crate::orders::apply_effects(self.tx, self.tenant.id, &order, Stage::Cancelled, None)
                .await?;
            let body = self
                .say
                .t(Key::OrderCancelled, &[("ref", &order.order_ref)]);
            self.reply_for(self.say.text(body), order.id);
            return Ok(());
        }
        let stage = self.say.t(stage_key(order.current_stage), &[]);
        let body = self.say.t(
            Key::CancelNeedsPerson,
            &[
                ("ref", &order.order_ref),
                ("stage", &stage),
                ("business", &self.tenant.business_name),
            ],
        );
        self.reply_for(self.say.text(body), order.id);
        let words = format!("cancel {}", order.order_ref);
        let staff_msg = self.replies.len();
        self.handoff(Attention::CancelRequest, &words).await?;
        // The handoff's own "a person will reply" is redundant here.
        self.replies.truncate(staff_msg);
        Ok(())
    }
}

pub(crate) fn stage_key(stage: Stage) -> Key {
    match stage {
        Stage::Received => Key::StageReceived,
        Stage::Cutting => Key::StageCutting,
        Stage::Sewing => Key::StageSewing,
        Stage::Fitting => Key::StageFitting,
        Stage::Preparing => Key::StagePreparing,
        Stage::Packed => Key::StagePacked,
        Stage::Ready => Key::StageReady,
        Stage::OutForDelivery => Key::StageOutForDelivery,
        Stage::Delivered => Key::StageDelivered,
        Stage::Cancelled => Key::StageCancelled,
    }
}
