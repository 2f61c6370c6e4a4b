//! Tailors: an order message starts a draft (style, quantity, deadline,
//! notes, and any measurements in it saved as a new version); the bot asks
//! only for what is missing (the deadline, then measurements, offering to
//! reuse the saved ones with MEASURES), then confirms the order with its
//! reference, price and deposit due.

use super::convo::Convo;
use super::input::{Input, Word};
use super::session::{TailorDraft, TailorStep};
use chrono::{NaiveDate, NaiveTime, TimeZone};
use domain::commerce::deposit_due;
use domain::messages::Attention;
use domain::order::Source;
use domain::text::Key;
use domain::{MeasurementId, OrderId};
use nlu::{Intent, Understanding};
use std::collections::BTreeMap;
use store::measurements::{Measurement, Values};
use store::orders::NewOrder;

impl Convo<'_> {
    pub(super) async fn tailor(&mut self, input: Input, restart: bool) -> anyhow::Result<()> {
        if restart {
            self.state.tailor.step = TailorStep::Idle;
            self.state.tailor.draft = None;
            let hello = self.hello();
            let body = self.say.greet(
                Key::WelcomeTailor,
                &[("hello", &hello), ("business", &self.tenant.business_name)],
            );
            self.reply(self.say.buttons(
                body,
                &[("status", Key::BtnOrderStatus), ("human", Key::BtnHuman)],
            ));
            return Ok(());
        }
        match input {
            Input::Word(Word::ReuseMeasures) => self.reuse_measures().await,
            Input::Tap(id) if id == "measures" => self.reuse_measures().await,
            Input::Said(u, text) => self.tailor_said(&u, &text).await,
            Input::Date(date, text) if self.state.tailor.draft.is_some() => {
                let u = Understanding {
                    deadline: Some(date),
                    ..Understanding::default()
                };
                self.merge(&u, &text).await?;
                self.advance_tailor().await
            }
            Input::Date(_, text) => self.tailor_unknown(&text).await,
            _ => self.tailor_unknown("").await,
        }
    }

    async fn tailor_said(&mut self, u: &Understanding, text: &str) -> anyhow::Result<()> {
        let drafting = self.state.tailor.draft.is_some();
        let adds_detail = u.style.is_some()
            || u.items.as_ref().is_some_and(|i| !i.is_empty())
            || u.deadline.is_some()
            || u.measurements.is_some();
        match u.intent {
            Intent::NewOrder => {
                self.merge(u, text).await?;
                self.advance_tailor().await
            }
            Intent::ReuseMeasurements => self.reuse_measures().await,
            Intent::AddMeasurements if !drafting => {
                let Some(values) = &u.measurements else {
                    return self.tailor_unknown(text).await;
                };
                let saved = values_of(&self.save_measures(values).await?);
                let body = self
                    .say
                    .t(Key::MeasuresSaved, &[("saved", &self.say.measures(&saved))]);
                self.reply(self.say.text(body));
                Ok(())
            }
            Intent::CancelOrder if drafting && u.order_ref.is_none() => {
                self.state.tailor.draft = None;
                self.state.tailor.step = TailorStep::Idle;
                let body = self.say.t(Key::DraftDiscarded, &[]);
                self.reply(self.say.text(body));
                Ok(())
            }
            Intent::CancelOrder => self.cancel(u.order_ref.as_deref()).await,
            _ if drafting && adds_detail => {
                self.merge(u, text).await?;
                self.advance_tailor().await
            }
            _ => self.tailor_unknown(text).await,
        }
    }

    async fn tailor_unknown(&mut self, words: &str) -> anyhow::Result<()> {
        if self.state.tailor.draft.is_some() {
            // Ask again for what the draft is missing, counting the miss.
            if self.miss() {
                return self.handoff(Attention::NotUnderstood, words).await;
            }
            self.advance_tailor().await?;
            return Ok(());
        }
        let body = self.say.t(Key::UnknownTailor, &[]);
        let answer = self.say.buttons(
            body,
            &[("status", Key::BtnOrderStatus), ("human", Key::BtnHuman)],
        );
        self.not_understood(words, answer).await
    }

    /// Folds what the message says into the draft.
    async fn merge(&mut self, u: &Understanding, text: &str) -> anyhow::Result<()> {
        let measurement = match &u.measurements {
            Some(values) if !values.is_empty() => Some(self.save_measures(values).await?.id),
            _ => None,
        };
        // A style the tailor lists in the catalog comes back as an item.
        let listed = match (&u.style, u.items.as_ref().and_then(|i| i.first())) {
            (None, Some(item)) => self
                .product(&item.sku)
                .await?
                .map(|p| (p.name, item.qty.max(1))),
            _ => None,
        };
        let draft = self.state.tailor.draft.get_or_insert_with(|| TailorDraft {
            quantity: 1,
            ..TailorDraft::default()
        });
        if let Some(style) = &u.style {
            draft.style = Some(style.clone());
        } else if let Some((name, qty)) = listed {
            draft.style = Some(name);
            draft.quantity = qty;
        }
        if let Some(q) = u.quantity.filter(|q| *q > 0) {
            draft.quantity = q;
        }
        if let Some(d) = u.deadline {
            draft.deadline = Some(d);
        }
        if measurement.is_some() {
            draft.measurement = measurement;
        }
        let text = text.trim();
        if !text.is_empty() && draft.notes.len() < 10 {
            draft.notes.push(text.to_string());
        }
        Ok(())
    }

    /// Records the measurements as the customer's new current version.
    async fn save_measures(
        &mut self,
        values: &BTreeMap<String, f64>,
    ) -> anyhow::Result<Measurement> {
        let mut v = Values::default();
        for (name, value) in values {
            let slot = match name.as_str() {
                "chest" => &mut v.chest,
                "waist" => &mut v.waist,
                "hip" => &mut v.hip,
                "shoulder" => &mut v.shoulder,
                "sleeve" => &mut v.sleeve,
                "inseam" => &mut v.inseam,
                "neck" => &mut v.neck,
                other => {
                    if domain::measurement::valid_custom_field(other) {
                        v.custom.insert(other.to_string(), *value);
                    }
                    continue;
                }
            };
            *slot = Some(*value);
        }
        v.notes = Some("from WhatsApp".into());
        let m = store::measurements::add_version(
            &mut *self.tx,
            self.tenant.id,
            self.customer.id,
            &v,
            None,
        )
        .await?;
        Ok(m)
    }

    async fn reuse_measures(&mut self) -> anyhow::Result<()> {
        let current =
            store::measurements::current(&mut *self.tx, self.tenant.id, self.customer.id).await?;
        let Some(m) = current else {
            let body = self.say.t(Key::NoSavedMeasures, &[]);
            self.reply(self.say.text(body));
            if self.state.tailor.draft.is_some() {
                self.state.tailor.step = TailorStep::Measures;
            }
            return Ok(());
        };
        match &mut self.state.tailor.draft {
            Some(draft) => {
                draft.measurement = Some(m.id);
                self.advance_tailor().await
            }
            None => {
                let body = self.say.t(
                    Key::MeasuresSaved,
                    &[("saved", &self.say.measures(&values_of(&m)))],
                );
                self.reply(self.say.text(body));
                Ok(())
            }
        }
    }

    /// Asks for the first missing detail, or places the order.
    async fn advance_tailor(&mut self) -> anyhow::Result<()> {
        let Some(draft) = self.state.tailor.draft.clone() else {
            return Ok(());
        };
        match missing(&draft) {
            Ready(ready) => self.place_tailor(&draft, ready).await,
            Needs(TailorStep::Style) => {
                self.state.tailor.step = TailorStep::Style;
                let body = self.say.t(Key::TailorAskStyle, &[]);
                self.reply(self.say.text(body));
                Ok(())
            }
            Needs(TailorStep::Deadline) => {
                self.state.tailor.step = TailorStep::Deadline;
                let style = draft.style.as_deref().unwrap_or_default();
                let body = self.say.t(Key::TailorAskDeadline, &[("style", style)]);
                self.reply(self.say.text(body));
                Ok(())
            }
            Needs(step) => {
                self.state.tailor.step = step;
                let current =
                    store::measurements::current(&mut *self.tx, self.tenant.id, self.customer.id)
                        .await?;
                match current {
                    Some(m) => {
                        let saved = self.say.measures(&values_of(&m));
                        let body = self
                            .say
                            .t(Key::TailorAskMeasuresSaved, &[("saved", &saved)]);
                        self.reply(
                            self.say
                                .buttons(body, &[("measures", Key::BtnReuseMeasures)]),
                        );
                    }
                    None => {
                        let body = self.say.t(Key::TailorAskMeasures, &[]);
                        self.reply(self.say.text(body));
                    }
                }
                Ok(())
            }
        }
    }

    async fn place_tailor(&mut self, draft: &TailorDraft, ready: ReadyDraft) -> anyhow::Result<()> {
        let ReadyDraft {
            style,
            deadline,
            measurement,
        } = ready;
        let style = style.as_str();
        let qty = draft.quantity.max(1);
        let unit_price = self.style_price(style).await?;
        let price = unit_price.map(|p| p.saturating_mul(i64::from(qty)));
        let deposit = price.map_or(0, |p| {
            let percent = u8::try_from(self.settings.deposit_percent.clamp(0, 100)).unwrap_or(100);
            deposit_due(p, percent, self.tenant.currency.minor_digits())
        });
        let end_of_day =
            deadline.and_time(NaiveTime::from_hms_opt(23, 59, 59).unwrap_or(NaiveTime::MIN));
        let due = self
            .tenant
            .tz()
            .from_local_datetime(&end_of_day)
            .earliest()
            .map(|t| t.with_timezone(&chrono::Utc));
        let order = store::orders::insert(
            &mut *self.tx,
            self.tenant.id,
            &NewOrder {
                customer_id: self.customer.id,
                measurement_id: Some(measurement),
                style_name: Some(style.to_string()),
                quantity: i32::try_from(qty).unwrap_or(i32::MAX),
                price: price.unwrap_or(0),
                deposit_amount: deposit,
                currency: self.tenant.currency,
                deadline: due,
                source: Source::Whatsapp,
                wa_thread_id: self.customer.wa_id.clone(),
                notes: Some(draft.notes.join("\n")).filter(|n| !n.is_empty()),
                ..NewOrder::default()
            },
        )
        .await?;
        // Deposit first: the link follows the confirmation.
        if deposit > 0
            && let Some(pay) = &self.pay
            && let Some(provider) =
                crate::pay::default_provider(&mut *self.tx, pay, self.tenant.id).await?
        {
            crate::pay::request(
                self.tx,
                pay,
                self.now,
                self.tenant.id,
                &order,
                "deposit",
                deposit,
                &provider,
            )
            .await?;
        }
        let m = store::measurements::get(&mut *self.tx, self.tenant.id, measurement).await?;
        let price_line = match price {
            Some(p) if deposit > 0 && deposit < p => self.say.t(
                Key::PriceDeposit,
                &[
                    ("price", &self.say.money(p)),
                    ("deposit", &self.say.money(deposit)),
                ],
            ),
            Some(p) if p > 0 => self.say.t(Key::PriceFull, &[("price", &self.say.money(p))]),
            _ => self.say.t(Key::PriceToConfirm, &[]),
        };
        let body = self.say.t(
            Key::TailorConfirmed,
            &[
                ("ref", &order.order_ref),
                ("qty", &qty.to_string()),
                ("style", style),
                ("deadline", &self.say.date(deadline)),
                ("measures", &self.say.measures(&values_of(&m))),
                ("price", &price_line),
            ],
        );
        self.confirm_tailor(order.id, body);
        Ok(())
    }

    fn confirm_tailor(&mut self, order: OrderId, body: String) {
        self.reply_for(self.say.text(body), order);
        self.state.tailor.draft = None;
        self.state.tailor.step = TailorStep::Idle;
    }

    /// The unit price of the made-to-order product the style names (the
    /// longest name or alias found in it), if any.
    async fn style_price(&mut self, style: &str) -> anyhow::Result<Option<i64>> {
        let style = fold(style);
        let catalog = self.catalog().await?;
        Ok(catalog
            .iter()
            .flat_map(|p| {
                std::iter::once(&p.name)
                    .chain(p.aliases.0.iter())
                    .map(move |n| (p, fold(n)))
            })
            .filter(|(_, name)| !name.is_empty() && contains_words(&style, name))
            .max_by_key(|(_, name)| name.len())
            .map(|(p, _)| p.price))
    }
}

