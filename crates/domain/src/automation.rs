//! The automation engine's pure rules: the kinds of trigger, their
//! thresholds (validated, with the seed's defaults), the business's quiet
//! hours, the unpaid-balance escalation, and what becomes of one target
//! (sent as text or as a template, skipped with a reason, or deferred). The
//! engine (`engine::automation`) finds the targets and applies these.

use crate::order::{Stage, pipeline};
use crate::outbound::Purpose;
use crate::tenant::Vertical;
use crate::text::Key;
use chrono::{DateTime, Duration, NaiveTime, Utc};
use chrono_tz::Tz;

/// What a trigger watches for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TriggerKind {
    /// Last order long ago, nothing open, not invited back lately.
    CustomerInactive,
    /// Ready with money due, and nobody told the customer lately.
    OrderReady,
    /// A payment link still unpaid: gentle, firm, final.
    UnpaidBalance,
    /// A deadline close and the work barely started: the staff are told.
    DeadlineRisk,
    /// A customer's birthday is coming.
    Birthday,
    /// A returning customer's order was delivered.
    RepeatCustomer,
    /// A product is at or below its low-stock threshold: the owner is told.
    LowStock,
    /// The owner's summary of the day, at an hour they pick.
    DailySummary,
    /// A message to one customer at a set time.
    ScheduledMessage,
}

impl TriggerKind {
    pub const ALL: [TriggerKind; 9] = [
        TriggerKind::CustomerInactive,
        TriggerKind::OrderReady,
        TriggerKind::UnpaidBalance,
        TriggerKind::DeadlineRisk,
        TriggerKind::Birthday,
        TriggerKind::RepeatCustomer,
        TriggerKind::LowStock,
        TriggerKind::DailySummary,
        TriggerKind::ScheduledMessage,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            TriggerKind::CustomerInactive => "customer_inactive",
            TriggerKind::OrderReady => "order_ready",
            TriggerKind::UnpaidBalance => "unpaid_balance",
            TriggerKind::DeadlineRisk => "deadline_risk",
            TriggerKind::Birthday => "birthday",
            TriggerKind::RepeatCustomer => "repeat_customer",
            TriggerKind::LowStock => "low_stock",
            TriggerKind::DailySummary => "daily_summary",
            TriggerKind::ScheduledMessage => "scheduled_message",
        }
    }

    pub fn parse(s: &str) -> Option<TriggerKind> {
        TriggerKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Why its message is sent, which decides opt-out and template.
    pub fn purpose(self) -> Purpose {
        match self {
            TriggerKind::CustomerInactive => Purpose::Reengagement,
            TriggerKind::OrderReady => Purpose::StageNotice,
            TriggerKind::UnpaidBalance => Purpose::PaymentReminder,
            TriggerKind::Birthday => Purpose::BirthdayOffer,
            TriggerKind::RepeatCustomer => Purpose::LoyaltyOffer,
            TriggerKind::ScheduledMessage => Purpose::Promotion,
            TriggerKind::DeadlineRisk | TriggerKind::LowStock | TriggerKind::DailySummary => {
                Purpose::StaffAlert
            }
        }
    }

    /// Whether it speaks to the business's staff rather than a customer.
    pub fn to_staff(self) -> bool {
        self.purpose() == Purpose::StaffAlert
    }

    /// The catalog texts its wording comes from: a trigger's `texts`
    /// override these, per language.
    pub fn keys(self) -> &'static [Key] {
        match self {
            TriggerKind::CustomerInactive => &[Key::AutoInactive],
            TriggerKind::OrderReady => &[Key::AutoReady, Key::AutoReadyNoLink],
            TriggerKind::UnpaidBalance => &[
                Key::AutoUnpaidGentle,
                Key::AutoUnpaidFirm,
                Key::AutoUnpaidFinal,
            ],
            TriggerKind::DeadlineRisk => &[Key::AutoDeadline],
            TriggerKind::Birthday => &[Key::AutoBirthday],
            TriggerKind::RepeatCustomer => &[Key::AutoRepeat],
            TriggerKind::LowStock => &[Key::AutoLowStock],
            TriggerKind::DailySummary => &[Key::AutoDailySummary],
            // The business writes each scheduled message itself.
            TriggerKind::ScheduledMessage => &[],
        }
    }

    /// The thresholds this kind takes (the other fields of [`Config`] are
    /// refused).
    fn fields(self) -> &'static [&'static str] {
        match self {
            TriggerKind::CustomerInactive => &["days", "quiet_days"],
            TriggerKind::OrderReady => &["hours"],
            TriggerKind::UnpaidBalance => &["steps"],
            TriggerKind::DeadlineRisk => &["hours", "stages"],
            TriggerKind::Birthday => &["days"],
            TriggerKind::RepeatCustomer => &["orders", "quiet_days"],
            TriggerKind::DailySummary => &["hour"],
            TriggerKind::LowStock | TriggerKind::ScheduledMessage => &[],
        }
    }
}

