//! Money, dates and times as the business reads them: its currency, its
//! timezone, its language's month names.

use super::words::{Table, Words};
use chrono::{DateTime, Datelike, NaiveDate, Timelike, Utc};
use domain::money::{Currency, Money};

pub const WORDS: Table = &[
    ("month.1", "Jan", "ene"),
    ("month.2", "Feb", "feb"),
    ("month.3", "Mar", "mar"),
    ("month.4", "Apr", "abr"),
    ("month.5", "May", "may"),
    ("month.6", "Jun", "jun"),
    ("month.7", "Jul", "jul"),
    ("month.8", "Aug", "ago"),
    ("month.9", "Sep", "sep"),
    ("month.10", "Oct", "oct"),
    ("month.11", "Nov", "nov"),
    ("month.12", "Dec", "dic"),
    ("weekday.1", "Monday", "lunes"),
    ("weekday.2", "Tuesday", "martes"),
    ("weekday.3", "Wednesday", "miércoles"),
    ("weekday.4", "Thursday", "jueves"),
    ("weekday.5", "Friday", "viernes"),
    ("weekday.6", "Saturday", "sábado"),
    ("weekday.7", "Sunday", "domingo"),
    ("date.today", "today", "hoy"),
    ("date.tomorrow", "tomorrow", "mañana"),
    ("date.yesterday", "yesterday", "ayer"),
    ("stage.received", "Received", "Recibido"),
    ("stage.cutting", "Cutting", "Corte"),
    ("stage.sewing", "Sewing", "Costura"),
    ("stage.fitting", "Fitting", "Prueba"),
    ("stage.preparing", "Preparing", "En preparación"),
    ("stage.packed", "Packed", "Empacado"),
    ("stage.ready", "Ready", "Listo"),
    ("stage.out_for_delivery", "Out for delivery", "En reparto"),
    ("stage.delivered", "Delivered", "Entregado"),
    ("stage.cancelled", "Cancelled", "Cancelado"),
    ("urgency.overdue", "Overdue", "Atrasado"),
    ("urgency.urgent", "Urgent", "Urgente"),
    ("source.whatsapp", "WhatsApp", "WhatsApp"),
    ("source.dashboard", "Dashboard", "Panel"),
    ("source.walk_in", "Walk-in", "En el local"),
    ("source.api", "API", "API"),
];

/// A stage's name on screen.
pub fn stage(w: Words, s: domain::order::Stage) -> &'static str {
    use domain::order::Stage;
    w.t(match s {
        Stage::Received => "stage.received",
        Stage::Cutting => "stage.cutting",
        Stage::Sewing => "stage.sewing",
        Stage::Fitting => "stage.fitting",
        Stage::Preparing => "stage.preparing",
        Stage::Packed => "stage.packed",
        Stage::Ready => "stage.ready",
        Stage::OutForDelivery => "stage.out_for_delivery",
        Stage::Delivered => "stage.delivered",
        Stage::Cancelled => "stage.cancelled",
    })
}

/// `₦45,000` / `$9.500`, in the page's language's separators.
pub fn money(minor: i64, currency: &Currency, w: Words) -> String {
    Money::new(minor, *currency).display(w.lang())
}

fn month(w: Words, m: u32) -> &'static str {
    w.t(match m {
        1 => "month.1",
        2 => "month.2",
        3 => "month.3",
        4 => "month.4",
        5 => "month.5",
        6 => "month.6",
        7 => "month.7",
        8 => "month.8",
        9 => "month.9",
        10 => "month.10",
        11 => "month.11",
        _ => "month.12",
    })
}

pub fn weekday(w: Words, d: NaiveDate) -> &'static str {
    w.t(match d.weekday().number_from_monday() {
        1 => "weekday.1",
        2 => "weekday.2",
        3 => "weekday.3",
        4 => "weekday.4",
        5 => "weekday.5",
        6 => "weekday.6",
        _ => "weekday.7",
    })
}

/// `12 Dec` (`12 dic`), with the year when it is not `this_year`.
pub fn day(w: Words, d: NaiveDate, this_year: i32) -> String {
    if d.year() == this_year {
        format!("{} {}", d.day(), month(w, d.month()))
    } else {
        format!("{} {} {}", d.day(), month(w, d.month()), d.year())
    }
}

/// `Tuesday 1 Dec` — the greeting's date.
pub fn long_day(w: Words, d: NaiveDate) -> String {
    format!("{} {}", weekday(w, d), day(w, d, d.year()))
}

/// A due date relative to `today`: "today", "tomorrow", or the day.
pub fn due(w: Words, d: NaiveDate, today: NaiveDate) -> String {
    match (d - today).num_days() {
        0 => w.t("date.today").to_string(),
        1 => w.t("date.tomorrow").to_string(),
        -1 => w.t("date.yesterday").to_string(),
        _ => day(w, d, today.year()),
    }
}

/// An instant in the business's timezone: `14:05` today, else `3 Dec 14:05`.
pub fn when(w: Words, at: DateTime<Utc>, tz: chrono_tz::Tz, now: DateTime<Utc>) -> String {
    let local = at.with_timezone(&tz);
    let today = now.with_timezone(&tz).date_naive();
    let time = format!("{:02}:{:02}", local.hour(), local.minute());
    if local.date_naive() == today {
        time
    } else {
        format!("{} {time}", day(w, local.date_naive(), today.year()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_read_in_the_business_language_and_zone() {
        let en = Words::for_lang("en");
        let es = Words::for_lang("es");
        let d = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap_or_default();
        assert_eq!(long_day(en, d), "Tuesday 1 Dec");
        assert_eq!(long_day(es, d), "martes 1 dic");
        assert_eq!(due(en, d.succ_opt().unwrap_or(d), d), "tomorrow");
        assert_eq!(day(es, d, 2025), "1 dic 2026");
        let at = DateTime::parse_from_rfc3339("2026-12-01T23:30:00Z")
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_default();
        // 23:30 UTC is already the 2nd in Lagos (UTC+1).
        assert_eq!(when(en, at, chrono_tz::Africa::Lagos, at), "00:30");
        assert_eq!(
            when(en, at, chrono_tz::UTC, at + chrono::Duration::days(1)),
            "1 Dec 23:30"
        );
    }

    #[test]
    fn money_uses_the_language_separators() {
        let ngn = Currency::parse("NGN").unwrap_or_else(|_| unreachable!());
        assert_eq!(money(4_500_000, &ngn, Words::for_lang("en")), "₦45,000");
        let ars = Currency::parse("ARS").unwrap_or_else(|_| unreachable!());
        assert!(money(950_000, &ars, Words::for_lang("es")).contains("9.500"));
    }
}
