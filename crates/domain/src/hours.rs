//! Opening hours: when a tenant takes orders, evaluated in its own timezone.
//!
//! Hours are a weekly pattern of shifts in local wall-clock time, a
//! last-order cut-off and whole dates closed for holidays. Everything is
//! worked out on local dates and only then turned into UTC instants, so a
//! shift keeps its wall-clock times across DST changes.

use crate::tenant::str_enum;
use chrono::{
    DateTime, Datelike, Duration, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, TimeZone,
    Timelike, Utc, Weekday,
};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// More shifts than this in one day is a typo, not a timetable.
pub const MAX_SHIFTS_PER_DAY: usize = 4;
/// The longest last-order cut-off, in minutes.
pub const MAX_LAST_ORDER_MINUTES: u32 = 240;
/// A year of holidays, leap day included.
pub const MAX_CLOSED_DATES: usize = 366;
/// How far ahead `next_open` looks, in days.
pub const SEARCH_DAYS: u32 = 400;

const SECONDS_PER_DAY: u32 = 86_400;

/// A day of the week; serialized as `"mon"`..`"sun"`, ordered Monday first.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Day {
    Mon,
    Tue,
    Wed,
    Thu,
    Fri,
    Sat,
    Sun,
}

str_enum!(
    Day,
    Day::Mon,
    Day::Tue,
    Day::Wed,
    Day::Thu,
    Day::Fri,
    Day::Sat,
    Day::Sun
);

impl Day {
    pub const ALL: [Day; 7] = [
        Day::Mon,
        Day::Tue,
        Day::Wed,
        Day::Thu,
        Day::Fri,
        Day::Sat,
        Day::Sun,
    ];

    pub fn as_str(&self) -> &'static str {
        match self {
            Day::Mon => "mon",
            Day::Tue => "tue",
            Day::Wed => "wed",
            Day::Thu => "thu",
            Day::Fri => "fri",
            Day::Sat => "sat",
            Day::Sun => "sun",
        }
    }

    /// The day after, Sunday wrapping to Monday.
    pub fn succ(self) -> Day {
        Weekday::from(self).succ().into()
    }
}

impl From<Weekday> for Day {
    fn from(w: Weekday) -> Day {
        match w {
            Weekday::Mon => Day::Mon,
            Weekday::Tue => Day::Tue,
            Weekday::Wed => Day::Wed,
            Weekday::Thu => Day::Thu,
            Weekday::Fri => Day::Fri,
            Weekday::Sat => Day::Sat,
            Weekday::Sun => Day::Sun,
        }
    }
}

impl From<Day> for Weekday {
    fn from(d: Day) -> Weekday {
        match d {
            Day::Mon => Weekday::Mon,
            Day::Tue => Weekday::Tue,
            Day::Wed => Weekday::Wed,
            Day::Thu => Weekday::Thu,
            Day::Fri => Weekday::Fri,
            Day::Sat => Weekday::Sat,
            Day::Sun => Weekday::Sun,
        }
    }
}

/// One stretch of opening, in local time. `closes <= opens` means the shift
/// runs past midnight into the next day (`19:00`–`02:00`). Serialized as
/// `{"opens": "HH:MM", "closes": "HH:MM"}`; `"24:00"` is accepted for
/// `closes` and stored as `00:00`, which ends at the following midnight.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "RawShift", into = "RawShift")]
pub struct Shift {
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "19:00"))]
    pub opens: NaiveTime,
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "02:00"))]
    pub closes: NaiveTime,
}

impl Shift {
    pub fn crosses_midnight(&self) -> bool {
        self.closes <= self.opens
    }

    /// Start and end in seconds from the start day's midnight; the end
    /// passes 86 400 when the shift crosses midnight.
    fn span(&self) -> (u32, u32) {
        let start = self.opens.num_seconds_from_midnight();
        let mut end = self.closes.num_seconds_from_midnight();
        if self.crosses_midnight() {
            end += SECONDS_PER_DAY;
        }
        (start, end)
    }
}

impl fmt::Display for Shift {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}–{}",
            self.opens.format("%H:%M"),
            self.closes.format("%H:%M")
        )
    }
}

/// The wire form of a shift: two `"HH:MM"` strings.
#[derive(Serialize, Deserialize)]
struct RawShift {
    opens: String,
    closes: String,
}

impl TryFrom<RawShift> for Shift {
    type Error = String;
    fn try_from(raw: RawShift) -> Result<Self, Self::Error> {
        let opens = parse_hhmm(&raw.opens, false).map_err(|e| format!("opens: {e}"))?;
        let closes = parse_hhmm(&raw.closes, true).map_err(|e| format!("closes: {e}"))?;
        Ok(Shift { opens, closes })
    }
}

impl From<Shift> for RawShift {
    fn from(s: Shift) -> RawShift {
        RawShift {
            opens: s.opens.format("%H:%M").to_string(),
            closes: s.closes.format("%H:%M").to_string(),
        }
    }
}

/// `H:MM` or `HH:MM`, 24-hour clock; `24:00` only where `end_of_day` allows.
fn parse_hhmm(s: &str, end_of_day: bool) -> Result<NaiveTime, String> {
    let bad = || format!("{s:?} is not a time like 09:30");
    let (h, m) = s.split_once(':').ok_or_else(bad)?;
    let digits = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
    if !(1..=2).contains(&h.len()) || m.len() != 2 || !digits(h) || !digits(m) {
        return Err(bad());
    }
    let h: u32 = h.parse().map_err(|_| bad())?;
    let m: u32 = m.parse().map_err(|_| bad())?;
    if h == 24 && m == 0 {
        return if end_of_day {
            Ok(NaiveTime::MIN)
        } else {
            Err(format!("{s:?}: a shift cannot open at 24:00; use 00:00"))
        };
    }
    NaiveTime::from_hms_opt(h, m, 0).ok_or_else(bad)
}

