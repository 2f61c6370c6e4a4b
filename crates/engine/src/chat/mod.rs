//! The conversation engine: one flow per kind of sender. Customers order
//! (the tailor's flow, or the shop's and restaurant's), staff run the
//! business (their own flow: commands, and answering customers by hand).
//!
//! Each inbound message is one turn, inside the transaction that stored
//! it. For a customer: the customer's row is locked (so two workers never
//! interleave one conversation), the session is loaded from
//! `chat_sessions`, the message is read ([`input`]), the vertical's flow
//! applies it, and the new state, the effects (orders, measurement
//! versions, stock reservations, inbox entries) and the replies commit
//! together. Nothing lives in memory between turns. The decisions of a
//! turn, what an order still needs, are plain functions
//! ([`checkout`], `tailor::missing`).
//!
//! Everywhere: "menu"/"hola"/"hi" starts over, STOP/BAJA opts out (START/ALTA
//! opts back in), asking for a person pauses the bot for the tenant's
//! handoff hours (greetings do not wake it; the pause's end or staff
//! resolving the conversation do), and every promise of a person (a voice
//! note or photo, "I have paid", transfer details the business has not set,
//! the third misunderstood message) puts the conversation on the staff's
//! inbox and alerts them.

mod checkout;
mod convo;
mod input;
pub(crate) mod say;
mod session;
mod shop;
mod staff;
mod tailor;

use crate::conversation::{ConversationEngine, Sender, Turn};
use crate::delivery::{Outgoing, queue};
use async_trait::async_trait;
use convo::Convo;
use domain::CustomerId;
use say::Say;
use session::State;
use std::sync::Arc;
use store::Tx;
use understand::Understand;

/// Where the engine reads the time: the services' clock (the wall clock,
/// or one that tests set and move).
pub type Clock = Arc<dyn crate::clock::Clock>;

pub struct ChatEngine {
    understand: Arc<dyn Understand>,
    clock: Clock,
    /// Where deposit links come from; without it the bot states amounts.
    pay: Option<crate::pay::PaySettings>,
    /// Voice notes are transcribed (speech to text is configured): they
    /// become `transcribe_voice` jobs instead of going to a person.
    voice: bool,
}

impl ChatEngine {
    pub fn new(understand: Arc<dyn Understand>) -> Self {
        ChatEngine {
            understand,
            clock: crate::clock::system(),
            pay: None,
            voice: false,
        }
    }

    /// The engine on the configured models: their understanding for
    /// typed text, and voice notes heard when speech to text is on.
    pub fn with_models(models: &crate::models::Models) -> Self {
        let mut engine = ChatEngine::new(models.understand.clone());
        engine.voice = models.hears_voice();
        engine
    }

    /// Hands voice notes to speech to text ([`crate::voice`]).
    pub fn with_voice(mut self, voice: bool) -> Self {
        self.voice = voice;
        self
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

#[async_trait]
impl ConversationEngine for ChatEngine {
    async fn on_message(&self, tx: &mut Tx, turn: &Turn<'_>) -> anyhow::Result<()> {
        let started = std::time::Instant::now();
        let flow = match &turn.sender {
            Sender::Customer { id } => {
                self.customer_turn(tx, turn, *id).await?;
                "customer"
            }
            Sender::Staff { user, name, role } => {
                if !(self.voice && crate::voice::hear_later(tx, turn, Some(*user)).await?) {
                    staff::turn(tx, turn, *user, name, *role, self.clock.now()).await?;
                }
                "staff"
            }
        };
        metrics::histogram!("sokoni_chat_turn_seconds", "flow" => flow)
            .record(started.elapsed().as_secs_f64());
        Ok(())
    }
}

impl ChatEngine {
    async fn customer_turn(
        &self,
        tx: &mut Tx,
        turn: &Turn<'_>,
        customer_id: CustomerId,
    ) -> anyhow::Result<()> {
        // One turn of a customer at a time, whichever worker or replica.
        store::customers::lock(&mut *tx, turn.tenant, customer_id).await?;
        let tenant = store::tenants::get(&mut *tx, turn.tenant).await?;
        let settings = store::business::get(&mut *tx, turn.tenant).await?;
        let customer = store::customers::get(&mut *tx, turn.tenant, customer_id).await?;
        let state = match store::chat::load(&mut *tx, turn.tenant, customer_id).await? {
            Some(s) => serde_json::from_value(s.state).unwrap_or_else(|e| {
                tracing::warn!(error = %e, "chat session state unreadable; starting afresh");
                State::default()
            }),
            None => State::default(),
        };
        let now = self.clock.now();
        let paused = customer.bot_paused_until.is_some_and(|u| u > now);
        // A voice note is heard first, outside this transaction; the
        // `transcribe_voice` job runs the turn on its words.
        if self.voice && !paused && crate::voice::hear_later(tx, turn, None).await? {
            return Ok(());
        }
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
            paused,
            customer,
            now,
            say,
            state,
            prior_streak: 0,
            catalog: None,
            pay: self.pay.clone(),
            replies: Vec::new(),
        };
        // Only typed text needs the catalog to be read (the parser matches
        // products by name); taps, pins and media do not load it, nor does
        // anything said while a person holds the conversation (only opting
        // out or back in is read then).
        let products = if input::needs_catalog(&turn.message.content) && !convo.paused {
            convo.catalog().await?
        } else {
            Arc::default()
        };
        let input = input::read(
            self.understand.as_ref(),
            &turn.message.content,
            &convo.tenant,
            &products,
            now,
        )
        .await;
        if convo.paused {
            // A person holds the conversation: what the customer says
            // reaches them on their WhatsApp, and they can reply to it.
            let said = match &turn.message.content {
                channels::inbound::Content::Text { body } => Some(body.as_str()),
                channels::inbound::Content::Media { caption, .. } => caption.as_deref(),
                _ => None,
            };
            if let Some(text) = said {
                crate::inbox::forward(&mut *convo.tx, &convo.tenant, &convo.customer, text).await?;
            }
        }
        convo.handle(input).await?;
        let Convo { state, replies, .. } = convo;
        store::chat::save(
            &mut *tx,
            turn.tenant,
            customer_id,
            &serde_json::to_value(&state)?,
        )
        .await?;
        for (message, order) in &replies {
            queue(
                &mut *tx,
                &Outgoing {
                    tenant: turn.tenant,
                    number: turn.number,
                    customer: Some(customer_id),
                    order: *order,
                    to: turn.phone,
                    message,
                    fallback: None,
                    purpose: domain::outbound::Purpose::Reply,
                    bulk: false,
                },
            )
            .await?;
        }
        Ok(())
    }
}
