//! Tailors: an order message starts a draft (style, quantity, deadline,
//! notes, and any measurements in it saved as a new version); the bot asks
//! only for what is missing (the deadline, then measurements, offering to
//! reuse the saved ones with MEASURES), then confirms the order with its
//! reference, price and deposit due.

use super::session::{Step, TailorDraft};
use super::{Convo, Input, Word};
use chrono::{NaiveTime, TimeZone};
use domain::commerce::deposit_due;
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
            self.state.step = Step::Idle;
            self.state.draft = None;
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
            Input::Date(date, text) if self.state.draft.is_some() => {
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
        let drafting = self.state.draft.is_some();
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
                self.state.draft = None;
                self.state.step = Step::Idle;
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
        if self.state.draft.is_some() {
            // Ask again for what the draft is missing, counting the miss.
            if self.miss() {
                return self.handoff(words).await;
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
        let draft = self.state.draft.get_or_insert_with(|| TailorDraft {
            quantity: 1,
            ..TailorDraft::default()
        });
        if let Some(style) = &u.style {
            draft.style = Some(style.clone());
        } else if let Some(item) = u.items.as_ref().and_then(|i| i.first()) {
            // A style the tailor lists in the catalog comes back as an item.
            if let Some(p) = self.products.iter().find(|p| p.sku == item.sku) {
                draft.style = Some(p.name.clone());
                draft.quantity = item.qty.max(1);
            }
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
            if self.state.draft.is_some() {
                self.state.step = Step::Measures;
            }
            return Ok(());
        };
        match &mut self.state.draft {
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
        let Some(draft) = self.state.draft.clone() else {
            return Ok(());
        };
        let Some(style) = draft.style.clone() else {
            self.state.step = Step::Style;
            let body = self.say.t(Key::TailorAskStyle, &[]);
            self.reply(self.say.text(body));
            return Ok(());
        };
        let Some(deadline) = draft.deadline else {
            self.state.step = Step::Deadline;
            let body = self.say.t(Key::TailorAskDeadline, &[("style", &style)]);
            self.reply(self.say.text(body));
            return Ok(());
        };
        let Some(measurement) = draft.measurement else {
            self.state.step = Step::Measures;
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
            return Ok(());
        };
        self.place_tailor(&draft, &style, deadline, measurement)
            .await
    }

    async fn place_tailor(
        &mut self,
        draft: &TailorDraft,
        style: &str,
        deadline: chrono::NaiveDate,
        measurement: MeasurementId,
    ) -> anyhow::Result<()> {
        let qty = draft.quantity.max(1);
        let unit_price = self.style_price(style);
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
                currency: self.tenant.currency.code().to_string(),
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
        self.state.draft = None;
        self.state.step = Step::Idle;
    }

    /// The unit price of the made-to-order product the style names (the
    /// longest name or alias found in it), if any.
    fn style_price(&self, style: &str) -> Option<i64> {
        let style = fold(style);
        self.products
            .iter()
            .flat_map(|p| {
                std::iter::once(&p.name)
                    .chain(p.aliases.0.iter())
                    .map(move |n| (p, fold(n)))
            })
            .filter(|(_, name)| !name.is_empty() && contains_words(&style, name))
            .max_by_key(|(_, name)| name.len())
            .map(|(p, _)| p.price)
    }
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
    fn styles_match_whole_words() {
        assert!(contains_words(
            &fold("Ankara Midi-Dress"),
            &fold("midi dress")
        ));
        assert!(!contains_words(&fold("agbadas"), &fold("agbada")));
        assert_eq!(fold("  Vestido  de Fiesta "), "vestido de fiesta");
    }
}