/// A tenant's weekly opening hours. Serialized as JSON, e.g.
/// `{"weekly": {"mon": [{"opens": "11:00", "closes": "15:00"}, {"opens":
/// "19:00", "closes": "23:30"}], "fri": [{"opens": "19:00", "closes":
/// "02:00"}]}, "last_order_minutes": 30, "closed_dates": ["2026-12-25"]}`.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct OpeningHours {
    /// A day absent (or with no shifts) is closed; an empty map means the
    /// hours are not set and the business is always open.
    #[serde(default)]
    pub weekly: BTreeMap<Day, Vec<Shift>>,
    /// Orders stop this many minutes before a shift closes.
    #[serde(default)]
    pub last_order_minutes: u32,
    /// Whole local dates closed (holidays). A date cancels the shifts that
    /// start on it; a shift from the evening before still runs past midnight.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<String>))]
    pub closed_dates: Vec<NaiveDate>,
}

/// Why a set of opening hours was refused; `field` is a path into the JSON
/// such as `weekly.mon[1].closes`, `last_order_minutes` or `closed_dates[3]`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct HoursError {
    pub field: String,
    pub message: String,
}

fn hours_error(field: impl Into<String>, message: impl Into<String>) -> HoursError {
    HoursError {
        field: field.into(),
        message: message.into(),
    }
}

/// Whether a business takes orders at a given moment.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Availability {
    /// No hours are set.
    AlwaysOpen,
    /// Taking orders now, until `last_order_at`.
    Open {
        closes_at: DateTime<Utc>,
        last_order_at: DateTime<Utc>,
    },
    /// Not taking orders; `next_open` is when it will again (None if not
    /// within 400 days).
    Closed { next_open: Option<DateTime<Utc>> },
}

/// One shift on one local date, as UTC instants.
struct Occurrence {
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    last_order: DateTime<Utc>,
}

impl Occurrence {
    /// A cut-off at or before the start leaves no time to order.
    fn takes_orders(&self) -> bool {
        self.last_order > self.start
    }
}

impl OpeningHours {
    /// Whether any hours are configured; unset hours mean always open.
    pub fn is_set(&self) -> bool {
        !self.weekly.is_empty()
    }

    /// Checks the limits and that no two shifts overlap, including a shift
    /// running past midnight into the next day's first shift.
    pub fn validate(&self) -> Result<(), HoursError> {
        if self.last_order_minutes > MAX_LAST_ORDER_MINUTES {
            return Err(hours_error(
                "last_order_minutes",
                format!("must be at most {MAX_LAST_ORDER_MINUTES} minutes"),
            ));
        }
        let cut_off = self.last_order_minutes * 60;
        for (day, shifts) in &self.weekly {
            if shifts.len() > MAX_SHIFTS_PER_DAY {
                return Err(hours_error(
                    format!("weekly.{day}"),
                    format!("at most {MAX_SHIFTS_PER_DAY} shifts a day"),
                ));
            }
            for (i, shift) in shifts.iter().enumerate() {
                if shift.opens == shift.closes {
                    return Err(hours_error(
                        format!("weekly.{day}[{i}].closes"),
                        "must differ from the opening time",
                    ));
                }
                let (start, end) = shift.span();
                if end - start <= cut_off {
                    return Err(hours_error(
                        format!("weekly.{day}[{i}]"),
                        format!(
                            "{shift} is not longer than the {}-minute last-order cut-off",
                            self.last_order_minutes
                        ),
                    ));
                }
                if let Some(other) = shifts[..i]
                    .iter()
                    .find(|o| overlaps(o.span(), shift.span()))
                {
                    return Err(hours_error(
                        format!("weekly.{day}[{i}]"),
                        format!("{shift} overlaps {other}"),
                    ));
                }
            }
        }
        // A shift past midnight must end before the next day's shifts begin.
        for (day, shifts) in &self.weekly {
            let next = day.succ();
            let Some(next_shifts) = self.weekly.get(&next) else {
                continue;
            };
            for late in shifts.iter().filter(|s| s.crosses_midnight()) {
                let (_, end) = late.span();
                let tail = (0, end - SECONDS_PER_DAY);
                if let Some(i) = next_shifts.iter().position(|s| overlaps(tail, s.span())) {
                    return Err(hours_error(
                        format!("weekly.{next}[{i}]"),
                        format!("overlaps {day} {late}, which runs past midnight"),
                    ));
                }
            }
        }
        if self.closed_dates.len() > MAX_CLOSED_DATES {
            return Err(hours_error(
                "closed_dates",
                format!("at most {MAX_CLOSED_DATES} dates"),
            ));
        }
        for (i, date) in self.closed_dates.iter().enumerate() {
            if self.closed_dates[..i].contains(date) {
                return Err(hours_error(
                    format!("closed_dates[{i}]"),
                    format!("{date} is listed twice"),
                ));
            }
        }
        Ok(())
    }

    /// Whether orders are taken at `now`: inside a shift and before its
    /// last-order cut-off (closes − `last_order_minutes`). A shift crossing
    /// midnight that started yesterday counts (unless yesterday was a closed
    /// date). Past the cut-off is `Closed`, with `next_open` the next shift
    /// start, which may be later the same day.
    pub fn availability(&self, now: DateTime<Utc>, tz: Tz) -> Availability {
        if !self.is_set() {
            return self.unset_availability(now, tz);
        }
        let today = now.with_timezone(&tz).date_naive();
        // Only today's shifts and yesterday's late ones can be running now.
        let current = [today.pred_opt(), Some(today)]
            .into_iter()
            .flatten()
            .flat_map(|date| self.occurrences(date, tz))
            .filter(|o| o.start <= now && now < o.last_order)
            .max_by_key(|o| o.last_order);
        match current {
            Some(o) => Availability::Open {
                closes_at: o.end,
                last_order_at: o.last_order,
            },
            None => Availability::Closed {
                next_open: self.next_open(now, tz),
            },
        }
    }