impl std::fmt::Display for TriggerKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A trigger's thresholds as written (the API's `config`, stored as JSON);
/// a field left out takes the default. Which fields a kind takes is
/// [`TriggerKind`]'s; [`thresholds`] checks and resolves them.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// customer_inactive: days since the last order (30); birthday: days
    /// before the birthday (14).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub days: Option<i64>,
    /// customer_inactive (14) and repeat_customer (60): days without
    /// another message of the same kind.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quiet_days: Option<i64>,
    /// order_ready: hours without a message about the order (24);
    /// deadline_risk: hours before the deadline (48).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hours: Option<i64>,
    /// unpaid_balance: the days after the link's first send of the gentle,
    /// firm and final reminders ([2, 5, 10]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub steps: Option<Vec<i64>>,
    /// deadline_risk: the stages that count as "barely started" (the
    /// first two of the business's pipeline).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stages: Option<Vec<String>>,
    /// repeat_customer: orders in all (3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub orders: Option<i64>,
    /// daily_summary: the business's local hour (19).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hour: Option<i64>,
}

impl Config {
    fn set(&self) -> Vec<&'static str> {
        let mut out = Vec::new();
        if self.days.is_some() {
            out.push("days");
        }
        if self.quiet_days.is_some() {
            out.push("quiet_days");
        }
        if self.hours.is_some() {
            out.push("hours");
        }
        if self.steps.is_some() {
            out.push("steps");
        }
        if self.stages.is_some() {
            out.push("stages");
        }
        if self.orders.is_some() {
            out.push("orders");
        }
        if self.hour.is_some() {
            out.push("hour");
        }
        out
    }
}

/// A configuration that cannot be used: the field and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct ConfigError {
    pub field: String,
    pub message: String,
}

fn bad(field: &str, message: impl Into<String>) -> ConfigError {
    ConfigError {
        field: field.to_string(),
        message: message.into(),
    }
}

/// The escalation of unpaid-balance reminders, in order.
pub const STEPS: [&str; 3] = ["gentle", "firm", "final"];

/// A trigger's thresholds, resolved for one kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Thresholds {
    CustomerInactive { days: i64, quiet_days: i64 },
    OrderReady { hours: i64 },
    UnpaidBalance { steps: [i64; 3] },
    DeadlineRisk { hours: i64, stages: Vec<Stage> },
    Birthday { days: i64 },
    RepeatCustomer { orders: i64, quiet_days: i64 },
    LowStock,
    DailySummary { hour: u32 },
    ScheduledMessage,
}

impl Thresholds {
    /// One canonical string of the thresholds: every business with the same
    /// (kind, params) is served by one query.
    pub fn params(&self) -> String {
        match self {
            Thresholds::CustomerInactive { days, quiet_days } => {
                format!("days={days};quiet_days={quiet_days}")
            }
            Thresholds::OrderReady { hours } => format!("hours={hours}"),
            Thresholds::UnpaidBalance { steps } => {
                format!("steps={},{},{}", steps[0], steps[1], steps[2])
            }
            Thresholds::DeadlineRisk { hours, stages } => format!(
                "hours={hours};stages={}",
                stages
                    .iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(",")
            ),
            Thresholds::Birthday { days } => format!("days={days}"),
            Thresholds::RepeatCustomer { orders, quiet_days } => {
                format!("orders={orders};quiet_days={quiet_days}")
            }
            Thresholds::DailySummary { hour } => format!("hour={hour}"),
            Thresholds::LowStock | Thresholds::ScheduledMessage => String::new(),
        }
    }

