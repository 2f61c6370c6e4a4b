//! Turning catalog keys into WhatsApp messages in the tenant's language:
//! texts, reply buttons and list messages within Meta's limits, money,
//! dates and times in the tenant's locale and timezone.

use channels::outbound::{
    BUTTON_TITLE_MAX, Button, LIST_BUTTON_MAX, OutMessage, ROW_DESCRIPTION_MAX, ROW_TITLE_MAX, Row,
    SECTION_TITLE_MAX, Section,
};
use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use domain::hours::{Day, When, describe};
use domain::money::{Currency, Money};
use domain::text::{Key, Overrides, render};
use std::collections::BTreeMap;

pub struct Say {
    /// The catalog language (`en`, `es`, `sw`).
    pub lang: &'static str,
    /// The language of greetings: Swahili for English-speaking tenants in
    /// Kenya and Tanzania, where "Habari" and "Karibu" are natural.
    pub greet_lang: &'static str,
    pub locale: String,
    pub currency: Currency,
    pub tz: Tz,
    pub overrides: Overrides,
}

impl Say {
    pub fn new(locale: &str, currency: Currency, tz: Tz, overrides: Overrides) -> Say {
        let lang = domain::text::language_of(locale);
        let region = locale.rsplit(['-', '_']).next().unwrap_or("");
        let greet_lang = if lang == "en" && matches!(region, "KE" | "TZ" | "UG") {
            "sw"
        } else {
            lang
        };
        Say {
            lang,
            greet_lang,
            locale: locale.to_string(),
            currency,
            tz,
            overrides,
        }
    }

    pub fn t(&self, key: Key, args: &[(&str, &str)]) -> String {
        render(self.lang, key, args, &self.overrides)
    }

    /// A greeting-flavoured text (see `greet_lang`).
    pub fn greet(&self, key: Key, args: &[(&str, &str)]) -> String {
        render(self.greet_lang, key, args, &self.overrides)
    }

    pub fn money(&self, minor: i64) -> String {
        Money::new(minor, self.currency).display(&self.locale)
    }

    pub fn text(&self, body: String) -> OutMessage {
        OutMessage::Text {
            body,
            preview_url: false,
        }
    }

    /// A message with up to three reply buttons.
    pub fn buttons(&self, body: String, buttons: &[(&str, Key)]) -> OutMessage {
        OutMessage::Buttons {
            header: None,
            body,
            footer: None,
            buttons: buttons
                .iter()
                .take(3)
                .map(|(id, key)| Button {
                    id: (*id).to_string(),
                    title: clip(&self.t(*key, &[]), BUTTON_TITLE_MAX),
                })
                .collect(),
        }
    }

    /// A list message; empty sections are dropped.
    pub fn list(
        &self,
        body: String,
        button: Key,
        sections: Vec<(Option<Key>, Vec<Row>)>,
    ) -> OutMessage {
        OutMessage::List {
            header: None,
            body,
            footer: None,
            button: clip(&self.t(button, &[]), LIST_BUTTON_MAX),
            sections: sections
                .into_iter()
                .filter(|(_, rows)| !rows.is_empty())
                .map(|(title, rows)| Section {
                    title: title.map(|k| clip(&self.t(k, &[]), SECTION_TITLE_MAX)),
                    rows,
                })
                .collect(),
        }
    }

    /// When `at` is, said relative to `now` ("today at 19:00").
    pub fn when(&self, at: DateTime<Utc>, now: DateTime<Utc>) -> String {
        let hm = |t: chrono::NaiveTime| t.format("%H:%M").to_string();
        match describe(at, now, self.tz) {
            When::Today(t) => self.t(Key::WhenToday, &[("time", &hm(t))]),
            When::Tomorrow(t) => self.t(Key::WhenTomorrow, &[("time", &hm(t))]),
            When::Weekday(day, t) => {
                let day = self.t(day_key(day), &[]);
                self.t(Key::WhenWeekday, &[("day", &day), ("time", &hm(t))])
            }
            When::Date(d, t) => {
                let date = self.date(d);
                self.t(Key::WhenDate, &[("date", &date), ("time", &hm(t))])
            }
        }
    }

    pub fn date(&self, d: NaiveDate) -> String {
        if self.lang == "es" {
            d.format("%d/%m/%Y").to_string()
        } else {
            d.format("%-d %b %Y").to_string()
        }
    }

    /// The local date of an instant.
    pub fn local_date(&self, at: DateTime<Utc>) -> NaiveDate {
        at.with_timezone(&self.tz).date_naive()
    }

    /// "chest 38 in, waist 32 in" (or "pecho 96,5 cm, ..." in Spanish):
    /// values are stored in inches; Spanish-speaking tailors measure in cm.
    pub fn measures(&self, values: &BTreeMap<String, f64>) -> String {
        let metric = self.lang == "es";
        values
            .iter()
            .map(|(name, inches)| {
                let label = measure_key(name).map_or_else(|| name.clone(), |k| self.t(k, &[]));
                if metric {
                    let cm = (inches * domain::measurement::CM_PER_INCH * 2.0).round() / 2.0;
                    format!("{label} {} cm", number(cm).replace('.', ","))
                } else {
                    format!("{label} {} in", number(*inches))
                }
            })
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// A list row within Meta's limits.
pub fn row(id: String, title: &str, description: Option<String>) -> Row {
    Row {
        id,
        title: clip(title, ROW_TITLE_MAX),
        description: description.map(|d| clip(&d, ROW_DESCRIPTION_MAX)),
    }
}

/// Shortens `s` to `max` characters, ending with an ellipsis when cut.
pub fn clip(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

fn number(v: f64) -> String {
    let rounded = (v * 100.0).round() / 100.0;
    let s = format!("{rounded:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

fn day_key(day: Day) -> Key {
    match day {
        Day::Mon => Key::DayMon,
        Day::Tue => Key::DayTue,
        Day::Wed => Key::DayWed,
        Day::Thu => Key::DayThu,
        Day::Fri => Key::DayFri,
        Day::Sat => Key::DaySat,
        Day::Sun => Key::DaySun,
    }
}

fn measure_key(name: &str) -> Option<Key> {
    Some(match name {
        "chest" => Key::MeasureChest,
        "waist" => Key::MeasureWaist,
        "hip" => Key::MeasureHip,
        "shoulder" => Key::MeasureShoulder,
        "sleeve" => Key::MeasureSleeve,
        "inseam" => Key::MeasureInseam,
        "neck" => Key::MeasureNeck,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clip_keeps_short_text_and_marks_cuts() {
        assert_eq!(clip("Empanada", 24), "Empanada");
        let c = clip("Empanada de carne cortada a cuchillo", 24);
        assert_eq!(c.chars().count(), 24);
        assert!(c.ends_with('…'));
    }

    #[test]
    fn numbers_drop_useless_decimals() {
        assert_eq!(number(38.0), "38");
        assert_eq!(number(29.92), "29.92");
        assert_eq!(number(96.5), "96.5");
    }
}