/// A draft with everything an order needs.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ReadyDraft {
    pub style: String,
    pub deadline: NaiveDate,
    pub measurement: MeasurementId,
}

/// What a draft still needs, asked in this order: the style, the
/// deadline, the measurements; or that it is ready to place.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Missing {
    Needs(TailorStep),
    Ready(ReadyDraft),
}
use Missing::{Needs, Ready};

pub(crate) fn missing(draft: &TailorDraft) -> Missing {
    let Some(style) = draft.style.clone() else {
        return Needs(TailorStep::Style);
    };
    let Some(deadline) = draft.deadline else {
        return Needs(TailorStep::Deadline);
    };
    let Some(measurement) = draft.measurement else {
        return Needs(TailorStep::Measures);
    };
    Ready(ReadyDraft {
        style,
        deadline,
        measurement,
    })
}

/// A version's values by measurement name.
fn values_of(m: &Measurement) -> BTreeMap<String, f64> {
    let mut out = m.custom_fields.0.clone();
    for (name, v) in [
        ("chest", m.chest),
        ("waist", m.waist),
        ("hip", m.hip),
        ("shoulder", m.shoulder),
        ("sleeve", m.sleeve),
        ("inseam", m.inseam),
        ("neck", m.neck),
    ] {
        if let Some(v) = v {
            out.insert(name.to_string(), v);
        }
    }
    out
}