    /// Reads back what [`Thresholds::params`] wrote (stored rows were
    /// checked when written).
    pub fn from_params(kind: TriggerKind, params: &str) -> Option<Thresholds> {
        let mut map = std::collections::HashMap::new();
        for part in params.split(';').filter(|p| !p.is_empty()) {
            let (k, v) = part.split_once('=')?;
            map.insert(k, v);
        }
        let num = |k: &str| map.get(k).and_then(|v| v.parse::<i64>().ok());
        Some(match kind {
            TriggerKind::CustomerInactive => Thresholds::CustomerInactive {
                days: num("days")?,
                quiet_days: num("quiet_days")?,
            },
            TriggerKind::OrderReady => Thresholds::OrderReady {
                hours: num("hours")?,
            },
            TriggerKind::UnpaidBalance => {
                let v: Vec<i64> = map
                    .get("steps")?
                    .split(',')
                    .map(|d| d.parse().ok())
                    .collect::<Option<_>>()?;
                Thresholds::UnpaidBalance {
                    steps: v.try_into().ok()?,
                }
            }
            TriggerKind::DeadlineRisk => Thresholds::DeadlineRisk {
                hours: num("hours")?,
                stages: map
                    .get("stages")?
                    .split(',')
                    .map(|s| s.parse().ok())
                    .collect::<Option<_>>()?,
            },
            TriggerKind::Birthday => Thresholds::Birthday { days: num("days")? },
            TriggerKind::RepeatCustomer => Thresholds::RepeatCustomer {
                orders: num("orders")?,
                quiet_days: num("quiet_days")?,
            },
            TriggerKind::DailySummary => Thresholds::DailySummary {
                hour: u32::try_from(num("hour")?).ok()?,
            },
            TriggerKind::LowStock => Thresholds::LowStock,
            TriggerKind::ScheduledMessage => Thresholds::ScheduledMessage,
        })
    }
}

fn within(field: &str, v: Option<i64>, default: i64, lo: i64, hi: i64) -> Result<i64, ConfigError> {
    let v = v.unwrap_or(default);
    if v < lo || v > hi {
        return Err(bad(
            &format!("config.{field}"),
            format!("must be between {lo} and {hi}"),
        ));
    }
    Ok(v)
}

/// Checks `config` for `kind` in a business of `vertical` and resolves it
/// with the defaults. A field the kind does not take, a number out of its
/// range, steps that do not rise, or a stage not in the pipeline is an
/// error naming the field.
pub fn thresholds(
    kind: TriggerKind,
    vertical: Vertical,
    config: &Config,
) -> Result<Thresholds, ConfigError> {
    if let Some(f) = config
        .set()
        .into_iter()
        .find(|f| !kind.fields().contains(f))
    {
        let takes = kind.fields();
        return Err(bad(
            &format!("config.{f}"),
            if takes.is_empty() {
                format!("{kind} takes no thresholds")
            } else {
                format!("{kind} takes {}", takes.join(", "))
            },
        ));
    }
    Ok(match kind {
        TriggerKind::CustomerInactive => Thresholds::CustomerInactive {
            days: within("days", config.days, 30, 1, 730)?,
            quiet_days: within("quiet_days", config.quiet_days, 14, 1, 365)?,
        },
        TriggerKind::OrderReady => Thresholds::OrderReady {
            hours: within("hours", config.hours, 24, 1, 720)?,
        },
        TriggerKind::UnpaidBalance => {
            let steps = config.steps.clone().unwrap_or_else(|| vec![2, 5, 10]);
            let [a, b, c] = steps[..] else {
                return Err(bad(
                    "config.steps",
                    "three days: the gentle, firm and final reminders",
                ));
            };
            if !((1..=90).contains(&a) && a < b && b < c && c <= 90) {
                return Err(bad(
                    "config.steps",
                    "three rising days between 1 and 90, e.g. [2, 5, 10]",
                ));
            }
            Thresholds::UnpaidBalance { steps: [a, b, c] }
        }
        TriggerKind::DeadlineRisk => {
            let line = pipeline(vertical);
            let stages = match &config.stages {
                None => line.stages.iter().take(2).copied().collect(),
                Some(names) if names.is_empty() => {
                    return Err(bad("config.stages", "name at least one stage"));
                }
                Some(names) => {
                    let mut out = Vec::new();
                    for n in names {
                        let st = n
                            .parse::<Stage>()
                            .ok()
                            .filter(|s| line.stages.contains(s) && !s.is_terminal());
                        match st {
                            Some(s) if !out.contains(&s) => out.push(s),
                            Some(_) => {}
                            None => {
                                return Err(bad(
                                    "config.stages",
                                    format!(
                                        "{n:?} is not an unfinished stage of this business; use {}",
                                        line.stages
                                            .iter()
                                            .filter(|s| !s.is_terminal())
                                            .map(|s| s.as_str())
                                            .collect::<Vec<_>>()
                                            .join(", ")
                                    ),
                                ));
                            }
                        }
                    }
                    out.sort_by_key(|s| line.stages.iter().position(|x| x == s));
                    out
                }
            };
            Thresholds::DeadlineRisk {
                hours: within("hours", config.hours, 48, 1, 720)?,
                stages,
            }
        }
        TriggerKind::Birthday => Thresholds::Birthday {
            days: within("days", config.days, 14, 0, 60)?,
        },
        TriggerKind::RepeatCustomer => Thresholds::RepeatCustomer {
            orders: within("orders", config.orders, 3, 2, 1000)?,
            quiet_days: within("quiet_days", config.quiet_days, 60, 1, 365)?,
        },
        TriggerKind::DailySummary => Thresholds::DailySummary {
            hour: within("hour", config.hour, 19, 0, 23)? as u32,
        },
        TriggerKind::LowStock => Thresholds::LowStock,
        TriggerKind::ScheduledMessage => Thresholds::ScheduledMessage,
    })
}

