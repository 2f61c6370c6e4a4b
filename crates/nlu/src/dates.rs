//! Deadlines: calendar dates in the tenant's timezone, relative to `now`
//! (nlu.md "Conventions"). A date attached to something the customer will do
//! ("tomorrow I will bring the fabric", "I'll pay Friday") is not a deadline.

use chrono::{Datelike, Days, NaiveDate, Weekday};

use crate::Lang;
use crate::lexicon::{month, number_word, weekday};
use crate::text::Text;

/// Finds the order's deadline, marking the tokens it used.
pub(crate) fn deadline(t: &Text<'_>, used: &mut [bool], today: NaiveDate) -> Option<NaiveDate> {
    let mut i = 0;
    while i < t.len() {
        if used[i] {
            i += 1;
            continue;
        }
        if let Some((date, start, end)) = date_at(t, used, i, today) {
            if !about_customer_action(t, start, end) {
                for u in &mut used[start..end] {
                    *u = true;
                }
                return Some(date);
            }
            i = end;
        } else {
            i += 1;
        }
    }
    None
}

fn add_days(d: NaiveDate, n: u64) -> Option<NaiveDate> {
    d.checked_add_days(Days::new(n))
}

/// Next occurrence strictly after today.
fn next_weekday(today: NaiveDate, wd: Weekday) -> Option<NaiveDate> {
    let diff =
        (7 + wd.num_days_from_monday() as i64 - today.weekday().num_days_from_monday() as i64) % 7;
    let diff = if diff == 0 { 7 } else { diff };
    add_days(today, diff as u64)
}

/// Next (month, day) on or after today; an explicit year is taken as is.
fn next_day_month(today: NaiveDate, m: u32, d: u32, year: Option<i32>) -> Option<NaiveDate> {
    if let Some(y) = year {
        return NaiveDate::from_ymd_opt(y, m, d);
    }
    match NaiveDate::from_ymd_opt(today.year(), m, d) {
        Some(date) if date >= today => Some(date),
        _ => NaiveDate::from_ymd_opt(today.year() + 1, m, d),
    }
}

/// Next day-of-month `d` on or after today.
fn next_day_of_month(today: NaiveDate, d: u32) -> Option<NaiveDate> {
    let (mut y, mut m) = (today.year(), today.month());
    for _ in 0..13 {
        if let Some(date) = NaiveDate::from_ymd_opt(y, m, d)
            && date >= today
        {
            return Some(date);
        }
        m += 1;
        if m > 12 {
            m = 1;
            y += 1;
        }
    }
    None
}

/// A day-of-month number token (1..=31, integer, at most two digits).
fn day_num(t: &Text<'_>, used: &[bool], i: usize) -> Option<u32> {
    if !t.is_num(i)
        || used.get(i).copied().unwrap_or(true)
        || t.digits(i) > 2
        || t.s(i).contains(['.', ','])
    {
        return None;
    }
    let v = t.value(i) as u32;
    (1..=31).contains(&v).then_some(v)
}

fn is_ordinal(w: &str) -> bool {
    matches!(w, "st" | "nd" | "rd" | "th")
}

/// Skips an ordinal suffix glued to the number at `i`.
fn after_ordinal(t: &Text<'_>, i: usize) -> (usize, bool) {
    if t.glued(i + 1) && is_ordinal(t.s(i + 1)) {
        (i + 2, true)
    } else {
        (i + 1, false)
    }
}

fn year_at(t: &Text<'_>, i: usize) -> Option<i32> {
    (t.is_num(i) && t.digits(i) == 4 && !t.s(i).contains(['.', ',']))
        .then(|| t.value(i) as i32)
        .filter(|y| (2000..=2100).contains(y))
}

