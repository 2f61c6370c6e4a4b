//! The conversation engine: chat to order for tailors, shops and
//! restaurants.
//!
//! Each customer message is one turn, inside the transaction that stored
//! it: the customer's row is locked (so two workers never interleave one
//! conversation), the session is loaded from `chat_sessions`, the message is
//! read (a tap on a button or list row by its id, typed text through the
//! understanding provider, a location pin, a catalog cart), the vertical's
//! flow applies it, and the new state, the effects (orders, measurement
//! versions, stock reservations) and the replies commit together. Nothing
//! lives in memory between turns.
//!
//! Everywhere: "menu"/"hola"/"hi" starts over, STOP/BAJA opts out (START/ALTA
//! opts back in), asking for a person pauses the bot for the tenant's
//! handoff hours and alerts the staff, and a message the bot cannot place
//! gets a short helpful answer; the third in a row goes to a person.

mod say;
mod session;
mod shop;
mod tailor;

use crate::conversation::{ConversationEngine, Turn};
use crate::delivery::{Outgoing, queue};
use async_trait::async_trait;
use channels::inbound::Content;
use channels::outbound::OutMessage;
use chrono::{DateTime, Duration, Utc};
use domain::messages::Msg;
use domain::order::Stage;
use domain::tenant::{Role, Vertical};
use domain::text::Key;
use domain::{E164, OrderId};
use nlu::{Intent, Understanding};
use say::Say;
use session::State;
use std::sync::Arc;
use store::Tx;
use store::business::Settings;
use store::customers::Customer;
use store::orders::{Filter, Order, Sort};
use store::products::{Product, ProductFilter};
use store::tenants::Tenant;
use understand::Understand;

/// Where the engine reads the time: the wall clock, or a fixed instant in
/// tests that need opening hours to be open or closed.
pub type Clock = Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>;

pub struct ChatEngine {
    understand: Arc<dyn Understand>,
    clock: Clock,
    /// Where deposit links come from; without it the bot states amounts.
    pay: Option<crate::pay::PaySettings>,
}

impl ChatEngine {
    pub fn new(understand: Arc<dyn Understand>) -> Self {
        ChatEngine {
            understand,
            clock: Arc::new(Utc::now),
            pay: None,
        }
    }

    /// Sends deposit links through the business's payment provider.
    pub fn with_payments(mut self, pay: crate::pay::PaySettings) -> Self {
        self.pay = Some(pay);
        self
    }

    pub fn with_clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
        self
    }
}