/// The hours nothing automated is sent, in the business's own time. Equal
/// start and end: no quiet hours.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuietHours {
    pub start: NaiveTime,
    pub end: NaiveTime,
}

impl Default for QuietHours {
    /// 21:00–08:00.
    fn default() -> Self {
        QuietHours {
            start: NaiveTime::from_hms_opt(21, 0, 0).unwrap_or_default(),
            end: NaiveTime::from_hms_opt(8, 0, 0).unwrap_or_default(),
        }
    }
}

/// Reads "HH:MM" (24-hour).
pub fn parse_time(field: &str, s: &str) -> Result<NaiveTime, ConfigError> {
    let s = s.trim();
    let ok = s.len() == 5 && s.as_bytes()[2] == b':';
    ok.then(|| NaiveTime::parse_from_str(s, "%H:%M").ok())
        .flatten()
        .ok_or_else(|| bad(field, "a time as HH:MM, e.g. 21:00"))
}

impl QuietHours {
    /// From "HH:MM" strings, naming the field that is wrong.
    pub fn parse(start: &str, end: &str) -> Result<QuietHours, ConfigError> {
        Ok(QuietHours {
            start: parse_time("quiet_start", start)?,
            end: parse_time("quiet_end", end)?,
        })
    }

    /// Whether local time `t` is quiet.
    pub fn contains(&self, t: NaiveTime) -> bool {
        if self.start == self.end {
            false
        } else if self.start < self.end {
            self.start <= t && t < self.end
        } else {
            t >= self.start || t < self.end
        }
    }

    /// `None` when a message may go at `now`; else the instant the quiet
    /// hours end, in the business's timezone.
    pub fn defer_until(&self, now: DateTime<Utc>, tz: Tz) -> Option<DateTime<Utc>> {
        let local = now.with_timezone(&tz).naive_local();
        if !self.contains(local.time()) {
            return None;
        }
        let mut day = local.date();
        if local.time() >= self.end {
            day = day.succ_opt()?;
        }
        Some(crate::hours::to_utc(tz, day.and_time(self.end)))
    }

    pub fn display(&self) -> (String, String) {
        (
            self.start.format("%H:%M").to_string(),
            self.end.format("%H:%M").to_string(),
        )
    }
}

/// The reminder due for a link first sent `elapsed` ago, by index into
/// [`STEPS`], given the last one sent: the latest step whose day has come
/// (a missed one is not sent late once a later one is due), and nothing
/// when that step or a later one was sent.
pub fn due_step(steps: [i64; 3], elapsed: Duration, last_sent: Option<usize>) -> Option<usize> {
    let due = steps.iter().rposition(|d| elapsed >= Duration::days(*d))?;
    match last_sent {
        Some(l) if l >= due => None,
        _ => Some(due),
    }
}

/// Why a target was not sent its message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Skip {
    /// The customer said stop (and the message is not essential).
    OptedOut,
    /// The 24-hour window is closed and no approved template carries it.
    NoTemplate,
    /// The customer has no WhatsApp number, or no staff member to tell has
    /// a phone.
    NoRecipient,
    /// The business has no active WhatsApp number.
    NoNumber,
    /// The window is closed and this kind is only sent inside it.
    WindowClosed,
}

impl Skip {
    pub fn as_str(self) -> &'static str {
        match self {
            Skip::OptedOut => "opted_out",
            Skip::NoTemplate => "no_approved_template",
            Skip::NoRecipient => "no_recipient",
            Skip::NoNumber => "no_number",
            Skip::WindowClosed => "window_closed",
        }
    }
}