    /// Unset hours are always open, except on a closed date ("closed
    /// today"): then closed until the next local midnight that is not one.
    fn unset_availability(&self, now: DateTime<Utc>, tz: Tz) -> Availability {
        let mut date = now.with_timezone(&tz).date_naive();
        if !self.closed_dates.contains(&date) {
            return Availability::AlwaysOpen;
        }
        for _ in 0..=SEARCH_DAYS {
            let Some(next) = date.succ_opt() else { break };
            date = next;
            if !self.closed_dates.contains(&date) {
                return Availability::Closed {
                    next_open: Some(to_utc(tz, date.and_time(NaiveTime::MIN))),
                };
            }
        }
        Availability::Closed { next_open: None }
    }

    /// Closes the whole local `date` (the owner's "closed today"). False
    /// when it already was a closed date.
    pub fn close_on(&mut self, date: NaiveDate) -> bool {
        if self.closed_dates.contains(&date) {
            return false;
        }
        self.closed_dates.push(date);
        self.closed_dates.sort_unstable();
        true
    }

    /// Opens `date` again when it was a closed date; false when it was not
    /// (its weekly hours apply either way).
    pub fn reopen_on(&mut self, date: NaiveDate) -> bool {
        let before = self.closed_dates.len();
        self.closed_dates.retain(|d| *d != date);
        self.closed_dates.len() != before
    }

    /// The start of the next shift strictly after `after` (skipping closed
    /// dates and shifts too short to take orders), searching at most 400
    /// days. None when the hours are not set: there are no shifts.
    pub fn next_open(&self, after: DateTime<Utc>, tz: Tz) -> Option<DateTime<Utc>> {
        let mut date = after.with_timezone(&tz).date_naive();
        for _ in 0..=SEARCH_DAYS {
            // Later local dates start later, so the first date with a
            // start holds the answer.
            let first = self
                .occurrences(date, tz)
                .into_iter()
                .filter(|o| o.start > after && o.takes_orders())
                .map(|o| o.start)
                .min();
            if first.is_some() {
                return first;
            }
            date = date.succ_opt()?;
        }
        None
    }

    /// The shifts starting on a local date, unless it is a closed date.
    fn occurrences(&self, date: NaiveDate, tz: Tz) -> Vec<Occurrence> {
        if self.closed_dates.contains(&date) {
            return Vec::new();
        }
        let Some(shifts) = self.weekly.get(&Day::from(date.weekday())) else {
            return Vec::new();
        };
        let cut_off = Duration::minutes(i64::from(self.last_order_minutes));
        shifts
            .iter()
            .filter_map(|s| {
                let end_date = if s.crosses_midnight() {
                    date.succ_opt()?
                } else {
                    date
                };
                let end = to_utc(tz, end_date.and_time(s.closes));
                Some(Occurrence {
                    start: to_utc(tz, date.and_time(s.opens)),
                    end,
                    last_order: end - cut_off,
                })
            })
            .collect()
    }
}

fn overlaps(a: (u32, u32), b: (u32, u32)) -> bool {
    a.0 < b.1 && b.0 < a.1
}

/// A local wall-clock time as an instant. A time skipped by a DST change
/// becomes the first instant after the gap; a repeated one takes the
/// earlier of its two instants.
pub(crate) fn to_utc(tz: Tz, local: NaiveDateTime) -> DateTime<Utc> {
    match tz.from_local_datetime(&local) {
        LocalResult::Single(t) => t.with_timezone(&Utc),
        LocalResult::Ambiguous(a, b) => a.min(b).with_timezone(&Utc),
        LocalResult::None => after_gap(tz, local),
    }
}

/// The first instant whose local time is at or past `local`, found by
/// bisection: offsets lie within ±15 hours, and local time only moves
/// forward across a gap.
fn after_gap(tz: Tz, local: NaiveDateTime) -> DateTime<Utc> {
    let naive_secs = local.and_utc().timestamp();
    let reached = |secs: i64| {
        DateTime::from_timestamp(secs, 0)
            .is_some_and(|t| t.with_timezone(&tz).naive_local() >= local)
    };
    let (mut lo, mut hi) = (naive_secs - 15 * 3600, naive_secs + 15 * 3600);
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        if reached(mid) {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    DateTime::from_timestamp(hi, 0).unwrap_or_else(|| local.and_utc())
}

/// How a time reads relative to now in the tenant's timezone, for
/// messages: "today at 19:00", "tomorrow at 11:00", "Friday at 11:00", or a
/// date when it is 7 or more days away (or in the past).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum When {
    Today(NaiveTime),
    Tomorrow(NaiveTime),
    Weekday(Day, NaiveTime),
    Date(NaiveDate, NaiveTime),
}