/// What the customer did, read from the message.
pub(crate) enum Input {
    /// A whole-message command word.
    Word(Word),
    /// Typed text and what it means.
    Said(Box<Understanding>, String),
    /// A bare date ("Dec 20", "el viernes"): the answer to "when do you
    /// need it?", which alone the parser rightly does not call a deadline.
    Date(chrono::NaiveDate, String),
    /// A tapped button or list row, by id.
    Tap(String),
    /// A shared location pin, as an address line.
    Location(String),
    /// A cart sent from the WhatsApp catalog: (sku, quantity).
    CatalogOrder(Vec<(String, u32)>),
    /// A photo, document or voice note.
    Media,
    /// Something that needs no answer (a reaction).
    Ignore,
    /// Anything else.
    Other,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Word {
    Restart,
    OptOut,
    OptIn,
    ReuseMeasures,
    Person,
}

/// Whole messages that are commands in any flow, after lowercasing and
/// stripping accents and punctuation.
fn command_word(text: &str) -> Option<Word> {
    let norm: String = text
        .trim()
        .to_lowercase()
        .chars()
        .map(|c| match c {
            'á' => 'a',
            'é' => 'e',
            'í' => 'i',
            'ó' => 'o',
            'ú' | 'ü' => 'u',
            c => c,
        })
        .filter(|c| c.is_alphanumeric() || c.is_whitespace())
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    Some(match norm.as_str() {
        "menu" | "hola" | "hi" | "hello" | "hey" | "inicio" | "start over" | "empezar"
        | "volver a empezar" | "habari" | "jambo" | "mambo" | "menyu" => Word::Restart,
        "stop" | "baja" | "unsubscribe" | "stop messages" | "acha" => Word::OptOut,
        "start" | "alta" | "subscribe" => Word::OptIn,
        "measures" | "measurements" | "medidas" | "vipimo" => Word::ReuseMeasures,
        "person" | "human" | "agent" | "persona" | "humano" | "operador" | "mtu" => Word::Person,
        _ => return None,
    })
}

#[async_trait]
impl ConversationEngine for ChatEngine {
    async fn on_message(&self, tx: &mut Tx, turn: &Turn<'_>) -> anyhow::Result<()> {
        let started = std::time::Instant::now();
        // One turn of a customer at a time, whichever worker or replica.
        store::customers::lock(&mut *tx, turn.tenant, turn.customer).await?;
        let tenant = store::tenants::get(&mut *tx, turn.tenant).await?;
        let settings = store::business::get(&mut *tx, turn.tenant).await?;
        let customer = store::customers::get(&mut *tx, turn.tenant, turn.customer).await?;
        let state = match store::chat::load(&mut *tx, turn.tenant, turn.customer).await? {
            Some(s) => serde_json::from_value(s.state).unwrap_or_else(|e| {
                tracing::warn!(error = %e, "chat session state unreadable; starting afresh");
                State::default()
            }),
            None => State::default(),
        };
        let products = store::products::list(
            &mut *tx,
            turn.tenant,
            &ProductFilter {
                available_only: true,
                ..ProductFilter::default()
            },
        )
        .await?;
        let now = (self.clock)();
        let input = self.read(turn, &tenant, &products, now).await;
        let say = Say::new(
            &tenant.locale.to_string(),
            tenant.currency,
            tenant.tz(),
            settings.texts.clone(),
        );
        let mut convo = Convo {
            tx: &mut *tx,
            tenant,
            settings,
            paused: customer.bot_paused_until.is_some_and(|u| u > now),
            customer,
            phone: turn.phone.clone(),
            now,
            say,
            state,
            prior_streak: 0,
            products,
            pay: self.pay.clone(),
            replies: Vec::new(),
        };
        convo.handle(input).await?;
        let Convo { state, replies, .. } = convo;
        store::chat::save(
            &mut *tx,
            turn.tenant,
            turn.customer,
            &serde_json::to_value(&state)?,
        )
        .await?;
        for (message, order) in &replies {
            queue(
                &mut *tx,
                &Outgoing {
                    tenant: turn.tenant,
                    number: turn.number,
                    customer: Some(turn.customer),
                    order: *order,
                    to: turn.phone,
                    message,
                    fallback: None,
                    purpose: domain::outbound::Purpose::Reply,
                },
            )
            .await?;
        }
        metrics::histogram!("sokoni_chat_turn_seconds").record(started.elapsed().as_secs_f64());
        Ok(())
    }
}

impl ChatEngine {
    async fn read(
        &self,
        turn: &Turn<'_>,
        tenant: &Tenant,
        products: &[Product],
        now: DateTime<Utc>,
    ) -> Input {
        match &turn.message.content {
            Content::Text { body } => {
                if let Some(word) = command_word(body) {
                    return Input::Word(word);
                }
                let ctx = nlu::Context {
                    locale: tenant.locale.to_string(),
                    vertical: match tenant.vertical {
                        Vertical::Tailor => nlu::Vertical::Tailor,
                        Vertical::Shop => nlu::Vertical::Shop,
                        Vertical::Restaurant => nlu::Vertical::Restaurant,
                    },
                    now: now.fixed_offset(),
                    timezone: tenant.tz(),
                    catalog: products
                        .iter()
                        .map(|p| nlu::CatalogItem {
                            sku: p.sku.clone(),
                            name: p.name.clone(),
                            aliases: p.aliases.0.clone(),
                        })
                        .collect(),
                };
                let answer = self
                    .understand
                    .understand(&nlu::Message::new(body.clone()), &ctx)
                    .await;
                let u = answer.understanding;
                if u.intent == Intent::Unknown && u.deadline.is_none() {
                    // Read the words as the answer to "by when?".
                    let framed = match domain::text::language_of(&ctx.locale) {
                        "es" => format!("lo necesito para {body}"),
                        _ => format!("I need it by {body}"),
                    };
                    if let Some(date) = nlu::parse(&nlu::Message::new(framed), &ctx).deadline {
                        return Input::Date(date, body.clone());
                    }
                }
                Input::Said(Box::new(u), body.clone())
            }
            Content::ButtonReply { id, .. } | Content::ListReply { id, .. } => {
                Input::Tap(id.clone())
            }
            Content::TemplateButton { payload, .. } => Input::Tap(payload.clone()),
            Content::Location {
                latitude,
                longitude,
                name,
                address,
                ..
            } => {
                let place = [name.as_deref(), address.as_deref()]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join(", ");
                let pin = format!("📍 {latitude:.6}, {longitude:.6}");
                Input::Location(if place.is_empty() {
                    pin
                } else {
                    format!("{place} ({pin})")
                })
            }
            Content::Order { items, .. } => Input::CatalogOrder(
                items
                    .iter()
                    .filter(|i| i.quantity > 0)
                    .map(|i| {
                        (
                            i.product_retailer_id.clone(),
                            u32::try_from(i.quantity).unwrap_or(u32::MAX),
                        )
                    })
                    .collect(),
            ),
            Content::Media { .. } => Input::Media,
            Content::Reaction { .. } => Input::Ignore,
            _ => Input::Other,
        }
    }
}

/// One turn in progress.
pub(crate) struct Convo<'t> {
    pub tx: &'t mut Tx,
    pub tenant: Tenant,
    pub settings: Settings,
    pub customer: Customer,
    pub phone: E164,
    /// A person is answering this customer; the bot keeps quiet.
    pub paused: bool,
    pub now: DateTime<Utc>,
    pub say: Say,
    pub state: State,
    /// Misunderstood messages in a row before this one.
    pub prior_streak: u8,
    /// The tenant's available products, in menu order.
    pub products: Vec<Product>,
    pub pay: Option<crate::pay::PaySettings>,
    pub replies: Vec<(OutMessage, Option<OrderId>)>,
}