/// Tries every date form at token `i`: (date, first token, end token).
fn date_at(
    t: &Text<'_>,
    used: &[bool],
    i: usize,
    today: NaiveDate,
) -> Option<(NaiveDate, usize, usize)> {
    let w = t.s(i);
    // Relative days.
    match w {
        "today" | "tonight" | "hoy" | "leo" => return Some((today, i, i + 1)),
        "esta" if t.s(i + 1) == "noche" => return Some((today, i, i + 2)),
        "christmas" | "xmas" | "navidad" | "krismasi" => {
            return Some((next_day_month(today, 12, 25, None)?, i, i + 1));
        }
        "tomorrow" | "tmrw" | "tmr" | "tomoro" | "tomorow" | "tommorow" | "tommorrow"
        | "tomorrw" | "tmorrow" => {
            if i > 0 && t.s(i - 1) == "next" {
                return Some((add_days(today, 2)?, i - 1, i + 1));
            }
            if i >= 2 && t.s(i - 2) == "day" && t.s(i - 1) == "after" {
                return Some((add_days(today, 2)?, i - 2, i + 1));
            }
            return Some((add_days(today, 1)?, i, i + 1));
        }
        "kesho" => {
            if t.s(i + 1) == "kutwa" {
                return Some((add_days(today, 2)?, i, i + 2));
            }
            return Some((add_days(today, 1)?, i, i + 1));
        }
        "keshokutwa" => return Some((add_days(today, 2)?, i, i + 1)),
        "pasado" if t.s(i + 1) == "manana" => return Some((add_days(today, 2)?, i, i + 2)),
        "manana" => {
            // "a la mañana", "esta mañana", "de mañana": the morning, not tomorrow.
            let prev = if i > 0 { t.s(i - 1) } else { "" };
            if matches!(prev, "la" | "esta" | "de" | "pasado") {
                return None;
            }
            return Some((add_days(today, 1)?, i, i + 1));
        }
        "2" if t.glued(i + 1)
            && matches!(t.s(i + 1), "moro" | "morow" | "morrow" | "mrw" | "mao") =>
        {
            return Some((add_days(today, 1)?, i, i + 2));
        }
        _ => {}
    }
    // Weekdays ("Friday", "this Saturday", "el sábado que viene", "jumamosi").
    if let Some(wd) = weekday(w) {
        let mut end = i + 1;
        if t.s(end) == "que" && t.s(end + 1) == "viene" {
            end += 2;
        }
        return Some((next_weekday(today, wd)?, i, end));
    }
    // "in 3 days", "in two weeks", "en 10 días", "baada ya siku tatu", "wiki mbili".
    if matches!(w, "in" | "en" | "within" | "dentro") {
        let mut k = i + 1;
        if t.s(k) == "de" {
            k += 1;
        }
        if let Some((n, after)) = count_at(t, used, k)
            && let Some(mult) = unit_days(t.s(after))
        {
            return Some((add_days(today, u64::from(n) * mult)?, i, after + 1));
        }
    }
    if w == "siku" || w == "wiki" {
        // Swahili puts the number after the unit; "baada ya" (after) usually precedes.
        if let Some((n, after)) = count_at(t, used, i + 1) {
            let mult = if w == "siku" { 1 } else { 7 };
            let start = if i >= 2 && t.s(i - 2) == "baada" && t.s(i - 1) == "ya" {
                i - 2
            } else {
                i
            };
            return Some((add_days(today, u64::from(n) * mult)?, start, after));
        }
    }
    // Day and month, either order, optional ordinal, "of"/"de", and year.
    if let Some(d) = day_num(t, used, i) {
        let (mut k, ordinal) = after_ordinal(t, i);
        if matches!(t.s(k), "of" | "de") {
            k += 1;
        }
        if let Some(m) = month(t.s(k), false) {
            let mut end = k + 1;
            let mut year = None;
            if matches!(t.s(end), "de" | ",") && year_at(t, end + 1).is_some() {
                end += 1;
            }
            if let Some(y) = year_at(t, end) {
                year = Some(y);
                end += 1;
            }
            return Some((next_day_month(today, m, d, year)?, i, end));
        }
        // 20/12 or 20/12/2026: day first, as in all three of our countries.
        if t.s(i + 1) == "/" && t.glued(i + 1) && t.glued(i + 2) {
            if let Some(m) = day_num(t, used, i + 2).filter(|m| *m <= 12) {
                let mut end = i + 3;
                let mut year = None;
                if t.s(end) == "/" && t.glued(end) {
                    if let Some(y) = year_at(t, end + 1) {
                        year = Some(y);
                        end += 2;
                    } else if t.is_num(end + 1) && t.digits(end + 1) == 2 {
                        year = Some(2000 + t.value(end + 1) as i32);
                        end += 2;
                    }
                }
                return Some((next_day_month(today, m, d, year)?, i, end));
            }
            return None;
        }
        // Bare day of month: needs an ordinal or a date-ish word before it.
        let prev = if i > 0 { t.s(i - 1) } else { "" };
        let prev2 = if i > 1 { t.s(i - 2) } else { "" };
        let dateish_prev = matches!(prev, "tarehe")
            || (prev == "el" && !matches!(t.s(k), "de" | "y"))
            || (prev == "the" && (ordinal || matches!(prev2, "on" | "by" | "for" | "before")));
        if ordinal || dateish_prev {
            let start = if dateish_prev { i - 1 } else { i };
            return Some((next_day_of_month(today, d)?, start, k));
        }
        return None;
    }
    if let Some(m) = month(w, true) {
        let mut k = i + 1;
        if matches!(t.s(k), "the") {
            k += 1;
        }
        if let Some(d) = day_num(t, used, k) {
            let (mut end, _) = after_ordinal(t, k);
            let mut year = None;
            if t.s(end) == "," && year_at(t, end + 1).is_some() {
                end += 1;
            }
            if let Some(y) = year_at(t, end) {
                year = Some(y);
                end += 1;
            }
            return Some((next_day_month(today, m, d, year)?, i, end));
        }
    }
    None
}