/// Describes `at` relative to `now`, both read on the tenant's local calendar.
pub fn describe(at: DateTime<Utc>, now: DateTime<Utc>, tz: Tz) -> When {
    let local = at.with_timezone(&tz);
    let (date, time) = (local.date_naive(), local.time());
    let today = now.with_timezone(&tz).date_naive();
    match date.signed_duration_since(today).num_days() {
        0 => When::Today(time),
        1 => When::Tomorrow(time),
        2..=6 => When::Weekday(date.weekday().into(), time),
        _ => When::Date(date, time),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]
mod tests {
    use super::*;

    fn tz(name: &str) -> Tz {
        name.parse().unwrap()
    }

    fn t(s: &str) -> NaiveTime {
        parse_hhmm(s, true).unwrap()
    }

    fn shift(opens: &str, closes: &str) -> Shift {
        Shift {
            opens: t(opens),
            closes: t(closes),
        }
    }

    fn date(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    /// A local wall-clock time in `zone` as UTC (only for unambiguous times).
    fn at(zone: Tz, s: &str) -> DateTime<Utc> {
        let local = NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap();
        zone.from_local_datetime(&local)
            .single()
            .unwrap()
            .with_timezone(&Utc)
    }

    fn utc(s: &str) -> DateTime<Utc> {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M")
            .unwrap()
            .and_utc()
    }

    fn hours(days: &[(Day, Vec<Shift>)], last_order_minutes: u32) -> OpeningHours {
        OpeningHours {
            weekly: days.iter().cloned().collect(),
            last_order_minutes,
            closed_dates: Vec::new(),
        }
    }

    /// Lunch and dinner every day.
    fn split_shifts() -> OpeningHours {
        let day = vec![shift("11:00", "15:00"), shift("19:00", "23:30")];
        hours(&Day::ALL.map(|d| (d, day.clone())), 30)
    }

    fn open(closes_at: DateTime<Utc>, last_order_at: DateTime<Utc>) -> Availability {
        Availability::Open {
            closes_at,
            last_order_at,
        }
    }

    fn closed(next_open: DateTime<Utc>) -> Availability {
        Availability::Closed {
            next_open: Some(next_open),
        }
    }

    #[test]
    fn closing_today_closes_a_business_with_or_without_hours_and_reopening_undoes_it() {
        let lagos = tz("Africa/Lagos");
        let noon = at(lagos, "2026-03-02 12:00");
        for mut h in [OpeningHours::default(), split_shifts()] {
            let before = h.availability(noon, lagos);
            assert!(h.close_on(date("2026-03-02")));
            assert!(
                !h.close_on(date("2026-03-02")),
                "closing twice changes nothing"
            );
            assert_eq!(h.closed_dates, vec![date("2026-03-02")]);
            let Availability::Closed {
                next_open: Some(next),
            } = h.availability(noon, lagos)
            else {
                panic!("closed today: {:?}", h.availability(noon, lagos));
            };
            // Always-open hours open at the next local midnight; set hours
            // at the next shift, tomorrow.
            let expected = if h.is_set() {
                "2026-03-03 11:00"
            } else {
                "2026-03-03 00:00"
            };
            assert_eq!(next, at(lagos, expected));
            assert!(h.reopen_on(date("2026-03-02")));
            assert!(
                !h.reopen_on(date("2026-03-02")),
                "it was not closed any more"
            );
            assert_eq!(h.availability(noon, lagos), before);
        }
        // Several closed days in a row open after the last of them.
        let mut h = OpeningHours::default();
        h.close_on(date("2026-03-03"));
        h.close_on(date("2026-03-02"));
        assert_eq!(h.closed_dates, vec![date("2026-03-02"), date("2026-03-03")]);
        assert_eq!(
            h.availability(noon, lagos),
            closed(at(lagos, "2026-03-04 00:00"))
        );
    }

    #[test]
    fn split_shifts_open_for_lunch_and_dinner_with_a_cut_off() {
        let lagos = tz("Africa/Lagos");
        let h = split_shifts();
        let lagos_at = |s: &str| at(lagos, &format!("2026-03-02 {s}"));
        let lunch = open(lagos_at("15:00"), lagos_at("14:30"));
        assert_eq!(
            h.availability(lagos_at("10:59"), lagos),
            closed(lagos_at("11:00"))
        );
        assert_eq!(h.availability(lagos_at("11:00"), lagos), lunch);
        assert_eq!(h.availability(lagos_at("14:29"), lagos), lunch);
        assert_eq!(
            h.availability(lagos_at("14:30"), lagos),
            closed(lagos_at("19:00")),
            "the cut-off itself is closed"
        );
        assert_eq!(
            h.availability(lagos_at("14:31"), lagos),
            closed(lagos_at("19:00"))
        );
        assert_eq!(
            h.availability(lagos_at("16:00"), lagos),
            closed(lagos_at("19:00")),
            "between shifts the evening shift is next"
        );
        assert_eq!(
            h.availability(lagos_at("19:00"), lagos),
            open(lagos_at("23:30"), lagos_at("23:00"))
        );
        assert_eq!(
            h.availability(lagos_at("23:59"), lagos),
            closed(at(lagos, "2026-03-03 11:00")),
            "after dinner the next opening is tomorrow's lunch"
        );
    }

    #[test]
    fn unsorted_shifts_give_the_same_answers() {
        let lagos = tz("Africa/Lagos");
        let day = vec![shift("19:00", "23:30"), shift("11:00", "15:00")];
        let h = hours(&[(Day::Mon, day)], 30);
        assert_eq!(
            h.availability(at(lagos, "2026-03-02 08:00"), lagos),
            closed(at(lagos, "2026-03-02 11:00"))
        );
        assert_eq!(
            h.availability(at(lagos, "2026-03-02 23:59"), lagos),
            closed(at(lagos, "2026-03-09 11:00")),
            "only Mondays are open"
        );
    }

    #[test]
    fn a_shift_crossing_midnight_runs_into_the_next_day() {
        let lagos = tz("Africa/Lagos");
        let h = hours(&[(Day::Fri, vec![shift("19:00", "02:00")])], 30);
        let late = open(at(lagos, "2026-03-07 02:00"), at(lagos, "2026-03-07 01:30"));
        assert_eq!(h.availability(at(lagos, "2026-03-06 19:00"), lagos), late);
        assert_eq!(h.availability(at(lagos, "2026-03-06 23:59"), lagos), late);
        assert_eq!(
            h.availability(at(lagos, "2026-03-07 01:00"), lagos),
            late,
            "Saturday 01:00 is still Friday's shift"
        );
        assert_eq!(
            h.availability(at(lagos, "2026-03-07 01:45"), lagos),
            closed(at(lagos, "2026-03-13 19:00")),
            "past the cut-off; next Friday is next"
        );
        assert_eq!(
            h.availability(at(lagos, "2026-03-07 02:30"), lagos),
            closed(at(lagos, "2026-03-13 19:00"))
        );
        assert_eq!(
            h.availability(at(lagos, "2026-03-06 01:00"), lagos),
            closed(at(lagos, "2026-03-06 19:00")),
            "Friday early morning belongs to Thursday, which is closed"
        );
    }

    #[test]
    fn closing_at_24_00_ends_at_midnight() {
        let lagos = tz("Africa/Lagos");
        let h = hours(&[(Day::Mon, vec![shift("11:00", "24:00")])], 0);
        assert_eq!(
            h.availability(at(lagos, "2026-03-02 23:59"), lagos),
            open(at(lagos, "2026-03-03 00:00"), at(lagos, "2026-03-03 00:00"))
        );
        assert_eq!(
            h.availability(at(lagos, "2026-03-03 00:00"), lagos),
            closed(at(lagos, "2026-03-09 11:00"))
        );
    }

    #[test]
    fn closed_dates_skip_shifts_starting_on_them() {
        let lagos = tz("Africa/Lagos");
        let mut h = hours(
            &[
                (Day::Thu, vec![shift("19:00", "02:00")]),
                (Day::Fri, vec![shift("11:00", "15:00")]),
                (Day::Sat, vec![shift("12:00", "16:00")]),
            ],
            0,
        );
        h.closed_dates = vec![date("2026-03-06")];
        // Thursday evening's shift still runs into the closed Friday.
        assert_eq!(
            h.availability(at(lagos, "2026-03-06 01:00"), lagos),
            open(at(lagos, "2026-03-06 02:00"), at(lagos, "2026-03-06 02:00"))
        );
        // The closed Friday is skipped for Saturday.
        assert_eq!(
            h.availability(at(lagos, "2026-03-06 03:00"), lagos),
            closed(at(lagos, "2026-03-07 12:00"))
        );
        assert_eq!(
            h.next_open(at(lagos, "2026-03-05 20:00"), lagos),
            Some(at(lagos, "2026-03-07 12:00"))
        );
        // A closed Thursday cancels the shift that would have run into Friday.
        h.closed_dates = vec![date("2026-03-05")];
        assert_eq!(
            h.availability(at(lagos, "2026-03-06 01:00"), lagos),
            closed(at(lagos, "2026-03-06 11:00"))
        );
    }

    #[test]
    fn unset_hours_are_always_open() {
        let lagos = tz("Africa/Lagos");
        let h = OpeningHours::default();
        assert!(!h.is_set());
        let now = utc("2026-03-02 03:00");
        assert_eq!(h.availability(now, lagos), Availability::AlwaysOpen);
        assert_eq!(h.next_open(now, lagos), None);
        // Unset hours with a cut-off are still unset; a closed date closes
        // them for that local day only.
        let h = OpeningHours {
            last_order_minutes: 30,
            closed_dates: vec![date("2026-03-03")],
            ..OpeningHours::default()
        };
        assert!(!h.is_set());
        assert_eq!(h.availability(now, lagos), Availability::AlwaysOpen);
        assert_eq!(
            h.availability(utc("2026-03-03 03:00"), lagos),
            closed(at(lagos, "2026-03-04 00:00"))
        );
    }

    #[test]
    fn hours_without_shifts_are_never_open() {
        let lagos = tz("Africa/Lagos");
        let h = hours(&[(Day::Mon, vec![]), (Day::Sun, vec![])], 0);
        assert!(h.is_set());
        assert_eq!(
            h.availability(utc("2026-03-02 12:00"), lagos),
            Availability::Closed { next_open: None }
        );
    }

    #[test]
    fn next_open_gives_up_after_400_days() {
        let lagos = tz("Africa/Lagos");
        let mut h = hours(&[(Day::Mon, vec![shift("09:00", "17:00")])], 0);
        let now = at(lagos, "2026-03-02 18:00");
        // Close every Monday for the next 58 weeks (406 days).
        h.closed_dates = (1..=58)
            .map(|w| date("2026-03-02") + Duration::weeks(w))
            .collect();
        assert_eq!(h.next_open(now, lagos), None);
        // Reopen the Monday 399 days after 2026-03-02: within reach.
        h.closed_dates.retain(|d| *d != date("2027-04-05"));
        assert_eq!(h.next_open(now, lagos), Some(at(lagos, "2027-04-05 09:00")));
    }

    #[test]
    fn next_open_is_strictly_after() {
        let lagos = tz("Africa/Lagos");
        let h = split_shifts();
        let eleven = at(lagos, "2026-03-02 11:00");
        assert_eq!(
            h.next_open(eleven - Duration::seconds(1), lagos),
            Some(eleven)
        );
        assert_eq!(
            h.next_open(eleven, lagos),
            Some(at(lagos, "2026-03-02 19:00"))
        );
    }

    #[test]
    fn shifts_too_short_for_the_cut_off_are_skipped() {
        let lagos = tz("Africa/Lagos");
        // Not valid, but stored hours may predate a longer cut-off.
        let h = hours(
            &[(
                Day::Mon,
                vec![shift("09:00", "09:20"), shift("12:00", "14:00")],
            )],
            30,
        );
        assert!(h.validate().is_err());
        assert_eq!(
            h.availability(at(lagos, "2026-03-02 09:10"), lagos),
            closed(at(lagos, "2026-03-02 12:00"))
        );
    }

    #[test]
    fn zones_without_dst_shift_by_their_fixed_offset() {
        let lagos = tz("Africa/Lagos");
        let ba = tz("America/Argentina/Buenos_Aires");
        let h = hours(&[(Day::Mon, vec![shift("20:00", "23:00")])], 15);
        // Lagos is UTC+1 all year, Buenos Aires UTC-3.
        for month in ["01", "07"] {
            let monday = if month == "01" {
                "2026-01-05"
            } else {
                "2026-07-06"
            };
            let next = utc(&format!("{monday} 20:00"));
            assert_eq!(
                h.next_open(utc(&format!("{monday} 00:00")), lagos),
                Some(next - Duration::hours(1))
            );
            assert_eq!(
                h.next_open(utc(&format!("{monday} 00:00")), ba),
                Some(next + Duration::hours(3))
            );
        }
        // Monday 22:00 in Buenos Aires is Tuesday 01:00 UTC: still open.
        assert_eq!(
            h.availability(utc("2026-03-03 01:00"), ba),
            open(utc("2026-03-03 02:00"), utc("2026-03-03 01:45"))
        );
        // The same UTC instant in Lagos is Tuesday 02:00: closed.
        assert_eq!(
            h.availability(utc("2026-03-03 01:00"), lagos),
            closed(utc("2026-03-09 19:00"))
        );
    }

    #[test]
    fn a_shift_in_the_spring_forward_gap_opens_when_the_clocks_resume() {
        // London skips 01:00–02:00 on Sunday 29 March 2026 (GMT to BST).
        let london = tz("Europe/London");
        let h = hours(&[(Day::Sun, vec![shift("01:30", "04:00")])], 0);
        // 01:30 does not exist; the shift opens at 02:00 BST = 01:00 UTC.
        assert_eq!(
            h.next_open(utc("2026-03-28 12:00"), london),
            Some(utc("2026-03-29 01:00"))
        );
        assert_eq!(
            h.availability(utc("2026-03-29 00:59"), london),
            closed(utc("2026-03-29 01:00"))
        );
        assert_eq!(
            h.availability(utc("2026-03-29 01:00"), london),
            open(utc("2026-03-29 03:00"), utc("2026-03-29 03:00"))
        );
        // The Sunday before, with no gap, opens at 01:30 GMT.
        assert_eq!(
            h.next_open(utc("2026-03-21 12:00"), london),
            Some(utc("2026-03-22 01:30"))
        );
        // The Sunday after, in BST, 01:30 is 00:30 UTC.
        assert_eq!(
            h.next_open(utc("2026-03-29 12:00"), london),
            Some(utc("2026-04-05 00:30"))
        );
    }

    #[test]
    fn a_gap_in_new_york_resolves_to_three_o_clock() {
        // New York skips 02:00–03:00 on Sunday 8 March 2026.
        let ny = tz("America/New_York");
        assert_eq!(
            to_utc(ny, date("2026-03-08").and_time(t("02:30"))),
            utc("2026-03-08 07:00")
        );
        assert_eq!(
            to_utc(ny, date("2026-03-08").and_time(t("01:30"))),
            utc("2026-03-08 06:30"),
            "before the gap is still EST"
        );
        assert_eq!(
            to_utc(ny, date("2026-03-08").and_time(t("03:00"))),
            utc("2026-03-08 07:00")
        );
        // A shift across the gap is an hour shorter in real time.
        let h = hours(&[(Day::Sat, vec![shift("22:00", "04:00")])], 60);
        assert_eq!(
            h.availability(utc("2026-03-08 06:00"), ny),
            open(utc("2026-03-08 08:00"), utc("2026-03-08 07:00"))
        );
    }

    #[test]
    fn a_repeated_fall_back_time_takes_the_first_occurrence() {
        // London repeats 01:00–02:00 on Sunday 25 October 2026 (BST to GMT).
        let london = tz("Europe/London");
        let h = hours(&[(Day::Sun, vec![shift("01:30", "03:00")])], 0);
        // 01:30 BST = 00:30 UTC, the first of the two 01:30s.
        assert_eq!(
            h.next_open(utc("2026-10-24 12:00"), london),
            Some(utc("2026-10-25 00:30"))
        );
        let whole_shift = open(utc("2026-10-25 03:00"), utc("2026-10-25 03:00"));
        assert_eq!(h.availability(utc("2026-10-25 00:30"), london), whole_shift);
        // The second 01:15 (GMT) is still inside the same shift.
        assert_eq!(h.availability(utc("2026-10-25 01:15"), london), whole_shift);
        assert_eq!(
            h.availability(utc("2026-10-25 03:00"), london),
            closed(utc("2026-11-01 01:30")),
            "a week later, in GMT"
        );
    }

    #[test]
    fn daily_shifts_keep_wall_clock_times_across_dst() {
        let london = tz("Europe/London");
        let h = hours(
            &[
                (Day::Sat, vec![shift("09:00", "17:00")]),
                (Day::Sun, vec![shift("09:00", "17:00")]),
            ],
            0,
        );
        assert_eq!(
            h.next_open(utc("2026-03-28 00:00"), london),
            Some(utc("2026-03-28 09:00")),
            "Saturday in GMT"
        );
        assert_eq!(
            h.next_open(utc("2026-03-28 17:00"), london),
            Some(utc("2026-03-29 08:00")),
            "Sunday in BST"
        );
        assert_eq!(
            h.availability(utc("2026-03-29 15:59"), london),
            open(utc("2026-03-29 16:00"), utc("2026-03-29 16:00"))
        );
        assert_eq!(
            h.availability(utc("2026-03-29 16:00"), london),
            closed(utc("2026-04-04 08:00"))
        );
        // Around the autumn change: Saturday in BST, Sunday in GMT.
        assert_eq!(
            h.next_open(utc("2026-10-24 00:00"), london),
            Some(utc("2026-10-24 08:00"))
        );
        assert_eq!(
            h.next_open(utc("2026-10-24 16:00"), london),
            Some(utc("2026-10-25 09:00"))
        );
        // A Saturday-night shift ends at 03:00 local on the following date.
        let late = hours(&[(Day::Sat, vec![shift("22:00", "03:00")])], 0);
        assert_eq!(
            late.availability(utc("2026-10-25 01:30"), london),
            open(utc("2026-10-25 03:00"), utc("2026-10-25 03:00")),
            "six real hours for five on the clock: the night gains one"
        );
    }

    #[test]
    fn serde_round_trip() {
        let json = r#"{"weekly": {"mon": [{"opens": "11:00", "closes": "15:00"},
            {"opens": "19:00", "closes": "23:30"}], "fri": [{"opens":"19:00","closes":"02:00"}]},
            "last_order_minutes": 30, "closed_dates": ["2026-12-25"]}"#;
        let h: OpeningHours = serde_json::from_str(json).unwrap();
        assert_eq!(
            h.weekly[&Day::Mon],
            vec![shift("11:00", "15:00"), shift("19:00", "23:30")]
        );
        assert!(h.weekly[&Day::Fri][0].crosses_midnight());
        assert_eq!(h.last_order_minutes, 30);
        assert_eq!(h.closed_dates, vec![date("2026-12-25")]);
        assert!(h.validate().is_ok());
        let out = serde_json::to_value(&h).unwrap();
        assert_eq!(
            out["weekly"]["mon"][1],
            serde_json::json!({"opens": "19:00", "closes": "23:30"})
        );
        assert_eq!(out["closed_dates"][0], "2026-12-25");
        let back: OpeningHours = serde_json::from_value(out).unwrap();
        assert_eq!(back, h);
        // Days serialize Monday first.
        let keys =
            serde_json::to_string(&hours(&[(Day::Sun, vec![]), (Day::Mon, vec![])], 0)).unwrap();
        assert!(
            keys.starts_with(r#"{"weekly":{"mon":[],"sun":[]}"#),
            "{keys}"
        );
        // Every field has a default.
        let empty: OpeningHours = serde_json::from_str("{}").unwrap();
        assert_eq!(empty, OpeningHours::default());
    }

    #[test]
    fn closes_at_24_00_is_read_as_midnight() {
        let s: Shift = serde_json::from_str(r#"{"opens": "11:00", "closes": "24:00"}"#).unwrap();
        assert_eq!(s, shift("11:00", "00:00"));
        assert!(s.crosses_midnight());
        assert_eq!(
            serde_json::to_value(s).unwrap(),
            serde_json::json!({"opens": "11:00", "closes": "00:00"})
        );
        let one_digit: Shift =
            serde_json::from_str(r#"{"opens": "9:00", "closes": "17:30"}"#).unwrap();
        assert_eq!(one_digit, shift("09:00", "17:30"));
    }

    #[test]
    fn bad_times_and_days_are_refused() {
        for bad in [
            "25:00", "9am", "24:01", "12:60", "12:5", "123:00", "", ":30", "12:", "1200",
            "12:00:00", " 9:00", "-1:00", "+9:00",
        ] {
            let json = format!(r#"{{"opens": "09:00", "closes": "{bad}"}}"#);
            let err = serde_json::from_str::<Shift>(&json).unwrap_err();
            assert!(err.to_string().contains("closes"), "{bad}: {err}");
        }
        let err =
            serde_json::from_str::<Shift>(r#"{"opens": "24:00", "closes": "02:00"}"#).unwrap_err();
        assert!(err.to_string().contains("opens"), "{err}");
        assert!(serde_json::from_str::<OpeningHours>(r#"{"weekly": {"monday": []}}"#).is_err());
        assert!(
            serde_json::from_str::<OpeningHours>(r#"{"closed_dates": ["2026-02-30"]}"#).is_err()
        );
    }

    #[test]
    fn days_convert_to_and_from_chrono() {
        for (day, weekday) in Day::ALL.into_iter().zip([
            Weekday::Mon,
            Weekday::Tue,
            Weekday::Wed,
            Weekday::Thu,
            Weekday::Fri,
            Weekday::Sat,
            Weekday::Sun,
        ]) {
            assert_eq!(Day::from(weekday), day);
            assert_eq!(Weekday::from(day), weekday);
            assert_eq!(day.as_str().parse::<Day>().unwrap(), day);
            assert_eq!(serde_json::to_value(day).unwrap(), day.as_str());
        }
        assert!(Day::Mon < Day::Sun);
        assert_eq!(Day::Sun.succ(), Day::Mon);
        assert_eq!(Day::from(date("2026-03-06").weekday()), Day::Fri);
    }

    fn field_of(h: &OpeningHours) -> String {
        h.validate().unwrap_err().field
    }

    #[test]
    fn validate_names_the_offending_field() {
        assert!(split_shifts().validate().is_ok());
        let overlap = hours(
            &[(
                Day::Mon,
                vec![shift("11:00", "15:00"), shift("14:00", "18:00")],
            )],
            0,
        );
        assert_eq!(field_of(&overlap), "weekly.mon[1]");
        // A late shift overlapping a shorter one that starts after it.
        let late = hours(
            &[(
                Day::Tue,
                vec![shift("22:00", "02:00"), shift("23:00", "23:30")],
            )],
            0,
        );
        assert_eq!(field_of(&late), "weekly.tue[1]");
        // Early morning is not covered by the same day's late shift.
        let early = hours(
            &[(
                Day::Tue,
                vec![shift("22:00", "02:00"), shift("00:30", "01:30")],
            )],
            0,
        );
        assert!(early.validate().is_ok());
        // Touching shifts are fine.
        let touching = hours(
            &[(
                Day::Wed,
                vec![shift("11:00", "15:00"), shift("15:00", "18:00")],
            )],
            0,
        );
        assert!(touching.validate().is_ok());
        let too_many = hours(
            &[(
                Day::Thu,
                vec![
                    shift("06:00", "07:00"),
                    shift("08:00", "09:00"),
                    shift("10:00", "11:00"),
                    shift("12:00", "13:00"),
                    shift("14:00", "15:00"),
                ],
            )],
            0,
        );
        assert_eq!(field_of(&too_many), "weekly.thu");
        let zero_length = hours(&[(Day::Fri, vec![shift("09:00", "09:00")])], 0);
        assert_eq!(field_of(&zero_length), "weekly.fri[0].closes");
        let too_short = hours(&[(Day::Sat, vec![shift("09:00", "09:30")])], 30);
        assert_eq!(field_of(&too_short), "weekly.sat[0]");
        let mut cut_off = split_shifts();
        cut_off.last_order_minutes = 241;
        assert_eq!(field_of(&cut_off), "last_order_minutes");
        cut_off.last_order_minutes = 240;
        assert_eq!(field_of(&cut_off), "weekly.mon[0]", "four-hour lunch");
    }

    #[test]
    fn validate_catches_a_late_shift_running_into_the_next_day() {
        let h = hours(
            &[
                (Day::Fri, vec![shift("19:00", "02:00")]),
                (
                    Day::Sat,
                    vec![shift("09:00", "12:00"), shift("01:00", "05:00")],
                ),
            ],
            0,
        );
        let err = h.validate().unwrap_err();
        assert_eq!(err.field, "weekly.sat[1]");
        assert!(err.message.contains("fri 19:00–02:00"), "{err}");
        // Sunday night wraps to Monday.
        let wrap = hours(
            &[
                (Day::Sun, vec![shift("20:00", "03:00")]),
                (Day::Mon, vec![shift("02:00", "04:00")]),
            ],
            0,
        );
        assert_eq!(field_of(&wrap), "weekly.mon[0]");
        let after = hours(
            &[
                (Day::Sun, vec![shift("20:00", "02:00")]),
                (Day::Mon, vec![shift("02:00", "04:00")]),
            ],
            0,
        );
        assert!(after.validate().is_ok());
    }

    #[test]
    fn validate_checks_closed_dates() {
        let mut h = split_shifts();
        h.closed_dates = vec![date("2026-12-25"), date("2026-12-26"), date("2026-12-25")];
        let err = h.validate().unwrap_err();
        assert_eq!(err.field, "closed_dates[2]");
        assert_eq!(
            err.to_string(),
            "closed_dates[2]: 2026-12-25 is listed twice"
        );
        h.closed_dates = (0..367)
            .map(|d| date("2026-01-01") + Duration::days(d))
            .collect();
        assert_eq!(field_of(&h), "closed_dates");
        h.closed_dates.pop();
        assert!(h.validate().is_ok());
    }

    #[test]
    fn describe_reads_the_tenants_calendar() {
        let lagos = tz("Africa/Lagos");
        // Monday 2 March 2026, 20:00 UTC = 21:00 in Lagos.
        let now = utc("2026-03-02 20:00");
        assert_eq!(
            describe(utc("2026-03-02 21:00"), now, lagos),
            When::Today(t("22:00"))
        );
        // 23:30 UTC is already Tuesday 00:30 in Lagos.
        assert_eq!(
            describe(utc("2026-03-02 23:30"), now, lagos),
            When::Tomorrow(t("00:30"))
        );
        assert_eq!(
            describe(utc("2026-03-02 22:59"), now, lagos),
            When::Today(t("23:59"))
        );
        assert_eq!(
            describe(utc("2026-03-04 10:00"), now, lagos),
            When::Weekday(Day::Wed, t("11:00"))
        );
        assert_eq!(
            describe(utc("2026-03-08 10:00"), now, lagos),
            When::Weekday(Day::Sun, t("11:00")),
            "six days away"
        );
        assert_eq!(
            describe(utc("2026-03-09 10:00"), now, lagos),
            When::Date(date("2026-03-09"), t("11:00")),
            "a week away is a date"
        );
        assert_eq!(
            describe(utc("2026-03-01 10:00"), now, lagos),
            When::Date(date("2026-03-01"), t("11:00")),
            "the past is a date"
        );
        // Now itself past local midnight: 23:30 UTC Monday is Tuesday in Lagos.
        let late = utc("2026-03-02 23:30");
        assert_eq!(
            describe(utc("2026-03-03 10:00"), late, lagos),
            When::Today(t("11:00"))
        );
        assert_eq!(
            describe(utc("2026-03-03 23:10"), late, lagos),
            When::Tomorrow(t("00:10"))
        );
        // The same instants west of UTC: Buenos Aires is still Monday.
        let ba = tz("America/Argentina/Buenos_Aires");
        assert_eq!(
            describe(utc("2026-03-03 10:00"), late, ba),
            When::Tomorrow(t("07:00"))
        );
    }
}