impl Convo<'_> {
    async fn handle(&mut self, input: Input) -> anyhow::Result<()> {
        let restart = matches!(input, Input::Word(Word::Restart))
            || matches!(&input, Input::Said(u, _) if matches!(u.intent, Intent::Greeting | Intent::MenuRequest));
        if self.paused {
            // Only the explicit word wakes the bot: "hola?" is for the person.
            if !matches!(input, Input::Word(Word::Restart)) {
                // Stored and visible to staff, who are answering.
                return Ok(());
            }
            store::chat::set_paused_until(&mut *self.tx, self.tenant.id, self.customer.id, None)
                .await?;
            self.paused = false;
        }
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
                return self.handoff(&last_words(&input)).await;
            }
            (Input::Tap(id), _) if id == "human" => return self.handoff("").await,
            (Input::Tap(id), _) if id == "status" => return self.order_status().await,
            (_, Some(Intent::OrderStatus)) => return self.order_status().await,
            (_, Some(Intent::PaymentNotice)) => {
                let body = self.say.t(Key::PaymentNoted, &[]);
                self.reply(self.say.text(body));
                return Ok(());
            }
            (Input::Ignore, _) => {
                self.state.unknown_streak = self.prior_streak;
                return Ok(());
            }
            (Input::Media, _) => {
                let body = self.say.t(
                    Key::MediaReceived,
                    &[("business", &self.tenant.business_name)],
                );
                self.reply(self.say.text(body));
                return Ok(());
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

    /// Pauses the bot for this customer and alerts the staff who have a
    /// phone on file.
    pub async fn handoff(&mut self, words: &str) -> anyhow::Result<()> {
        let until = self.now + Duration::hours(i64::from(self.settings.handoff_hours));
        store::chat::set_paused_until(&mut *self.tx, self.tenant.id, self.customer.id, Some(until))
            .await?;
        self.state.step = session::Step::Idle;
        let body = self
            .say
            .t(Key::Handoff, &[("business", &self.tenant.business_name)]);
        self.reply(self.say.text(body));
        let who = self
            .customer
            .name
            .clone()
            .unwrap_or_else(|| self.phone.as_str().to_string());
        let staff = store::users::list(&mut *self.tx, self.tenant.id).await?;
        for user in staff
            .iter()
            .filter(|u| u.is_active && matches!(u.role, Role::Owner | Role::Staff))
        {
            let Some(phone) = user.phone.as_deref() else {
                continue;
            };
            let Ok(to) = E164::parse(phone, &self.tenant.country) else {
                continue;
            };
            crate::notify::to_outbox(
                (&mut *self.tx).into(),
                Some(self.tenant.id),
                &to,
                self.say.lang,
                &Msg::HandoffAlert {
                    customer: &who,
                    phone: self.phone.as_str(),
                    text: words,
                },
            )
            .await?;
        }
        Ok(())
    }

    /// Counts a message the bot could not place; the third in a row goes
    /// to a person rather than round the same answer again.
    pub async fn not_understood(&mut self, words: &str, answer: OutMessage) -> anyhow::Result<()> {
        if self.miss() {
            return self.handoff(words).await;
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
        self.handoff(&words).await?;
        // The handoff's own "a person will reply" is redundant here.
        self.replies.truncate(staff_msg);
        Ok(())
    }
}

/// The customer's words, for the staff alert.
fn last_words(input: &Input) -> String {
    match input {
        Input::Said(_, text) | Input::Date(_, text) => text.clone(),
        _ => String::new(),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_words_ignore_case_accents_and_punctuation() {
        assert_eq!(command_word("  Menú! "), Some(Word::Restart));
        assert_eq!(command_word("HOLA"), Some(Word::Restart));
        assert_eq!(command_word("STOP"), Some(Word::OptOut));
        assert_eq!(command_word("baja."), Some(Word::OptOut));
        assert_eq!(command_word("ALTA"), Some(Word::OptIn));
        assert_eq!(command_word("MEASURES"), Some(Word::ReuseMeasures));
        assert_eq!(command_word("medidas"), Some(Word::ReuseMeasures));
        assert_eq!(command_word("persona"), Some(Word::Person));
        assert_eq!(command_word("hola, dos de carne"), None);
        assert_eq!(command_word("stop the sugar order"), None);
    }
}