/// What becomes of one target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Free text: the recipient's window is open.
    Text,
    /// The approved template of the purpose: the window is closed.
    Template,
    Skip(Skip),
    /// Quiet hours: the send waits until then.
    Defer(DateTime<Utc>),
}

/// The facts about one target that decide its fate.
#[derive(Debug, Clone, Copy)]
pub struct Facts {
    pub purpose: Purpose,
    pub opted_out: bool,
    pub reachable: bool,
    pub has_number: bool,
    pub window_open: bool,
    /// The purpose's template is approved in the recipient's language.
    pub template_approved: bool,
    /// When the quiet hours end, if now is quiet.
    pub quiet_until: Option<DateTime<Utc>>,
}

/// The rules every automated send obeys, in order: never to someone who
/// said stop; someone must be reachable from a number; never in quiet
/// hours (it waits); free text inside the 24-hour window, else the
/// approved template of the purpose, else skipped.
pub fn decide(f: &Facts) -> Decision {
    if f.opted_out && !f.purpose.essential() {
        return Decision::Skip(Skip::OptedOut);
    }
    if !f.reachable {
        return Decision::Skip(Skip::NoRecipient);
    }
    if !f.has_number {
        return Decision::Skip(Skip::NoNumber);
    }
    if let Some(until) = f.quiet_until {
        return Decision::Defer(until);
    }
    if f.window_open {
        return Decision::Text;
    }
    match f.purpose.template() {
        None => Decision::Skip(Skip::WindowClosed),
        Some(_) if f.template_approved => Decision::Template,
        Some(_) => Decision::Skip(Skip::NoTemplate),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap()
    }

    #[test]
    fn kinds_round_trip_and_declare_their_wording() {
        for k in TriggerKind::ALL {
            assert_eq!(TriggerKind::parse(k.as_str()), Some(k));
            assert_eq!(k.keys().is_empty(), k == TriggerKind::ScheduledMessage);
        }
        assert_eq!(TriggerKind::parse("nope"), None);
        assert!(TriggerKind::LowStock.to_staff());
        assert!(!TriggerKind::Birthday.to_staff());
    }

    #[test]
    fn defaults_are_the_seeds() {
        let d = Config::default();
        assert_eq!(
            thresholds(TriggerKind::UnpaidBalance, Vertical::Tailor, &d),
            Ok(Thresholds::UnpaidBalance { steps: [2, 5, 10] })
        );
        assert_eq!(
            thresholds(TriggerKind::DeadlineRisk, Vertical::Tailor, &d),
            Ok(Thresholds::DeadlineRisk {
                hours: 48,
                stages: vec![Stage::Received, Stage::Cutting]
            })
        );
        assert_eq!(
            thresholds(TriggerKind::CustomerInactive, Vertical::Shop, &d)
                .unwrap()
                .params(),
            "days=30;quiet_days=14"
        );
    }

    #[test]
    fn params_read_back_as_the_same_thresholds() {
        for v in Vertical::ALL {
            for k in TriggerKind::ALL {
                let t = thresholds(k, v, &Config::default()).unwrap();
                assert_eq!(Thresholds::from_params(k, &t.params()), Some(t), "{k}");
            }
        }
        let c = Config {
            steps: Some(vec![1, 3, 7]),
            ..Config::default()
        };
        let t = thresholds(TriggerKind::UnpaidBalance, Vertical::Shop, &c).unwrap();
        assert_eq!(
            Thresholds::from_params(TriggerKind::UnpaidBalance, &t.params()),
            Some(t)
        );
    }

    #[test]
    fn bad_thresholds_name_the_field() {
        let neg = Config {
            days: Some(-3),
            ..Config::default()
        };
        let e = thresholds(TriggerKind::CustomerInactive, Vertical::Shop, &neg).unwrap_err();
        assert_eq!(e.field, "config.days");
        let wrong = Config {
            hours: Some(5),
            ..Config::default()
        };
        let e = thresholds(TriggerKind::Birthday, Vertical::Shop, &wrong).unwrap_err();
        assert_eq!(e.field, "config.hours");
        for steps in [vec![2, 5], vec![5, 2, 10], vec![0, 1, 2], vec![2, 5, 500]] {
            let c = Config {
                steps: Some(steps),
                ..Config::default()
            };
            let e = thresholds(TriggerKind::UnpaidBalance, Vertical::Tailor, &c).unwrap_err();
            assert_eq!(e.field, "config.steps");
        }
        let c = Config {
            stages: Some(vec!["sewing".into()]),
            ..Config::default()
        };
        // Sewing is not a restaurant's stage.
        let e = thresholds(TriggerKind::DeadlineRisk, Vertical::Restaurant, &c).unwrap_err();
        assert_eq!(e.field, "config.stages");
        let unknown: Result<Config, _> = serde_json::from_str(r#"{"dayz": 3}"#);
        assert!(unknown.is_err());
    }

    #[test]
    fn quiet_hours_wrap_past_midnight_and_defer_to_their_end() {
        let q = QuietHours::default();
        assert!(q.contains(t(23, 0)) && q.contains(t(2, 0)) && q.contains(t(21, 0)));
        assert!(!q.contains(t(8, 0)) && !q.contains(t(12, 0)) && !q.contains(t(20, 59)));
        let lagos: Tz = "Africa/Lagos".parse().unwrap();
        // 23:00 in Lagos (UTC+1) is 22:00 UTC: the send waits for 08:00.
        let at = Utc.with_ymd_and_hms(2026, 12, 3, 22, 0, 0).unwrap();
        assert_eq!(
            q.defer_until(at, lagos),
            Some(Utc.with_ymd_and_hms(2026, 12, 4, 7, 0, 0).unwrap())
        );
        // 02:00 the same night waits for the same morning.
        let early = Utc.with_ymd_and_hms(2026, 12, 4, 1, 0, 0).unwrap();
        assert_eq!(q.defer_until(early, lagos), q.defer_until(at, lagos));
        let noon = Utc.with_ymd_and_hms(2026, 12, 4, 11, 0, 0).unwrap();
        assert_eq!(q.defer_until(noon, lagos), None);
        let lunch = QuietHours::parse("13:00", "14:00").unwrap();
        assert!(lunch.contains(t(13, 30)) && !lunch.contains(t(14, 0)));
        let none = QuietHours::parse("00:00", "00:00").unwrap();
        assert!(!none.contains(t(3, 0)));
        for bad in ["25:00", "9pm", "", "08:00:00", "8:00"] {
            assert_eq!(
                QuietHours::parse(bad, "08:00").unwrap_err().field,
                "quiet_start"
            );
        }
    }

    #[test]
    fn the_escalation_sends_each_step_once_and_never_late() {
        let s = [2, 5, 10];
        let d = Duration::days;
        assert_eq!(due_step(s, d(1), None), None);
        assert_eq!(due_step(s, d(2), None), Some(0));
        assert_eq!(due_step(s, d(3), Some(0)), None);
        assert_eq!(due_step(s, d(5), Some(0)), Some(1));
        assert_eq!(due_step(s, d(10), Some(1)), Some(2));
        assert_eq!(due_step(s, d(30), Some(2)), None);
        // Down from day 1 to day 11: the gentle and firm ones are not sent late.
        assert_eq!(due_step(s, d(11), None), Some(2));
    }

    fn facts() -> Facts {
        Facts {
            purpose: Purpose::PaymentReminder,
            opted_out: false,
            reachable: true,
            has_number: true,
            window_open: false,
            template_approved: true,
            quiet_until: None,
        }
    }

    #[test]
    fn each_target_is_sent_skipped_or_deferred_by_the_rules() {
        assert_eq!(decide(&facts()), Decision::Template);
        assert_eq!(
            decide(&Facts {
                window_open: true,
                ..facts()
            }),
            Decision::Text
        );
        assert_eq!(
            decide(&Facts {
                opted_out: true,
                ..facts()
            }),
            Decision::Skip(Skip::OptedOut)
        );
        // A stage notice is about their order: it reaches them anyway.
        assert_eq!(
            decide(&Facts {
                opted_out: true,
                purpose: Purpose::StageNotice,
                ..facts()
            }),
            Decision::Template
        );
        assert_eq!(
            decide(&Facts {
                template_approved: false,
                ..facts()
            }),
            Decision::Skip(Skip::NoTemplate)
        );
        let morning = Utc.with_ymd_and_hms(2026, 12, 4, 7, 0, 0).unwrap();
        assert_eq!(
            decide(&Facts {
                quiet_until: Some(morning),
                ..facts()
            }),
            Decision::Defer(morning)
        );
        assert_eq!(
            decide(&Facts {
                purpose: Purpose::Promotion,
                ..facts()
            }),
            Decision::Skip(Skip::WindowClosed)
        );
    }
}