/// A count for "in N days": digits or a number word (English, Swahili or
/// Spanish: the unit word already tells the language apart), or "a"/"una".
fn count_at(t: &Text<'_>, used: &[bool], i: usize) -> Option<(u32, usize)> {
    if t.is_num(i) && !used.get(i).copied().unwrap_or(true) && t.digits(i) <= 3 {
        return Some((t.value(i) as u32, i + 1));
    }
    let w = t.s(i);
    if matches!(w, "a" | "an" | "one") {
        return Some((1, i + 1));
    }
    number_word(w, Lang::En)
        .or_else(|| number_word(w, Lang::Es))
        .map(|n| (n, i + 1))
}

fn unit_days(w: &str) -> Option<u64> {
    match w {
        "day" | "days" | "dia" | "dias" => Some(1),
        "week" | "weeks" | "semana" | "semanas" => Some(7),
        _ => None,
    }
}

/// Is the clause around tokens `start..end` about something the customer will
/// do (bring the fabric, pay, come for a fitting) rather than the order's due date?
fn about_customer_action(t: &Text<'_>, start: usize, end: usize) -> bool {
    let is_boundary = |i: usize| {
        t.is_clause_break(i) || matches!(t.s(i), "\n" | "and" | "but" | "pero" | "so" | "then")
    };
    let mut a = start;
    while a > 0 && !is_boundary(a - 1) {
        a -= 1;
    }
    let mut b = end;
    while b < t.len() && !is_boundary(b) {
        b += 1;
    }
    let cue = |i: usize| {
        let w = t.s(i);
        matches!(
            w,
            "fabric"
                | "material"
                | "tela"
                | "kitambaa"
                | "fitting"
                | "prueba"
                | "pay"
                | "paying"
                | "payment"
                | "balance"
                | "pagar"
                | "pago"
                | "pagarte"
                | "transfiero"
                | "transferir"
                | "nitalipa"
                | "nitakulipa"
                | "nitatuma"
                | "nitaleta"
                | "salary"
                | "sueldo"
                | "cobro"
                | "sent"
                | "paid"
                | "confirmed"
                | "received"
        ) || (matches!(w, "bring" | "drop" | "transfer" | "send")
            && crate::fields::customer_does(t, i))
            || (w == "send"
                && t.s(i + 1) == "the"
                && matches!(t.s(i + 2), "money" | "balance" | "deposit"))
    };
    (a..b).any(cue)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn dl(s: &str) -> Option<NaiveDate> {
        let t = Text::new(s);
        let mut used = vec![false; t.len()];
        deadline(&t, &mut used, d("2026-11-22"))
    }

    #[test]
    fn forms() {
        assert_eq!(dl("for tomorrow"), Some(d("2026-11-23")));
        assert_eq!(dl("next tomorrow"), Some(d("2026-11-24")));
        assert_eq!(dl("pasado mañana"), Some(d("2026-11-24")));
        assert_eq!(dl("a la mañana"), None);
        assert_eq!(dl("Friday"), Some(d("2026-11-27")));
        assert_eq!(dl("this sunday"), Some(d("2026-11-29")));
        assert_eq!(dl("el sábado que viene"), Some(d("2026-11-28")));
        assert_eq!(dl("Dec 20"), Some(d("2026-12-20")));
        assert_eq!(dl("20th of December"), Some(d("2026-12-20")));
        assert_eq!(dl("el 24 de diciembre"), Some(d("2026-12-24")));
        assert_eq!(dl("5th January"), Some(d("2027-01-05")));
        assert_eq!(dl("on the 19th"), Some(d("2026-12-19")));
        assert_eq!(dl("on the 22nd"), Some(d("2026-11-22")));
        assert_eq!(dl("in 3 days"), Some(d("2026-11-25")));
        assert_eq!(dl("in two weeks"), Some(d("2026-12-06")));
        assert_eq!(dl("20/12"), Some(d("2026-12-20")));
        assert_eq!(dl("tomorrow I will bring the fabric"), None);
        assert_eq!(
            dl("I need it Friday, I'll bring the fabric tomorrow"),
            Some(d("2026-11-27"))
        );
    }
}