/// Lowercase, accents folded, words separated by single spaces.
fn fold(s: &str) -> String {
    s.to_lowercase()
        .chars()
        .map(|c| match c {
            'á' | 'à' | 'â' => 'a',
            'é' | 'è' | 'ê' => 'e',
            'í' | 'ì' => 'i',
            'ó' | 'ò' | 'ô' => 'o',
            'ú' | 'ù' | 'ü' => 'u',
            'ñ' => 'n',
            c if c.is_alphanumeric() => c,
            _ => ' ',
        })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn contains_words(haystack: &str, needle: &str) -> bool {
    format!(" {haystack} ").contains(&format!(" {needle} "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_draft_asks_for_style_then_deadline_then_measurements() {
        let mut d = TailorDraft {
            quantity: 1,
            ..TailorDraft::default()
        };
        assert_eq!(missing(&d), Needs(TailorStep::Style));
        d.deadline = NaiveDate::from_ymd_opt(2026, 12, 12);
        assert_eq!(missing(&d), Needs(TailorStep::Style), "style comes first");
        d.style = Some("ankara midi dress".into());
        assert_eq!(missing(&d), Needs(TailorStep::Measures));
        d.deadline = None;
        assert_eq!(missing(&d), Needs(TailorStep::Deadline));
        d.deadline = NaiveDate::from_ymd_opt(2026, 12, 12);
        let m = MeasurementId::new();
        d.measurement = Some(m);
        assert_eq!(
            missing(&d),
            Ready(ReadyDraft {
                style: "ankara midi dress".into(),
                deadline: NaiveDate::from_ymd_opt(2026, 12, 12).unwrap(),
                measurement: m,
            })
        );
    }

    #[test]
    fn styles_match_whole_words() {
        assert!(contains_words(
            &fold("Ankara Midi-Dress"),
            &fold("midi dress")
        ));
        assert!(!contains_words(&fold("agbadas"), &fold("agbada")));
        assert_eq!(fold("  Vestido  de Fiesta "), "vestido de fiesta");
    }
}
