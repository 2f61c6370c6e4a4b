//! # Onboarding answers: opening hours, delivery zones, payment methods
//!
//! The onboarding chat asks a new owner, one step at a time, for the facts a
//! business runs on. Three of those answers are free text that this module
//! reads: [`parse_hours`], [`parse_zones`] and [`parse_payment_details`]
//! ([`read_payment_details`] also says what it could not use). The price list
//! step is [`crate::extract_price_list`]. All of them are pure and
//! deterministic, never panic, and take time linear in the input.
//!
//! Text is folded first (lowercase, Latin accents dropped: "Sábados" reads as
//! "sabados"). A keyword of five to eight letters forgives one typo and a
//! longer one two ("viernez", "miercole", "jumatat", "paystak",
//! "tranferencia"), but only when exactly one meaning is that close and the
//! word typed has at least four letters; shorter keywords must be exact.
//!
//! ## Opening hours ([`parse_hours`])
//!
//! English, Rioplatense Spanish and Swahili, mixed freely.
//!
//! - **Days**: names and abbreviations ("lunes", "lun", "mié", "Mon", "thurs",
//!   "jumatatu"), plurals ("sábados", "sundays"), the Spanish one-letter
//!   days L M X J V S D in a range ("L a V", "L-S"), ranges with "a", "al",
//!   "hasta", "-", "to", "till", "until", "thru", "hadi", "mpaka" (a range may
//!   wrap: "vie a lun" is Friday to Monday), lists ("lun, mié y vie"), and
//!   groups: "todos los días", "every day", "daily", "kila siku", "7 days a
//!   week" (every day); "weekdays", "entre semana", "días hábiles", "siku za
//!   kazi" (Monday to Friday); "weekends", "fines de semana", "finde",
//!   "wikendi" (Saturday and Sunday). "except", "excepto", "menos", "salvo",
//!   "isipokuwa" take the days that follow out ("todos los días menos los
//!   lunes"; with no days before them, out of every day).
//! - **Times**: "11", "11hs", "11 hs", "11:30", "11.30", "1130", "19h",
//!   "19h30", "11am", "7 pm", "7 p.m.", "noon", "mediodía", "midnight",
//!   "medianoche", "nine"/"nueve" (words up to twelve), "de la mañana/tarde/
//!   noche", "in the morning/evening", "at night". A shift is two times joined
//!   by a range word ("de 11 a 15", "9am-6pm", "8:00 to 20:00", "desde las 9
//!   hasta las 18") or by a closing verb ("abrimos a las 9 y cerramos a las
//!   18", "open 9 close 5"). Several shifts a day: "de 11 a 15 y de 19 a 23".
//!   "24 horas", "24hs", "24 hours", "masaa 24" is one all-day shift
//!   (00:00–00:00, see [`Shift::is_all_day`]); "24/7" is that, every day.
//! - **Swahili time** ("saa 2 asubuhi"): after "saa" the hours count from six
//!   o'clock, so saa N is N + 6 on the 12-hour clock ("saa 2" = 8, "saa 12" =
//!   6, "saa 6" = 12); the period word places it: asubuhi (morning), mchana
//!   (midday and afternoon: saa 6–11 mchana is 12:00–17:00), jioni (evening,
//!   pm), usiku (night: saa 1–5 usiku is 19:00–23:00, saa 6 is midnight, saa
//!   7–11 is 01:00–05:00), alfajiri (dawn). Without a period word a saa time
//!   is read in the daytime (saa 12 to saa 5 as 06:00–11:00, saa 6 to saa 11
//!   as 12:00–17:00) and may still move by twelve hours, as below. A bare
//!   number closing a range opened by a saa time counts the same way ("saa
//!   2-12" is 08:00–18:00). "na nusu"
//!   adds half an hour, "na robo" a quarter, "kasorobo" takes one off. A
//!   number above 12 after "saa", and every number without "saa" ("kila siku
//!   8 - 20"), is a plain clock time.
//! - **Twelve or twenty-four hours.** A number from 13 to 24, or written with
//!   a leading zero ("09", "00"), is a 24-hour time; 24 is midnight. A time
//!   with am/pm or a period word is fixed. A plain 1–12 is *ambiguous*: it
//!   means itself (morning; 12 is noon) or twelve hours later (12 becomes
//!   midnight), and the range decides:
//!   - the closing time takes whichever reading makes the shortest shift
//!     after the opening: "9 to 5" is 09:00–17:00, "9 to 9" is 09:00–21:00,
//!     "sat 10-2" is 10:00–14:00, "de 20 a 2" is 20:00–02:00 (past midnight:
//!     `closes <= opens`), "de 20 a 12" is 20:00–00:00. In particular a
//!     closing hour below 12 that is not after the opening is pm when that
//!     puts it after the opening, and past midnight otherwise;
//!   - the opening time means itself, unless the closing time carries am/pm or
//!     a period word: then it takes the reading that makes the shorter shift
//!     ("7-11pm" is 19:00–23:00, "9-6pm" is 09:00–18:00, "de 8 a 12 de la
//!     noche" is 20:00–00:00, "10-2am" is 22:00–02:00);
//!   - a period phrase *before* a shift applies to its ambiguous times: "a la
//!     tarde de 5 a 9" is 17:00–21:00;
//!   - a later shift on the same days does not open before the one before it
//!     closes: in "weekdays 11-3 and 6-10" the second shift is 18:00–22:00.
//!
//!   am/pm only go with 1–12 ("13pm" is refused); a period phrase after a
//!   24-hour time is accepted as is ("20hs de la noche").
//! - **Closed**: "cerrado", "closed", "off", "descanso", "no abrimos",
//!   "imefungwa", "tumefunga", "hatufungui" next to days ("domingo cerrado",
//!   "closed on sundays"). Days never named are closed too.
//! - **Grouping**: days then times ("lun a vie 9 a 18") or times then days
//!   ("9-5 weekdays"). A day named again later: a narrower set of days
//!   replaces its hours ("todos los días 9 a 18, domingos 10 a 14"), the
//!   same or a wider set adds its shifts ("lunes 9 a 13, lunes a viernes 17
//!   a 21" gives Monday both), "closed" closes it ("todos los días 9 a 18,
//!   domingos cerrado"). Each day's shifts come sorted by opening time. "también", "too", "also",
//!   "pia" right after days give them the hours of the days before
//!   ("lunes a viernes 9 a 18, sábados también").
//! - **Refusals** ([`HoursProblem`]): anything it cannot place is an error
//!   naming the words, never a partial answer: a word that is neither a day,
//!   a time nor one of the small words around them ("feriados"), days
//!   without hours, hours without days, a time that does not exist
//!   ("25hs", "9:75"), a time with no other end ("desde las 9"), a shift that
//!   opens and closes at the same minute.
//!
//! ## Delivery zones ([`parse_zones`])
//!
//! Each zone is a name followed by its fee: "Palermo 1500, Belgrano 2000",
//! "CBD 200; Westlands 350 / Kilimani 300", "Ikeja - 1,500\nLekki: 2500",
//! "Zona 1 $500". Names joined by ",", "y", "and", "&", "na" before one fee
//! share it ("Palermo y Belgrano 1500"). Amounts: "1.500" and "1,500" are
//! thousands (a last separator followed by exactly three digits), otherwise
//! the last separator is the decimal point ("1500,50", "1,500.50"); "2k" and
//! "2 mil" are thousands; "$", "₦", "N", "KSh", "Ksh.", "KES", "sh", "/-",
//! "bob", "pesos", "naira" are dropped; "gratis", "free", "bure", "sin cargo"
//! are 0. Fees are minor units. A line that ends with ":" and a
//! "Label:" before a name are headers and are skipped. "solo retiro",
//! "pickup only", "no delivery", "hakuna delivery" and the like set
//! `pickup_only` when no zone is given; next to zones they are contradictory
//! and go to `unread`, as do names without a fee, fees without a name and
//! amounts that are not money ("1.2.3", more decimals than the currency has).
//!
//! ## Payment methods ([`parse_payment_details`])
//!
//! In the order named, each once: "efectivo"/"cash"/"taslimu"/"contra
//! entrega" ([`PaymentDetail::Cash`]); "alias empanadas.lola" (6–20 letters,
//! digits, "." or "-"), "CBU"/"CVU" + 22 digits (spaces and dashes allowed;
//! both check digits verified, a bare valid 22-digit number counts too), a
//! bank or account word with an 8–16 digit account number ("GTBank
//! 0123456789 Lola Foods", as typed), and a bare "transferencia"/"transfer"
//! (details empty: the chat should ask for them) ([`PaymentDetail::BankTransfer`]);
//! "till 123456", "buy goods 123456" ([`PaymentDetail::MpesaTill`]);
//! "paybill 400200 account 7788" ([`PaymentDetail::MpesaPaybill`]); "paystack"
//! ([`PaymentDetail::Paystack`]). Till and paybill numbers have 5–8 digits.
//! "no efectivo", "sin efectivo", "no cash", "hatupokei cash" are not
//! offers. Details that fail validation (a bad CBU, a short till, an alias
//! with spaces), and "M-PESA" with no till or paybill, are returned by
//! [`read_payment_details`] in `unread`, not as methods. Methods outside the
//! enum (Mercado Pago without an alias, cards, POS, M-PESA send money to a
//! phone) are not read.

use std::fmt;

use chrono::{NaiveTime, Timelike};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::text::{Text, edit_distance};

// ---------------------------------------------------------------------------
// Opening hours: types
// ---------------------------------------------------------------------------

/// Opening hours read from free text. `days[0]` is Monday … `days[6]`
/// Sunday; an empty Vec is a closed day. Times are local wall-clock times; a
/// shift whose `closes` <= `opens` runs past midnight ("de 20 a 2").
/// Serialized as `{"days": [["11:00-15:00", "19:00-23:00"], ..., []]}`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ParsedHours {
    pub days: [Vec<Shift>; 7],
}

/// One stretch of opening in local time. `closes <= opens` runs past
/// midnight; `opens == closes` (only ever 00:00–00:00) is open all day.
/// Serialized as `"HH:MM-HH:MM"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Shift {
    pub opens: NaiveTime,
    pub closes: NaiveTime,
}

impl Shift {
    /// The shift ends on the next day (includes all-day shifts).
    pub fn crosses_midnight(&self) -> bool {
        self.closes <= self.opens
    }

    /// "24 horas", "24/7": open the whole day. `domain::hours` has no such
    /// shift (it refuses `opens == closes`); the caller decides how to store it.
    pub fn is_all_day(&self) -> bool {
        self.opens == self.closes
    }

    fn from_minutes(opens: u32, closes: u32) -> Option<Shift> {
        let t = |m: u32| NaiveTime::from_hms_opt(m / 60 % 24, m % 60, 0);
        Some(Shift {
            opens: t(opens)?,
            closes: t(closes)?,
        })
    }
}

impl fmt::Display for Shift {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:02}:{:02}-{:02}:{:02}",
            self.opens.hour(),
            self.opens.minute(),
            self.closes.hour(),
            self.closes.minute()
        )
    }
}

impl Serialize for Shift {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Shift {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        let bad = || serde::de::Error::custom(format!("{s:?} is not HH:MM-HH:MM"));
        let (a, b) = s.split_once('-').ok_or_else(bad)?;
        let t = |x: &str| NaiveTime::parse_from_str(x, "%H:%M").map_err(|_| bad());
        Ok(Shift {
            opens: t(a)?,
            closes: t(b)?,
        })
    }
}

/// Why opening hours could not be read. Every variant but `Empty` carries
/// the words concerned, as the owner typed them, so the chat can say them
/// back ("I could not read «feriados»").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "problem", rename_all = "snake_case")]
pub enum HoursProblem {
    /// The text names no day and no time at all.
    Empty,
    /// Hours with no day to put them on ("de 9 a 18").
    NoDays { part: String },
    /// Days with neither hours nor "closed" ("lunes a viernes").
    NoTimes { part: String },
    /// Words that are neither days, times nor the small words around them.
    Unreadable { part: String },
    /// A time that does not exist ("25hs", "9:75", "0am") or a shift that
    /// opens and closes at the same minute.
    BadTime { part: String },
    /// A time with no other end ("desde las 9", "cerramos a las 23").
    OpenEnded { part: String },
}

impl fmt::Display for HoursProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HoursProblem::Empty => f.write_str("no days or times"),
            HoursProblem::NoDays { part } => write!(f, "no days for {part:?}"),
            HoursProblem::NoTimes { part } => write!(f, "no hours for {part:?}"),
            HoursProblem::Unreadable { part } => write!(f, "could not read {part:?}"),
            HoursProblem::BadTime { part } => write!(f, "{part:?} is not a time"),
            HoursProblem::OpenEnded { part } => write!(f, "{part:?} has no other end"),
        }
    }
}

impl std::error::Error for HoursProblem {}

// ---------------------------------------------------------------------------
// Opening hours: lexicon
// ---------------------------------------------------------------------------

const ALL_DAYS: u8 = 0b111_1111;
const WEEKDAYS: u8 = 0b001_1111;
const WEEKEND: u8 = 0b110_0000;

/// What one word means in an opening-hours message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum HWord {
    /// One day, 0 = Monday.
    Day(u8),
    /// A set of days.
    Group(u8),
    Closed,
    Except,
    Same,
    /// A range word between two days or two times.
    Range,
    /// A word that carries nothing here ("de", "abrimos", "hours").
    Filler,
}

const HOURS_WORDS: &[(&str, HWord)] = {
    use HWord::*;
    &[
        ("lunes", Day(0)),
        ("lun", Day(0)),
        ("monday", Day(0)),
        ("mondays", Day(0)),
        ("mon", Day(0)),
        ("jumatatu", Day(0)),
        ("martes", Day(1)),
        ("mar", Day(1)),
        ("tuesday", Day(1)),
        ("tuesdays", Day(1)),
        ("tue", Day(1)),
        ("tues", Day(1)),
        ("jumanne", Day(1)),
        ("miercoles", Day(2)),
        ("mie", Day(2)),
        ("mier", Day(2)),
        ("mierc", Day(2)),
        ("wednesday", Day(2)),
        ("wednesdays", Day(2)),
        ("wed", Day(2)),
        ("weds", Day(2)),
        ("jumatano", Day(2)),
        ("jueves", Day(3)),
        ("jue", Day(3)),
        ("thursday", Day(3)),
        ("thursdays", Day(3)),
        ("thu", Day(3)),
        ("thur", Day(3)),
        ("thurs", Day(3)),
        ("alhamisi", Day(3)),
        ("viernes", Day(4)),
        ("vie", Day(4)),
        ("vier", Day(4)),
        ("friday", Day(4)),
        ("fridays", Day(4)),
        ("fri", Day(4)),
        ("ijumaa", Day(4)),
        ("sabado", Day(5)),
        ("sabados", Day(5)),
        ("sab", Day(5)),
        ("saturday", Day(5)),
        ("saturdays", Day(5)),
        ("sat", Day(5)),
        ("jumamosi", Day(5)),
        ("domingo", Day(6)),
        ("domingos", Day(6)),
        ("dom", Day(6)),
        ("sunday", Day(6)),
        ("sundays", Day(6)),
        ("sun", Day(6)),
        ("jumapili", Day(6)),
        ("everyday", Group(ALL_DAYS)),
        ("daily", Group(ALL_DAYS)),
        ("diario", Group(ALL_DAYS)),
        ("diariamente", Group(ALL_DAYS)),
        ("weekdays", Group(WEEKDAYS)),
        ("weekday", Group(WEEKDAYS)),
        ("weekends", Group(WEEKEND)),
        ("weekend", Group(WEEKEND)),
        ("finde", Group(WEEKEND)),
        ("findes", Group(WEEKEND)),
        ("wikendi", Group(WEEKEND)),
        ("cerrado", Closed),
        ("cerrada", Closed),
        ("cerrados", Closed),
        ("cerramos", Closed),
        ("closed", Closed),
        ("close", Closed),
        ("off", Closed),
        ("descanso", Closed),
        ("descansamos", Closed),
        ("franco", Closed),
        ("imefungwa", Closed),
        ("tumefunga", Closed),
        ("tumefungwa", Closed),
        ("fungwa", Closed),
        ("hatufungui", Closed),
        ("tunapumzika", Closed),
        ("mapumziko", Closed),
        ("except", Except),
        ("excepto", Except),
        ("exceptuando", Except),
        ("menos", Except),
        ("salvo", Except),
        ("isipokuwa", Except),
        ("tambien", Same),
        ("too", Same),
        ("also", Same),
        ("pia", Same),
        ("igual", Same),
        ("a", Range),
        ("al", Range),
        ("hasta", Range),
        ("to", Range),
        ("till", Range),
        ("til", Range),
        ("until", Range),
        ("thru", Range),
        ("through", Range),
        ("hadi", Range),
        ("mpaka", Range),
        ("mpk", Range),
        ("de", Filler),
        ("del", Filler),
        ("desde", Filler),
        ("los", Filler),
        ("las", Filler),
        ("la", Filler),
        ("el", Filler),
        ("lo", Filler),
        ("y", Filler),
        ("e", Filler),
        ("o", Filler),
        ("en", Filler),
        ("por", Filler),
        ("horario", Filler),
        ("horarios", Filler),
        ("hora", Filler),
        ("horas", Filler),
        ("atencion", Filler),
        ("atendemos", Filler),
        ("abrimos", Filler),
        ("abre", Filler),
        ("abren", Filler),
        ("abierto", Filler),
        ("abiertos", Filler),
        ("abierta", Filler),
        ("estamos", Filler),
        ("trabajamos", Filler),
        ("nuestro", Filler),
        ("nuestros", Filler),
        ("nuestra", Filler),
        ("es", Filler),
        ("son", Filler),
        ("solo", Filler),
        ("corrido", Filler),
        ("cortado", Filler),
        ("solamente", Filler),
        ("pero", Filler),
        ("hola", Filler),
        ("buenas", Filler),
        ("hs", Filler),
        ("hrs", Filler),
        ("from", Filler),
        ("on", Filler),
        ("at", Filler),
        ("the", Filler),
        ("and", Filler),
        ("we", Filler),
        ("we're", Filler),
        ("are", Filler),
        ("is", Filler),
        ("open", Filler),
        ("opens", Filler),
        ("opening", Filler),
        ("hours", Filler),
        ("our", Filler),
        ("only", Filler),
        ("but", Filler),
        ("for", Filler),
        ("every", Filler),
        ("hi", Filler),
        ("hello", Filler),
        ("na", Filler),
        ("ni", Filler),
        ("tuko", Filler),
        ("wazi", Filler),
        ("tunafungua", Filler),
        ("kufungua", Filler),
        ("tunafanya", Filler),
        ("kazi", Filler),
        ("kuanzia", Filler),
        ("kutoka", Filler),
        ("kila", Filler),
        ("siku", Filler),
        ("za", Filler),
        ("ya", Filler),
        ("saa", Filler),
        ("masaa", Filler),
        ("muda", Filler),
        ("wa", Filler),
        ("tu", Filler),
        ("habari", Filler),
        ("huwa", Filler),
    ]
};

/// Multi-word day groups, longest first within a shared start.
const DAY_GROUPS: &[(&str, u8)] = &[
    ("todos los dias de la semana", ALL_DAYS),
    ("los 7 dias de la semana", ALL_DAYS),
    ("los siete dias de la semana", ALL_DAYS),
    ("7 dias a la semana", ALL_DAYS),
    ("siete dias a la semana", ALL_DAYS),
    ("los 7 dias", ALL_DAYS),
    ("los siete dias", ALL_DAYS),
    ("todos los dias", ALL_DAYS),
    ("todos los dia", ALL_DAYS),
    ("todo los dias", ALL_DAYS),
    ("toda la semana", ALL_DAYS),
    ("7 dias", ALL_DAYS),
    ("siete dias", ALL_DAYS),
    ("every day of the week", ALL_DAYS),
    ("every day", ALL_DAYS),
    ("7 days a week", ALL_DAYS),
    ("seven days a week", ALL_DAYS),
    ("7 days", ALL_DAYS),
    ("seven days", ALL_DAYS),
    ("all week long", ALL_DAYS),
    ("all week", ALL_DAYS),
    ("all days", ALL_DAYS),
    ("kila siku", ALL_DAYS),
    ("siku zote", ALL_DAYS),
    ("siku saba", ALL_DAYS),
    ("siku 7", ALL_DAYS),
    ("wiki nzima", ALL_DAYS),
    ("week days", WEEKDAYS),
    ("dias de semana", WEEKDAYS),
    ("dias habiles", WEEKDAYS),
    ("dias laborables", WEEKDAYS),
    ("entre semana", WEEKDAYS),
    ("siku za kazi", WEEKDAYS),
    ("siku za wiki", WEEKDAYS),
    ("fines de semana", WEEKEND),
    ("fin de semana", WEEKEND),
    ("week ends", WEEKEND),
    ("mwisho wa wiki", WEEKEND),
];

const CLOSED_PHRASES: &[&str] = &[
    "no abrimos",
    "no abre",
    "no atendemos",
    "no trabajamos",
    "not open",
    "don't open",
    "dont open",
    "we don't open",
    "hatufanyi kazi",
    "hakuna kazi",
    "day off",
];

const ALL_DAY_PHRASES: &[&str] = &["around the clock", "masaa 24", "saa 24", "non stop"];

/// Words that close a shift after its opening time ("y cerramos a las 18").
fn is_close_verb(w: &str) -> bool {
    matches!(
        w,
        "cerramos"
            | "cierra"
            | "cierran"
            | "close"
            | "closes"
            | "closing"
            | "tunafunga"
            | "kufunga"
            | "hufunga"
    )
}

/// A word's meaning: exact, or one keyword within the typo allowance.
fn hours_word(w: &str) -> Option<HWord> {
    fuzzy_lookup(HOURS_WORDS, w)
}

/// How far a typed word is from a keyword, if within the typo allowance:
/// exact always; one edit for keywords of five to eight letters, two for
/// longer ones; never for shorter keywords or words under four letters.
fn typo_distance(word: &str, keyword: &str) -> Option<usize> {
    if word == keyword {
        return Some(0);
    }
    let max = match keyword.len() {
        0..=4 => return None,
        5..=8 => 1,
        _ => 2,
    };
    if word.len() < 4 || !word.bytes().all(|b| b.is_ascii_lowercase()) {
        return None;
    }
    let d = edit_distance(word, keyword, max);
    (d <= max).then_some(d)
}

/// Exact match first; otherwise the unique nearest keyword within
/// [`typo_distance`]. Two different meanings equally near: no match.
fn fuzzy_lookup<T: Copy + PartialEq>(table: &[(&str, T)], w: &str) -> Option<T> {
    if let Some((_, v)) = table.iter().find(|(k, _)| *k == w) {
        return Some(*v);
    }
    let mut best: Option<(usize, T)> = None;
    let mut tie = false;
    for (k, v) in table {
        let Some(d) = typo_distance(w, k) else {
            continue;
        };
        match best {
            Some((bd, bv)) if d == bd => tie |= bv != *v,
            Some((bd, _)) if d > bd => {}
            _ => {
                best = Some((d, *v));
                tie = false;
            }
        }
    }
    if tie { None } else { best.map(|(_, v)| v) }
}

// ---------------------------------------------------------------------------
// Opening hours: times
// ---------------------------------------------------------------------------

/// How a period word places a 12-hour clock face (1..=12).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Period {
    /// am: 12 is midnight.
    Am,
    /// pm, afternoon, evening: 12 is noon.
    Pm,
    /// Morning words other than "am": 12 stays noon.
    Morning,
    /// Around midday: 12–5 pm, 6–11 am.
    Midday,
    /// Night: 6–11 pm, 12 midnight, 1–5 am.
    Night,
}

impl Period {
    fn hour(self, face: u32) -> u32 {
        let h = face % 12;
        match self {
            Period::Am => h,
            Period::Pm => h + 12,
            Period::Morning => face.min(12) % 24,
            Period::Midday => {
                if face == 12 || (1..=5).contains(&face) {
                    h + 12
                } else {
                    h
                }
            }
            Period::Night => {
                if (6..=11).contains(&face) {
                    h + 12
                } else {
                    h
                }
            }
        }
    }
}

/// "am"/"pm" (with or without dots) at `i`: they only go with 1 to 12.
fn is_am_pm(t: &Text<'_>, i: usize) -> bool {
    matches!(t.s(i), "am" | "pm")
        || (matches!(t.s(i), "a" | "p") && t.s(i + 1) == "." && t.s(i + 2) == "m")
}

/// A period phrase at `i`: (period, end).
fn period_at(t: &Text<'_>, i: usize) -> Option<(Period, usize)> {
    let w = t.s(i);
    let one = |p| Some((p, i + 1));
    match w {
        "am" => return one(Period::Am),
        "pm" => return one(Period::Pm),
        "a" | "p" if t.s(i + 1) == "." && t.s(i + 2) == "m" && t.glued(i + 1) => {
            let end = if t.s(i + 3) == "." { i + 4 } else { i + 3 };
            let p = if w == "a" { Period::Am } else { Period::Pm };
            return Some((p, end));
        }
        "noon" => return one(Period::Pm),
        "midnight" => return one(Period::Night),
        "asubuhi" => return one(Period::Morning),
        "alfajiri" => return one(Period::Am),
        "mchana" => return one(Period::Midday),
        "jioni" => return one(Period::Pm),
        "usiku" => return one(Period::Night),
        "za" | "ya" => {
            if let Some((p, e)) = period_at(t, i + 1)
                && matches!(
                    t.s(i + 1),
                    "asubuhi" | "alfajiri" | "mchana" | "jioni" | "usiku"
                )
            {
                return Some((p, e));
            }
            return None;
        }
        _ => {}
    }
    const PHRASES: &[(&str, Period)] = &[
        ("de la manana", Period::Morning),
        ("a la manana", Period::Morning),
        ("por la manana", Period::Morning),
        ("de la madrugada", Period::Am),
        ("de la tarde", Period::Pm),
        ("a la tarde", Period::Pm),
        ("por la tarde", Period::Pm),
        ("de la noche", Period::Night),
        ("a la noche", Period::Night),
        ("por la noche", Period::Night),
        ("del mediodia", Period::Midday),
        ("al mediodia", Period::Midday),
        ("in the morning", Period::Morning),
        ("in the afternoon", Period::Pm),
        ("in the evening", Period::Pm),
        ("at night", Period::Night),
    ];
    PHRASES
        .iter()
        .find_map(|(p, per)| t.phrase_at(i, p).map(|e| (*per, e)))
}

/// A time read from the text, before the range around it decides between
/// its readings. Minutes since midnight.
#[derive(Debug, Clone, Copy)]
struct Clock {
    min: u32,
    /// The other reading, twelve hours away, when the text leaves it open.
    alt: Option<u32>,
    /// am/pm or a period word was given.
    marked: bool,
    /// The 12-hour face and minutes, for a period phrase before the shift.
    face: Option<(u32, u32)>,
}

impl Clock {
    fn fixed(h: u32, m: u32, marked: bool) -> Clock {
        Clock {
            min: (h % 24) * 60 + m,
            alt: None,
            marked,
            face: None,
        }
    }

    /// A 1..=12 face whose half of the day is open: `default` is the
    /// hour (0..24) read without context.
    fn open(face: u32, m: u32, default: u32) -> Clock {
        let other = (default + 12) % 24;
        Clock {
            min: default * 60 + m,
            alt: Some(other * 60 + m),
            marked: false,
            face: Some((face, m)),
        }
    }

    fn with_period(self, p: Period) -> Clock {
        match self.face {
            Some((face, m)) if self.alt.is_some() => Clock::fixed(p.hour(face), m, true),
            _ => self,
        }
    }
}

/// Minutes from `a` to `b` going forward; a full day when equal.
fn forward(a: u32, b: u32) -> u32 {
    let d = (b + 1440 - a % 1440) % 1440;
    if d == 0 { 1440 } else { d }
}

/// Picks both ends of a shift (see the module docs). `after` is the closing
/// time of the shift before it on the same days, if any.
fn resolve(open: Clock, close: Clock, after: Option<u32>) -> (u32, u32) {
    let opens = match open.alt {
        // "11-3 and 6-10": a second shift does not start before the first ends.
        Some(alt) if after.is_some_and(|a| open.min < a && alt > open.min) => alt,
        Some(alt) if close.marked => {
            if forward(alt, close.min) < forward(open.min, close.min) {
                alt
            } else {
                open.min
            }
        }
        _ => open.min,
    };
    let closes = match close.alt {
        Some(alt) if forward(opens, alt) < forward(opens, close.min) => alt,
        _ => close.min,
    };
    (opens, closes)
}

/// An hour written as a word: (face 1..=12, end).
fn hour_word(t: &Text<'_>, i: usize, swahili: bool) -> Option<(u32, usize)> {
    let w = t.s(i);
    if swahili {
        let n = match w {
            "moja" => 1,
            "mbili" => 2,
            "tatu" => 3,
            "nne" => 4,
            "tano" => 5,
            "sita" => 6,
            "saba" => 7,
            "nane" => 8,
            "tisa" => 9,
            "kumi" => {
                if t.s(i + 1) == "na" {
                    match t.s(i + 2) {
                        "moja" => return Some((11, i + 3)),
                        "mbili" => return Some((12, i + 3)),
                        _ => {}
                    }
                }
                10
            }
            _ => return None,
        };
        return Some((n, i + 1));
    }
    let n = match w {
        "one" => 1,
        "two" | "dos" => 2,
        "three" | "tres" => 3,
        "four" | "cuatro" => 4,
        "five" | "cinco" => 5,
        "six" | "seis" => 6,
        "seven" | "siete" => 7,
        "eight" | "ocho" => 8,
        "nine" | "nueve" => 9,
        "ten" | "diez" => 10,
        "eleven" | "once" => 11,
        "twelve" | "doce" => 12,
        "una" if i > 0 && t.s(i - 1) == "la" => 1,
        _ => return None,
    };
    Some((n, i + 1))
}

type TimeResult = Result<Option<(Clock, usize)>, HoursProblem>;

fn bad_time(t: &Text<'_>, a: usize, b: usize) -> HoursProblem {
    HoursProblem::BadTime {
        part: t.raw_span(a, b.max(a + 1)).to_owned(),
    }
}

/// Digits of a number token split into (hours, minutes, leading zero), or
/// None when it cannot be a clock time.
fn clock_digits(s: &str) -> Option<(u32, u32, bool)> {
    let num = |p: &str| -> Option<u32> {
        if p.is_empty() || p.len() > 2 || !p.bytes().all(|b| b.is_ascii_digit()) {
            None
        } else {
            p.parse().ok()
        }
    };
    if let Some(pos) = s.find(['.', ',']) {
        let (h, m) = (&s[..pos], &s[pos + 1..]);
        if m.len() != 2 {
            return None;
        }
        return Some((num(h)?, num(m)?, h.len() == 2 && h.starts_with('0')));
    }
    match s.len() {
        1 | 2 => Some((num(s)?, 0, s.len() == 2 && s.starts_with('0'))),
        3 | 4 => {
            let (h, m) = s.split_at(s.len() - 2);
            Some((num(h)?, num(m)?, h.len() == 2 && h.starts_with('0')))
        }
        _ => None,
    }
}

/// A time at `i` (numbers, number words, noon/midnight, saa times).
fn time_at(t: &Text<'_>, i: usize) -> TimeResult {
    match t.s(i) {
        "saa" => return saa_at(t, i, i + 1),
        "noon" | "midday" | "mediodia" => return Ok(Some((Clock::fixed(12, 0, true), i + 1))),
        "midnight" | "medianoche" => return Ok(Some((Clock::fixed(0, 0, true), i + 1))),
        _ => {}
    }
    let (h, m, zero, mut k) = if t.is_num(i) {
        let Some((h, mut m, zero)) = clock_digits(t.s(i)) else {
            return Err(bad_time(t, i, i + 1));
        };
        let mut k = i + 1;
        let two_digits = |j: usize| t.is_num(j) && t.glued(j) && t.s(j).len() == 2;
        // "11:30", "19h30".
        let colon = t.s(k) == ":" && !t.s(i).contains(['.', ',']);
        if (colon || t.s(k) == "h") && t.glued(k) && two_digits(k + 1) {
            m = t.s(k + 1).parse().unwrap_or(99);
            k += 2;
        }
        (h, m, zero, k)
    } else if let Some((face, k)) = hour_word(t, i, false) {
        (face, 0, false, k)
    } else {
        return Ok(None);
    };
    // Unit words and the period.
    if matches!(
        t.s(k),
        "hs" | "h" | "hrs" | "hr" | "horas" | "hora" | "hours" | "o'clock" | "oclock"
    ) {
        k += 1;
        if t.s(k) == "." && t.glued(k) {
            k += 1;
        }
    }
    if h > 24 || m > 59 || (h == 24 && m > 0) {
        return Err(bad_time(t, i, k));
    }
    if let Some((p, e)) = period_at(t, k) {
        if (1..=12).contains(&h) {
            return Ok(Some((Clock::fixed(p.hour(h), m, true), e)));
        }
        if p == Period::Am || h == 0 || is_am_pm(t, k) {
            return Err(bad_time(t, i, e));
        }
        // "20hs de la noche": already a 24-hour time.
        return Ok(Some((Clock::fixed(h, m, true), e)));
    }
    if h == 0 || h > 12 || zero {
        return Ok(Some((Clock::fixed(h, m, false), k)));
    }
    Ok(Some((Clock::open(h, m, h), k)))
}

/// "saa 2 asubuhi", "saa kumi na mbili jioni", "saa 8 na nusu", "saa 14:00".
/// `i` is where the time starts ("saa"), `j` its number; a time right after
/// a saa time and a range word ("saa 2-12") is read the same way.
fn saa_at(t: &Text<'_>, i: usize, j: usize) -> TimeResult {
    let (sw, mut m, mut k) = if t.is_num(j) {
        let Some((h, m, _)) = clock_digits(t.s(j)) else {
            return Err(bad_time(t, i, j + 1));
        };
        let mut k = j + 1;
        let mut m = m;
        if t.s(k) == ":" && t.glued(k) && t.is_num(k + 1) && t.s(k + 1).len() == 2 {
            m = t.s(k + 1).parse().unwrap_or(99);
            k += 2;
        }
        if h == 0 || h > 12 {
            // A plain 24-hour time after "saa".
            if h > 24 || m > 59 || (h == 24 && m > 0) {
                return Err(bad_time(t, i, k));
            }
            return Ok(Some((Clock::fixed(h, m, false), k)));
        }
        (h, m, k)
    } else if let Some((face, k)) = hour_word(t, j, true) {
        (face, 0, k)
    } else {
        return Ok(None);
    };
    if m > 59 {
        return Err(bad_time(t, i, k));
    }
    // English am/pm after saa: the number is an English hour ("saa 8am").
    if matches!(t.s(k), "am" | "pm") {
        let p = if t.s(k) == "am" {
            Period::Am
        } else {
            Period::Pm
        };
        return Ok(Some((Clock::fixed(p.hour(sw), m, true), k + 1)));
    }
    let mut sw = sw;
    if t.s(k) == "na" && t.s(k + 1) == "nusu" {
        m += 30;
        k += 2;
    } else if t.s(k) == "na" && t.s(k + 1) == "robo" {
        m += 15;
        k += 2;
    } else if t.s(k) == "kasorobo" || (t.s(k) == "kasoro" && t.s(k + 1) == "robo") {
        k += if t.s(k) == "kasorobo" { 1 } else { 2 };
        sw = if sw == 1 { 12 } else { sw - 1 };
        m += 45;
    }
    if m > 59 {
        return Err(bad_time(t, i, k));
    }
    let face = (sw + 6) % 12;
    let face = if face == 0 { 12 } else { face };
    if let Some((p, e)) = period_at(t, k) {
        return Ok(Some((Clock::fixed(p.hour(face), m, true), e)));
    }
    // Daytime by default: saa 12 to saa 5 in the morning, saa 6 to 11 after noon.
    let default = if (6..=11).contains(&face) {
        face
    } else {
        face % 12 + 12
    };
    Ok(Some((Clock::open(face, m, default), k)))
}

/// A range connector between two times at `k`: the index of the second time.
fn time_connector(t: &Text<'_>, k: usize) -> Option<usize> {
    let mut j = k;
    let w = t.s(j);
    if matches!(w, "-" | "~") || hours_word(w) == Some(HWord::Range) {
        j += 1;
    } else {
        // "(y|and|na|,) cerramos (a las|at)".
        if matches!(w, "y" | "and" | "na" | "," | "&" | "e") {
            j += 1;
        }
        if !is_close_verb(t.s(j)) {
            return None;
        }
        j += 1;
        if t.s(j) == "a" || t.s(j) == "at" {
            j += 1;
        }
    }
    if matches!(t.s(j), "las" | "la" | "the") {
        j += 1;
    }
    Some(j)
}

/// "24 horas", "24hs", "24/7", "24x7", "masaa 24": (every day too, end).
fn all_day_at(t: &Text<'_>, i: usize) -> Option<(bool, usize)> {
    if t.s(i) == "24" {
        let next = t.s(i + 1);
        if (next == "/" || next == "x") && t.s(i + 2) == "7" {
            return Some((true, i + 3));
        }
        if matches!(next, "hs" | "h" | "hrs" | "hr" | "horas" | "hours" | "hour") {
            let mut e = i + 2;
            if t.s(e) == "." && t.glued(e) {
                e += 1;
            }
            return Some((false, e));
        }
    }
    ALL_DAY_PHRASES
        .iter()
        .find_map(|p| t.phrase_at(i, p))
        .map(|e| (false, e))
}

// ---------------------------------------------------------------------------
// Opening hours: the scan and the grouping
// ---------------------------------------------------------------------------

#[derive(Debug, Clone)]
enum Item {
    Days {
        mask: u8,
        a: usize,
        b: usize,
        /// Joined to the item before by "y"/"and"/"na"/"or".
        joined: bool,
    },
    Shift {
        shift: Shift,
        a: usize,
        b: usize,
    },
    Closed {
        a: usize,
        b: usize,
    },
    Except,
    Same {
        a: usize,
    },
}

fn day_mask_range(from: u8, to: u8) -> u8 {
    let mut mask = 0;
    let mut d = from;
    for _ in 0..7 {
        mask |= 1 << d;
        if d == to {
            break;
        }
        d = (d + 1) % 7;
    }
    mask
}

/// One word naming a day or a day group: (mask, single day).
fn day_word(t: &Text<'_>, i: usize) -> Option<(u8, Option<u8>)> {
    if !t.is_word(i) {
        return None;
    }
    match hours_word(t.s(i))? {
        HWord::Day(d) => Some((1 << d, Some(d))),
        HWord::Group(m) => Some((m, None)),
        _ => None,
    }
}

/// Days at `i`: a group phrase, a day, or a range of days.
fn days_at(t: &Text<'_>, i: usize) -> Option<(u8, usize)> {
    if let Some((mask, e)) = DAY_GROUPS
        .iter()
        .find_map(|(p, m)| t.phrase_at(i, p).map(|e| (*m, e)))
    {
        return Some((mask, e));
    }
    // "L a V", "L-S": the Spanish one-letter days, only as a range.
    let letter = |j: usize| match t.s(j) {
        "l" => Some(0),
        "m" => Some(1),
        "x" => Some(2),
        "j" => Some(3),
        "v" => Some(4),
        "s" => Some(5),
        "d" => Some(6),
        _ => None,
    };
    if let (Some(a), Some(b)) = (letter(i), letter(i + 2))
        && matches!(t.s(i + 1), "-" | "a" | "al")
    {
        return Some((day_mask_range(a, b), i + 3));
    }
    let (mask, day) = day_word(t, i)?;
    let mut k = i + 1;
    // "lun." / "mié." abbreviations.
    if t.s(k) == "." && t.glued(k) {
        k += 1;
    }
    if let Some(d1) = day {
        let w = t.s(k);
        if w == "-" || hours_word(w) == Some(HWord::Range) {
            let mut j = k + 1;
            if matches!(t.s(j), "el" | "los" | "the") {
                j += 1;
            }
            if let Some((_, Some(d2))) = day_word(t, j) {
                let mut e = j + 1;
                if t.s(e) == "." && t.glued(e) {
                    e += 1;
                }
                return Some((day_mask_range(d1, d2), e));
            }
        }
    }
    Some((mask, k))
}

/// The run of words at `i` that nothing understands, as typed.
fn unreadable(t: &Text<'_>, i: usize) -> HoursProblem {
    let mut e = i + 1;
    while e < t.len() && t.is_word(e) && hours_word(t.s(e)).is_none() && days_at(t, e).is_none() {
        e += 1;
    }
    HoursProblem::Unreadable {
        part: t.raw_span(i, e).to_owned(),
    }
}

fn scan_hours(t: &Text<'_>) -> Result<Vec<Item>, HoursProblem> {
    let mut items = Vec::new();
    let mut hint: Option<Period> = None;
    let mut joined = false;
    // The closing time of the last shift since days were last named.
    let mut after: Option<u32> = None;
    let mut i = 0;
    while i < t.len() {
        if t.is_punct(i) {
            if t.s(i) == "&" {
                joined = true;
            }
            i += 1;
            continue;
        }
        if let Some((mask, e)) = days_at(t, i) {
            items.push(Item::Days {
                mask,
                a: i,
                b: e,
                joined,
            });
            joined = false;
            hint = None;
            after = None;
            i = e;
            continue;
        }
        let was_joined = joined;
        joined = false;
        if let Some((every_day, e)) = all_day_at(t, i) {
            if every_day {
                items.push(Item::Days {
                    mask: ALL_DAYS,
                    a: i,
                    b: e,
                    joined: false,
                });
            }
            items.push(Item::Shift {
                shift: Shift {
                    opens: NaiveTime::MIN,
                    closes: NaiveTime::MIN,
                },
                a: i,
                b: e,
            });
            i = e;
            continue;
        }
        if let Some(e) = CLOSED_PHRASES.iter().find_map(|p| t.phrase_at(i, p)) {
            items.push(Item::Closed { a: i, b: e });
            i = e;
            continue;
        }
        match t.is_word(i).then(|| hours_word(t.s(i))).flatten() {
            Some(HWord::Closed) => {
                items.push(Item::Closed { a: i, b: i + 1 });
                i += 1;
                continue;
            }
            Some(HWord::Except) => {
                items.push(Item::Except);
                i += 1;
                continue;
            }
            Some(HWord::Same) => {
                items.push(Item::Same { a: i });
                i += 1;
                continue;
            }
            _ => {}
        }
        if let Some((c1, k)) = time_at(t, i)? {
            let Some(k2) = time_connector(t, k) else {
                return Err(HoursProblem::OpenEnded {
                    part: t.raw_span(i, k).to_owned(),
                });
            };
            let second = if t.s(i) == "saa" && t.s(k2) != "saa" {
                saa_at(t, k2, k2)?
            } else {
                time_at(t, k2)?
            };
            let Some((c2, e)) = second else {
                return Err(HoursProblem::OpenEnded {
                    part: t.raw_span(i, k2.min(t.len())).to_owned(),
                });
            };
            let (c1, c2) = match hint {
                Some(p) => (c1.with_period(p), c2.with_period(p)),
                None => (c1, c2),
            };
            let (opens, closes) = resolve(c1, c2, after);
            // A shift past midnight leaves nothing later on the same day.
            after = (closes > opens).then_some(closes);
            let shift = Shift::from_minutes(opens, closes).ok_or_else(|| bad_time(t, i, e))?;
            if shift.opens == shift.closes {
                return Err(bad_time(t, i, e));
            }
            items.push(Item::Shift { shift, a: i, b: e });
            i = e;
            continue;
        }
        if let Some((p, e)) = period_at(t, i) {
            hint = Some(p);
            i = e;
            continue;
        }
        if t.is_word(i) && hours_word(t.s(i)).is_some() {
            joined = was_joined || matches!(t.s(i), "y" | "e" | "and" | "na" | "o" | "or");
            i += 1;
            continue;
        }
        return Err(unreadable(t, i));
    }
    Ok(items)
}

#[derive(Default)]
struct Group {
    days: u8,
    day_span: Option<(usize, usize)>,
    shifts: Vec<Shift>,
    other_span: Option<(usize, usize)>,
    closed: bool,
    days_first: bool,
    /// 2: "except" was just read; 1: a day was taken out, more may follow
    /// joined by "y"/"and"; 0: not excepting.
    except: u8,
    named: bool,
}

fn widen(span: &mut Option<(usize, usize)>, a: usize, b: usize) {
    *span = Some(match *span {
        Some((x, y)) => (x.min(a), y.max(b)),
        None => (a, b),
    });
}

impl Group {
    fn has_content(&self) -> bool {
        !self.shifts.is_empty() || self.closed
    }
}

/// Reads opening hours from free text; the rules are in the module docs.
pub fn parse_hours(text: &str) -> Result<ParsedHours, HoursProblem> {
    let t = Text::new(text);
    let items = scan_hours(&t)?;
    let mut out = ParsedHours::default();
    let mut groups: Vec<Group> = Vec::new();
    let mut g = Group::default();
    for item in items {
        match item {
            Item::Except => g.except = 2,
            Item::Same { a } => {
                g.except = 0;
                if g.named
                    && !g.has_content()
                    && let Some(prev) = groups.last()
                {
                    g.shifts = prev.shifts.clone();
                    g.closed = prev.closed;
                    widen(&mut g.other_span, a, a + 1);
                }
            }
            Item::Days { mask, a, b, joined } => {
                if g.except == 2 || (g.except == 1 && joined) {
                    g.except = 1;
                    if !g.named {
                        g.days = ALL_DAYS;
                        g.named = true;
                        g.days_first = !g.has_content();
                    }
                    g.days &= !mask;
                    widen(&mut g.day_span, a, b);
                    continue;
                }
                g.except = 0;
                if g.has_content() && g.named {
                    groups.push(std::mem::take(&mut g));
                }
                if !g.named && !g.has_content() {
                    g.days_first = true;
                }
                g.days |= mask;
                g.named = true;
                widen(&mut g.day_span, a, b);
            }
            Item::Shift { shift, a, b } => {
                g.except = 0;
                if g.closed || (g.named && !g.shifts.is_empty() && !g.days_first) {
                    groups.push(std::mem::take(&mut g));
                }
                g.shifts.push(shift);
                widen(&mut g.other_span, a, b);
            }
            // "every day 11-23 except mondays closed": those days are out already.
            Item::Closed { .. } if g.except == 1 => g.except = 0,
            Item::Closed { a, b } => {
                g.except = 0;
                if g.has_content() {
                    groups.push(std::mem::take(&mut g));
                }
                g.closed = true;
                widen(&mut g.other_span, a, b);
            }
        }
    }
    groups.push(g);
    let span =
        |s: Option<(usize, usize)>| s.map_or(String::new(), |(a, b)| t.raw_span(a, b).to_owned());
    let mut any = false;
    // The day set of the group that last set each day.
    let mut source = [0u8; 7];
    for g in &groups {
        if !g.named {
            if g.has_content() {
                return Err(HoursProblem::NoDays {
                    part: span(g.other_span),
                });
            }
            continue;
        }
        if !g.has_content() {
            return Err(HoursProblem::NoTimes {
                part: span(g.day_span),
            });
        }
        any = true;
        for (d, day) in out.days.iter_mut().enumerate() {
            if g.days & (1 << d) == 0 {
                continue;
            }
            // A narrower set of days refines ("todos los días 9 a 18,
            // domingos 10 a 14"); the same or a wider set adds shifts
            // ("lunes 9 a 13, lunes a viernes 17 a 21"); closed closes.
            let earlier = source[d];
            let refines = g.days & !earlier == 0 && g.days != earlier;
            if g.closed || day.is_empty() || refines {
                *day = if g.closed {
                    Vec::new()
                } else {
                    g.shifts.clone()
                };
            } else {
                for s in &g.shifts {
                    if !day.contains(s) {
                        day.push(*s);
                    }
                }
            }
            source[d] = g.days;
        }
    }
    for day in &mut out.days {
        day.sort_by_key(|s| s.opens);
    }
    if any {
        Ok(out)
    } else {
        Err(HoursProblem::Empty)
    }
}

// ---------------------------------------------------------------------------
// Delivery zones
// ---------------------------------------------------------------------------

/// Delivery zones with fees in minor units. `pickup_only` when the owner
/// said they do not deliver (then `zones` is empty); `unread` holds the
/// parts that were not a zone with a fee, as typed.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ParsedZones {
    pub zones: Vec<ParsedZone>,
    pub pickup_only: bool,
    pub unread: Vec<String>,
}

/// One delivery zone: its name as typed and its fee in minor units.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParsedZone {
    pub name: String,
    pub fee: i64,
}

const PICKUP_PHRASES: &[&str] = &[
    "solo retiro en el local",
    "solo retiro en local",
    "solo retiro por el local",
    "solo retiro",
    "solo retiros",
    "solo para retirar",
    "solo take away",
    "solo pickup",
    "solo takeaway",
    "retiro en el local",
    "retiro en local",
    "retiro por el local",
    "sin delivery",
    "sin envio",
    "sin envios",
    "no hacemos envios",
    "no hacemos envio",
    "no hacemos delivery",
    "no hacemos entregas",
    "no tenemos delivery",
    "no tenemos envios",
    "pickup only",
    "pick up only",
    "pick-up only",
    "only pickup",
    "only pick up",
    "only pick-up",
    "collection only",
    "takeaway only",
    "no delivery",
    "no deliveries",
    "we don't deliver",
    "we dont deliver",
    "we do not deliver",
    "hakuna delivery",
    "hatuna delivery",
    "hakuna usafirishaji",
    "hatupeleki",
    "hatufanyi delivery",
    "pickup tu",
    "kuchukua dukani tu",
];

const FREE_PHRASES: &[&str] = &[
    "gratis",
    "free",
    "bure",
    "sin cargo",
    "sin costo",
    "bila malipo",
    "bila gharama",
];

fn is_currency_word(w: &str) -> bool {
    matches!(
        w,
        "ksh" | "kshs" | "kes" | "sh" | "shs" | "ngn" | "ars" | "n" | "naira" | "pesos" | "bob"
    )
}

/// Digits with `.`/`,` separators as an exact amount in minor units:
/// `mult` is 1 or 1000 ("2k"), `digits` the currency's decimals.
fn exact_minor(s: &str, mult: i128, digits: u32) -> Option<i64> {
    let digit_count = s.bytes().filter(u8::is_ascii_digit).count();
    if digit_count > 18 {
        return None;
    }
    let (int, frac) = match s.rfind(['.', ',']) {
        Some(p) if s.len() - p - 1 == 3 && mult == 1 => (s.to_owned(), String::new()),
        Some(p) => {
            // Only one kind of separator may group the integer part.
            let head = &s[..p];
            if head.contains(s.as_bytes()[p] as char) {
                return None;
            }
            (head.to_owned(), s[p + 1..].to_owned())
        }
        None => (s.to_owned(), String::new()),
    };
    // Thousands groups: the separators left in `int` must group by three.
    if int.contains(['.', ',']) {
        let mut parts = int.split(['.', ',']);
        let first = parts.next().unwrap_or("");
        if first.is_empty() || first.len() > 3 || parts.any(|p| p.len() != 3) {
            return None;
        }
        let seps: Vec<char> = int.chars().filter(|c| *c == '.' || *c == ',').collect();
        if seps.windows(2).any(|w| w[0] != w[1]) {
            return None;
        }
    }
    let int_digits: String = int.chars().filter(char::is_ascii_digit).collect();
    let whole: i128 = int_digits.parse().ok()?;
    let frac_len = frac.len() as u32;
    let frac_value: i128 = if frac.is_empty() {
        0
    } else {
        frac.parse().ok()?
    };
    let scale = 10i128.pow(digits.min(6));
    let denom = 10i128.pow(frac_len);
    let total = (whole * denom + frac_value) * mult * scale;
    if total % denom != 0 {
        return None;
    }
    i64::try_from(total / denom).ok()
}

/// A money amount at `i`: (Some(minor) or None when not money, start, end).
fn amount_at(t: &Text<'_>, i: usize, digits: u32) -> Option<(Option<i64>, usize)> {
    let mut k = i;
    // Leading currency marks.
    loop {
        let w = t.s(k);
        if matches!(w, "$" | "₦" | "#") {
            k += 1;
        } else if is_currency_word(w) && t.is_word(k) {
            let mut j = k + 1;
            if t.s(j) == "." && t.glued(j) {
                j += 1;
            }
            if !t.is_num(j) && !matches!(t.s(j), "$" | "₦") {
                return None;
            }
            k = j;
        } else {
            break;
        }
    }
    if !t.is_num(k) {
        return None;
    }
    let num = t.s(k);
    let mut e = k + 1;
    let mut mult = 1;
    if (t.s(e) == "k" && t.glued(e)) || t.s(e) == "mil" {
        mult = 1000;
        e += 1;
    }
    // Trailing marks: "/-", "/=", ".-", "bob", "ksh", "pesos".
    if matches!(t.s(e), "/" | ".") && matches!(t.s(e + 1), "-" | "=") && t.glued(e) {
        e += 2;
    } else if t.is_word(e) && is_currency_word(t.s(e)) && t.s(e) != "n" {
        e += 1;
    }
    Some((exact_minor(num, mult, digits), e))
}

fn is_delivery_word(w: &str) -> bool {
    matches!(
        w,
        "delivery"
            | "deliveries"
            | "envio"
            | "envios"
            | "entrega"
            | "entregas"
            | "usafirishaji"
            | "solo"
            | "only"
    )
}

/// The zone name in tokens `a..b`, as typed, without a leading "delivery
/// to" / "envío a" and a trailing "is" / "cuesta" ("Delivery within CBD is
/// 200" is CBD). A name that would be left empty is kept whole.
fn zone_name(t: &Text<'_>, a: usize, b: usize) -> String {
    let (mut x, mut y) = (a, b);
    if matches!(t.s(x), "solo" | "only") {
        x += 1;
    }
    if matches!(
        t.s(x),
        "delivery" | "deliveries" | "envio" | "envios" | "entrega" | "entregas" | "usafirishaji"
    ) {
        x += 1;
        if matches!(
            t.s(x),
            "to" | "in" | "within" | "a" | "al" | "en" | "hadi" | "kwa" | "para"
        ) {
            x += 1;
        }
    } else {
        x = a;
    }
    while y > x + 1
        && matches!(
            t.s(y - 1),
            "is" | "es" | "ni" | "cuesta" | "costs" | "cost" | "="
        )
    {
        y -= 1;
    }
    if x >= y {
        (x, y) = (a, b);
    }
    t.raw_span(x, y).to_owned()
}

/// Reads delivery zones and fees; see the module docs.
pub fn parse_zones(text: &str, minor_digits: u32) -> ParsedZones {
    let t = Text::new(text);
    let n = t.len();
    let mut out = ParsedZones::default();
    let mut pickup: Vec<String> = Vec::new();
    let mut pickup_end = usize::MAX;
    // Names waiting for a fee, and the name being read.
    let mut pending: Vec<(usize, usize)> = Vec::new();
    let mut cur: Option<(usize, usize)> = None;
    // "free delivery in Westlands": a fee read before its name.
    let mut free_next: Option<usize> = None;
    let mut line_start = true;
    let mut i = 0;
    let flush = |cur: &mut Option<(usize, usize)>, pending: &mut Vec<(usize, usize)>| {
        if let Some(c) = cur.take() {
            pending.push(c);
        }
    };
    // Gives the names read so far the fee read before them, if any.
    let settle_free = |free_next: &mut Option<usize>,
                       cur: &mut Option<(usize, usize)>,
                       pending: &mut Vec<(usize, usize)>,
                       out: &mut ParsedZones| {
        if free_next.is_some() {
            flush(cur, pending);
            if !pending.is_empty() {
                *free_next = None;
                for (a, b) in pending.drain(..) {
                    out.zones.push(ParsedZone {
                        name: zone_name(&t, a, b),
                        fee: 0,
                    });
                }
            }
        }
    };
    while i < n {
        let w = t.s(i);
        let word = t.is_word(i);
        if let Some(e) = PICKUP_PHRASES
            .iter()
            .filter(|_| word)
            .find_map(|p| t.phrase_at(i, p))
        {
            flush(&mut cur, &mut pending);
            pickup.push(t.raw_span(i, e).to_owned());
            pickup_end = e;
            i = e;
            line_start = false;
            continue;
        }
        let free = FREE_PHRASES
            .iter()
            .filter(|_| word)
            .find_map(|p| t.phrase_at(i, p));
        if let Some(e) = free {
            // "retiro en local sin cargo": about the pickup, not a zone.
            if i == pickup_end {
                i = e;
                continue;
            }
            // "usafirishaji bure Kasarani": only "delivery" came before.
            let only_delivery = cur.is_some_and(|(a, b)| (a..b).all(|j| is_delivery_word(t.s(j))));
            if (cur.is_none() || only_delivery) && pending.is_empty() {
                free_next = Some(cur.map_or(i, |c| c.0));
                cur = None;
                i = e;
                line_start = false;
                continue;
            }
        }
        let fee = if let Some(e) = free {
            Some((Some(0), e))
        } else if line_start
            && t.is_num(i)
            && t.digits(i) <= 2
            && matches!(t.s(i + 1), "." | ")")
            && t.glued(i + 1)
            && t.is_word(i + 2)
        {
            // "1. Palermo 1500": list numbering.
            i += 2;
            line_start = false;
            continue;
        } else {
            amount_at(&t, i, minor_digits)
        };
        if let Some((fee, e)) = fee {
            // "Zona 1 $500", "Lekki Phase 1 - 2000": a number followed by an
            // amount is part of the name.
            let mut after = e;
            while matches!(t.s(after), "-" | ":" | "=") {
                after += 1;
            }
            if t.is_num(i) && cur.is_some() && amount_at(&t, after, minor_digits).is_some() {
                cur = cur.map(|(a, _)| (a, e));
                i = e;
                line_start = false;
                continue;
            }
            flush(&mut cur, &mut pending);
            match fee {
                Some(fee) if !pending.is_empty() && free_next.is_none() => {
                    for (a, b) in pending.drain(..) {
                        out.zones.push(ParsedZone {
                            name: zone_name(&t, a, b),
                            fee,
                        });
                    }
                }
                _ => {
                    // A fee with no name, an amount that is not money, or
                    // "free ... 5000".
                    let a = free_next
                        .take()
                        .or(pending.first().map(|p| p.0))
                        .unwrap_or(i);
                    pending.clear();
                    out.unread.push(t.raw_span(a, e).to_owned());
                }
            }
            i = e;
            line_start = false;
            continue;
        }
        if t.is_punct(i) {
            match w {
                "\n" | ";" | "|" | "." if !(w == "." && cur.is_some() && t.glued(i)) => {
                    settle_free(&mut free_next, &mut cur, &mut pending, &mut out);
                    let header = i > 0 && t.s(i - 1) == ":" && w == "\n";
                    flush(&mut cur, &mut pending);
                    if !header {
                        for (a, b) in pending.drain(..) {
                            out.unread.push(zone_name(&t, a, b));
                        }
                    }
                    pending.clear();
                    line_start = w == "\n";
                }
                "," | "/" | "&" | "+" => {
                    settle_free(&mut free_next, &mut cur, &mut pending, &mut out);
                    flush(&mut cur, &mut pending);
                }
                ":" => {
                    // "Zonas: Palermo 1500": a label, unless a fee follows.
                    let mut j = i + 1;
                    if t.s(j) == "\n" {
                        j += 1;
                    }
                    let fee_next = amount_at(&t, j, minor_digits).is_some()
                        || FREE_PHRASES.iter().any(|p| t.phrase_at(j, p).is_some());
                    if !fee_next {
                        cur = None;
                    }
                }
                _ => {}
            }
            i += 1;
            continue;
        }
        line_start = false;
        if matches!(w, "y" | "and" | "na" | "e") {
            flush(&mut cur, &mut pending);
            i += 1;
            continue;
        }
        cur = Some(cur.map_or((i, i + 1), |(a, _)| (a, i + 1)));
        i += 1;
    }
    settle_free(&mut free_next, &mut cur, &mut pending, &mut out);
    flush(&mut cur, &mut pending);
    for (a, b) in pending {
        out.unread.push(zone_name(&t, a, b));
    }
    if let Some(a) = free_next {
        out.unread.push(t.raw_span(a, n).to_owned());
    }
    if out.zones.is_empty() {
        out.pickup_only = !pickup.is_empty();
    } else {
        out.unread.extend(pickup);
    }
    out
}

// ---------------------------------------------------------------------------
// Payment methods
// ---------------------------------------------------------------------------

/// A payment method the owner named, with the details customers need.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "method", rename_all = "snake_case")]
pub enum PaymentDetail {
    Cash,
    /// "alias empanadas.lola", "CBU 0170…" / "CVU 0000003…" (22 digits, check
    /// digits verified), an account number with its bank as typed ("GTBank
    /// 0123456789"), or empty when the owner only said "transferencia".
    BankTransfer {
        details: String,
    },
    MpesaTill {
        till: String,
    },
    MpesaPaybill {
        paybill: String,
        account: Option<String>,
    },
    Paystack,
}

/// The methods named, plus the parts that looked like payment details but
/// could not be used (a CBU whose check digits fail, a 3-digit till,
/// "M-PESA" without its number), as typed.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct PaymentReading {
    pub details: Vec<PaymentDetail>,
    pub unread: Vec<String>,
}

/// Payment methods in the order named; empty when none. See
/// [`read_payment_details`] for what could not be used.
pub fn parse_payment_details(text: &str) -> Vec<PaymentDetail> {
    read_payment_details(text).details
}

/// Do the CBU/CVU check digits hold? `d` is 22 ASCII digits.
pub fn cbu_is_valid(d: &str) -> bool {
    let b = d.as_bytes();
    if b.len() != 22 || !b.iter().all(u8::is_ascii_digit) {
        return false;
    }
    let check = |digits: &[u8]| {
        const W: [u32; 4] = [3, 1, 7, 9];
        let sum: u32 = digits
            .iter()
            .rev()
            .enumerate()
            .map(|(i, c)| u32::from(c - b'0') * W[i % 4])
            .sum();
        (10 - sum % 10) % 10
    };
    check(&b[..7]) == u32::from(b[7] - b'0') && check(&b[8..21]) == u32::from(b[21] - b'0')
}

const BANK_WORDS: &[&str] = &[
    "bank",
    "banco",
    "benki",
    "account",
    "acct",
    "acc",
    "cuenta",
    "akaunti",
    "nuban",
    "gtbank",
    "gtb",
    "gtco",
    "guaranty",
    "access",
    "zenith",
    "uba",
    "firstbank",
    "opay",
    "palmpay",
    "moniepoint",
    "kuda",
    "wema",
    "fidelity",
    "fcmb",
    "sterling",
    "stanbic",
    "ecobank",
    "polaris",
    "keystone",
    "providus",
    "equity",
    "kcb",
    "coop",
    "ncba",
    "absa",
    "dtb",
    "galicia",
    "santander",
    "bbva",
    "macro",
    "nacion",
    "brubank",
    "uala",
];

const CASH_WORDS: &[(&str, ())] = &[("cash", ()), ("efectivo", ()), ("taslimu", ())];

fn is_negation(w: &str) -> bool {
    matches!(
        w,
        "no" | "sin" | "not" | "hakuna" | "bila" | "hatupokei" | "nada" | "never" | "nunca"
    )
}

/// Is the word at `i` negated ("no efectivo", "we don't take cash")?
fn negated(t: &Text<'_>, i: usize) -> bool {
    let prev: Vec<&str> = (i.saturating_sub(8)..i)
        .rev()
        .filter(|&j| !t.is_punct(j))
        .take(3)
        .map(|j| t.s(j))
        .collect();
    match prev.as_slice() {
        [p, ..] if is_negation(p) => true,
        [v, n, ..] if is_negation(n) || *n == "don't" || *n == "dont" => {
            matches!(
                *v,
                "aceptamos" | "tomamos" | "accept" | "take" | "recibimos" | "not"
            ) || n.ends_with("n't")
        }
        _ => false,
    }
}

fn digits_of<'a>(t: &'a Text<'_>, i: usize) -> Option<&'a str> {
    let s = t.s(i);
    (t.is_num(i) && s.bytes().all(|b| b.is_ascii_digit())).then_some(s)
}

/// Skips "no", "number", "#", ":" and the like before a number.
fn skip_number_label(t: &Text<'_>, mut j: usize) -> usize {
    while j < t.len()
        && matches!(
            t.s(j),
            "no" | "number"
                | "num"
                | "nro"
                | "numero"
                | "nambari"
                | "namba"
                | "#"
                | ":"
                | "."
                | "-"
                | "="
                | "is"
                | "es"
                | "ni"
                | "°"
                | "º"
        )
    {
        j += 1;
    }
    j
}

/// The account after a paybill number: ("account 7788"): (value, end).
fn paybill_account(t: &Text<'_>, k: usize) -> (Option<String>, usize) {
    let mut j = k;
    if matches!(t.s(j), "," | "and" | "na" | "&" | "y") {
        j += 1;
    }
    let label_end = match t.s(j) {
        "account" | "acc" | "acct" | "ac" | "akaunti" | "cuenta" => j + 1,
        "a" if t.s(j + 1) == "/" && t.s(j + 2) == "c" => j + 3,
        _ => return (None, k),
    };
    let j = skip_number_label(t, label_end);
    if j >= t.len() || t.is_punct(j) {
        return (None, label_end);
    }
    // A glued run of letters and digits ("7788", "SHOP-12").
    let mut e = j + 1;
    while e < t.len() && t.glued(e) && (!t.is_punct(e) || t.s(e) == "-") {
        e += 1;
    }
    let chunk = t.raw_span(j, e);
    if chunk.bytes().any(|b| b.is_ascii_digit()) || e > j + 1 {
        return (Some(chunk.to_owned()), e);
    }
    // "account: your name": a few words up to the end of the clause.
    let mut e = j;
    while e < t.len()
        && e < j + 4
        && t.is_word(e)
        && !matches!(t.s(e), "or" | "o" | "au" | "and" | "y" | "na")
    {
        e += 1;
    }
    (Some(t.raw_span(j, e).to_owned()), e)
}

/// Reads payment methods; see the module docs.
pub fn read_payment_details(text: &str) -> PaymentReading {
    let t = Text::new(text);
    let n = t.len();
    let mut found: Vec<(usize, PaymentDetail)> = Vec::new();
    let mut unread: Vec<(usize, String)> = Vec::new();
    let mut transfer_at: Option<usize> = None;
    let mut mpesa_at: Option<usize> = None;
    // Where the last bank account ended: the next one does not reach back past it.
    let mut floor = 0;
    let mut i = 0;
    while i < n {
        let w = t.s(i);
        if t.is_punct(i) {
            i += 1;
            continue;
        }
        // M-PESA, on its own: needs a till or paybill somewhere.
        if w == "mpesa" || (w == "m" && t.s(i + 1) == "-" && t.s(i + 2) == "pesa") {
            let e = if w == "mpesa" { i + 1 } else { i + 3 };
            mpesa_at.get_or_insert(i);
            i = e;
            continue;
        }
        // Till.
        let till_end = if w == "till" {
            Some(i + 1)
        } else if w == "buy" && t.s(i + 1) == "goods" {
            let mut e = i + 2;
            if t.phrase_at(e, "and services").is_some() {
                e += 2;
            }
            if t.s(e) == "till" {
                e += 1;
            }
            Some(e)
        } else if w == "buygoods" {
            Some(i + 1)
        } else {
            None
        };
        if let Some(k) = till_end {
            let j = skip_number_label(&t, k);
            match digits_of(&t, j) {
                Some(d) if (5..=8).contains(&d.len()) => {
                    found.push((i, PaymentDetail::MpesaTill { till: d.to_owned() }));
                    i = j + 1;
                }
                Some(_) => {
                    unread.push((i, t.raw_span(i, j + 1).to_owned()));
                    i = j + 1;
                }
                None => {
                    if w != "till" {
                        unread.push((i, t.raw_span(i, k).to_owned()));
                    }
                    i = k;
                }
            }
            continue;
        }
        // Paybill.
        let paybill_end = if w == "paybill" || w == "paybil" {
            Some(i + 1)
        } else if (w == "pay" && t.s(i + 1) == "bill")
            || (w == "business" && matches!(t.s(i + 1), "no" | "number" | "namba"))
        {
            Some(i + 2)
        } else {
            None
        };
        if let Some(k) = paybill_end {
            let j = skip_number_label(&t, k);
            match digits_of(&t, j) {
                Some(d) if (5..=8).contains(&d.len()) => {
                    let (account, e) = paybill_account(&t, j + 1);
                    found.push((
                        i,
                        PaymentDetail::MpesaPaybill {
                            paybill: d.to_owned(),
                            account,
                        },
                    ));
                    i = e.max(j + 1);
                }
                Some(_) => {
                    unread.push((i, t.raw_span(i, j + 1).to_owned()));
                    i = j + 1;
                }
                None => {
                    unread.push((i, t.raw_span(i, k).to_owned()));
                    i = k;
                }
            }
            continue;
        }
        // Alias.
        if w == "alias" {
            let j = skip_number_label(&t, i + 1);
            if j >= n || t.is_punct(j) {
                unread.push((i, t.raw_of(i).to_owned()));
                i = j;
                continue;
            }
            let (start, _) = t.raw_range(j);
            let rest = &text[start..];
            let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
            let chunk =
                rest[..end].trim_end_matches(['.', ',', ';', ':', ')', '!', '?', '"', '\'']);
            let ok = (6..=20).contains(&chunk.chars().count())
                && chunk
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
                && chunk.chars().any(|c| c.is_ascii_alphabetic());
            if ok {
                found.push((
                    i,
                    PaymentDetail::BankTransfer {
                        details: format!("alias {chunk}"),
                    },
                ));
            } else {
                unread.push((i, format!("{} {}", t.raw_of(i), &rest[..end])));
            }
            let stop = start + end;
            let mut k = j;
            while k < n && t.raw_range(k).0 < stop {
                k += 1;
            }
            i = k;
            continue;
        }
        // CBU / CVU, with or without its label.
        let labelled = matches!(w, "cbu" | "cvu");
        if labelled || digits_of(&t, i).is_some_and(|d| d.len() >= 4) {
            let mut j = if labelled {
                skip_number_label(&t, i + 1)
            } else {
                i
            };
            let first = j;
            let mut digits = String::new();
            while digits.len() < 22 && j < n {
                if let Some(d) = digits_of(&t, j) {
                    digits.push_str(d);
                    j += 1;
                } else if t.s(j) == "-" && digits_of(&t, j + 1).is_some() && !digits.is_empty() {
                    j += 1;
                } else {
                    break;
                }
            }
            if digits.len() == 22 {
                let label = if labelled {
                    w.to_ascii_uppercase()
                } else if digits.starts_with("000") {
                    "CVU".to_owned()
                } else {
                    "CBU".to_owned()
                };
                if cbu_is_valid(&digits) {
                    found.push((
                        i,
                        PaymentDetail::BankTransfer {
                            details: format!("{label} {digits}"),
                        },
                    ));
                } else {
                    unread.push((i, t.raw_span(i, j).to_owned()));
                }
                i = j;
                continue;
            }
            if labelled {
                unread.push((i, t.raw_span(i, j.max(first).max(i + 1)).to_owned()));
                i = j.max(i + 1);
                continue;
            }
        }
        // A bank account: a bank or account word and an 8-16 digit number.
        let bank_transfer = matches!(w, "bank" | "banco") && t.s(i + 1).starts_with("transfer");
        if ((BANK_WORDS.contains(&w) && !bank_transfer)
            || digits_of(&t, i).is_some_and(|d| (8..=16).contains(&d.len())))
            && let Some((a, e)) = bank_account(&t, i, floor)
        {
            floor = e;
            found.push((
                a,
                PaymentDetail::BankTransfer {
                    details: t.raw_span(a, e).to_owned(),
                },
            ));
            i = e;
            continue;
        }
        if matches!(
            w,
            "transferencia"
                | "transferencias"
                | "transfer"
                | "transfers"
                | "transferir"
                | "transferi"
                | "uhamisho"
                | "deposito"
                | "deposit"
        ) || typo_distance(w, "transferencia").is_some()
        {
            if !negated(&t, i) {
                transfer_at.get_or_insert(i);
            }
            i += 1;
            continue;
        }
        if typo_distance(w, "paystack").is_some() || (w == "pay" && t.s(i + 1) == "stack") {
            if !negated(&t, i) {
                found.push((i, PaymentDetail::Paystack));
            }
            i += if w == "pay" { 2 } else { 1 };
            continue;
        }
        let cash = fuzzy_lookup(CASH_WORDS, w).is_some()
            || t.phrase_at(i, "contra entrega").is_some()
            || w == "contraentrega"
            || t.phrase_at(i, "pay on delivery").is_some();
        if cash {
            if !negated(&t, i) {
                found.push((i, PaymentDetail::Cash));
            }
            i += 1;
            continue;
        }
        i += 1;
    }
    let has_bank = found
        .iter()
        .any(|(_, d)| matches!(d, PaymentDetail::BankTransfer { .. }));
    if let Some(at) = transfer_at
        && !has_bank
    {
        found.push((
            at,
            PaymentDetail::BankTransfer {
                details: String::new(),
            },
        ));
    }
    let has_mpesa = found.iter().any(|(_, d)| {
        matches!(
            d,
            PaymentDetail::MpesaTill { .. } | PaymentDetail::MpesaPaybill { .. }
        )
    });
    if let Some(at) = mpesa_at
        && !has_mpesa
        && !unread.iter().any(|(p, _)| *p > at)
    {
        let e = if t.s(at) == "m" { at + 3 } else { at + 1 };
        unread.push((at, t.raw_span(at, e).to_owned()));
    }
    found.sort_by_key(|(p, _)| *p);
    unread.sort_by_key(|(p, _)| *p);
    let mut details: Vec<PaymentDetail> = Vec::new();
    for (_, d) in found {
        if !details.contains(&d) {
            details.push(d);
        }
    }
    PaymentReading {
        details,
        unread: unread.into_iter().map(|(_, s)| s).collect(),
    }
}

/// Words that only say "account" ("account number 0123…"): the bank may be
/// named just before them ("GTBank, account number 0123…").
fn is_account_word(w: &str) -> bool {
    matches!(
        w,
        "account" | "acct" | "acc" | "cuenta" | "akaunti" | "nuban"
    )
}

/// A bank account around token `i`, not reaching back before `floor`: the
/// raw span from the bank word (or number) to the number (or bank word),
/// plus the holder's name that follows up to the end of the clause, or in
/// the next clause when it says so ("…, account name Lola Foods").
fn bank_account(t: &Text<'_>, i: usize, floor: usize) -> Option<(usize, usize)> {
    let clause_end = |j: usize| {
        j >= t.len()
            || matches!(
                t.s(j),
                "\n" | "," | ";" | "|" | "or" | "o" | "au" | "and" | "y" | "na" | "plus" | "also"
            )
            || (t.s(j) == "." && !t.glued(j + 1))
    };
    let is_number = |j: usize| digits_of(t, j).is_some_and(|d| (8..=16).contains(&d.len()));
    let mut num = None;
    if is_number(i) {
        // "0123456789 GTBank": the bank word follows.
        let mut j = i + 1;
        while j < i + 5 && !clause_end(j) {
            if BANK_WORDS.contains(&t.s(j)) {
                num = Some(i);
                break;
            }
            j += 1;
        }
        num?;
    } else {
        let mut j = i + 1;
        while j < i + 8 && !clause_end(j) {
            if is_number(j) {
                num = Some(j);
                break;
            }
            j += 1;
        }
    }
    let num = num?;
    let mut a = i;
    if is_account_word(t.s(i)) {
        // "Bank: Access, Acct no: 0123…": the earliest bank word shortly before.
        let mut j = i;
        while j > floor && j + 6 > i {
            j -= 1;
            if matches!(t.s(j), "\n" | ";") {
                break;
            }
            if BANK_WORDS.contains(&t.s(j)) && !is_account_word(t.s(j)) {
                a = j;
            }
        }
    }
    // "First Bank", "Union Bank": the word before "bank" is its name.
    if matches!(t.s(a), "bank" | "banco" | "benki")
        && a > floor
        && t.is_word(a - 1)
        && !matches!(
            t.s(a - 1),
            "to" | "a"
                | "al"
                | "the"
                | "via"
                | "en"
                | "kwa"
                | "or"
                | "o"
                | "and"
                | "y"
                | "na"
                | "transfer"
                | "transferencia"
                | "deposit"
                | "pay"
                | "my"
                | "our"
                | "mi"
                | "nuestro"
        )
    {
        a -= 1;
    }
    let holder = |from: usize| {
        let mut e = from;
        let mut words = 0;
        while !clause_end(e) && words < 5 {
            let w = t.s(e);
            if matches!(
                w,
                "cash" | "efectivo" | "paystack" | "till" | "paybill" | "mpesa" | "alias" | "cbu"
            ) {
                break;
            }
            if t.is_word(e) {
                words += 1;
            }
            e += 1;
        }
        e
    };
    let mut e = holder(num + 1);
    if t.s(e) == "," {
        let mut j = e + 1;
        if matches!(t.s(j), "account" | "acct" | "acc" | "a/c") {
            j += 1;
        }
        if matches!(
            t.s(j),
            "name" | "titular" | "jina" | "beneficiary" | "holder"
        ) {
            e = holder(j);
        }
    }
    while e > num + 1 && t.is_punct(e - 1) && !matches!(t.s(e - 1), ")" | "]") {
        e -= 1;
    }
    // "(Opay 8012345678)": no closing bracket without its opening one.
    if t.s(e - 1) == ")" && !(a..e).any(|j| t.s(j) == "(") {
        e -= 1;
    }
    Some((a, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(s: &str) -> [Vec<String>; 7] {
        let got = parse_hours(s).unwrap_or_else(|e| panic!("{s:?}: {e:?}"));
        got.days
            .map(|d| d.iter().map(ToString::to_string).collect())
    }

    fn day(shifts: &[&str]) -> Vec<String> {
        shifts.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn the_brief_examples() {
        let lv = h("lun a vie de 11 a 15 y de 19 a 23");
        for d in &lv[..5] {
            assert_eq!(*d, day(&["11:00-15:00", "19:00-23:00"]));
        }
        assert!(lv[5].is_empty() && lv[6].is_empty());
        let x = h("lunes a viernes 11-15 y 19-23, sábados 12 a 16, domingo cerrado");
        assert_eq!(x[4], day(&["11:00-15:00", "19:00-23:00"]));
        assert_eq!(x[5], day(&["12:00-16:00"]));
        assert!(x[6].is_empty());
        let x = h("mon-fri 9am-6pm, sat 10-2");
        assert_eq!(x[0], day(&["09:00-18:00"]));
        assert_eq!(x[5], day(&["10:00-14:00"]));
        assert!(x[6].is_empty());
        assert_eq!(
            h("Monday to Saturday 8:00 to 20:00")[5],
            day(&["08:00-20:00"])
        );
        assert_eq!(h("every day 9 to 9")[6], day(&["09:00-21:00"]));
        assert_eq!(h("daily 10am - 10pm")[2], day(&["10:00-22:00"]));
        let x = h("weekdays 9-5, weekends closed");
        assert_eq!(x[4], day(&["09:00-17:00"]));
        assert!(x[5].is_empty());
        let x = h("jumatatu hadi ijumaa saa 2 asubuhi hadi saa 12 jioni");
        assert_eq!(x[0], day(&["08:00-18:00"]));
        assert_eq!(x[4], day(&["08:00-18:00"]));
        assert!(x[5].is_empty());
        assert_eq!(h("kila siku 8 - 20")[3], day(&["08:00-20:00"]));
        assert_eq!(h("todos los días de 20 a 2")[0], day(&["20:00-02:00"]));
        let x = h("de martes a domingo 12 a 00");
        assert!(x[0].is_empty());
        assert_eq!(x[6], day(&["12:00-00:00"]));
        let x = h("lun, mie y vie 9 a 13");
        assert_eq!(x[0], x[2]);
        assert_eq!(x[4], day(&["09:00-13:00"]));
        assert!(x[1].is_empty() && x[3].is_empty());
    }

    #[test]
    fn days_named_twice() {
        let x = h("lunes 17 a 20, lunes 9 a 13");
        assert_eq!(x[0], day(&["09:00-13:00", "17:00-20:00"]));
        let x = h("lunes 9 a 13, lunes a viernes 17 a 21");
        assert_eq!(x[0], day(&["09:00-13:00", "17:00-21:00"]));
        assert_eq!(x[1], day(&["17:00-21:00"]));
        let x = h("todos los días 9 a 18, sábados y domingos 10 a 14, lunes cerrado");
        assert!(x[0].is_empty());
        assert_eq!(x[3], day(&["09:00-18:00"]));
        assert_eq!(x[5], day(&["10:00-14:00"]));
    }

    #[test]
    fn twelve_hour_rule() {
        assert_eq!(h("lunes 7-11pm")[0], day(&["19:00-23:00"]));
        assert_eq!(h("lunes 9-6pm")[0], day(&["09:00-18:00"]));
        assert_eq!(h("lunes 10-2am")[0], day(&["22:00-02:00"]));
        assert_eq!(h("lunes de 8 a 12 de la noche")[0], day(&["20:00-00:00"]));
        assert_eq!(h("lunes a la tarde de 5 a 9")[0], day(&["17:00-21:00"]));
        assert_eq!(h("lunes 20 a 12")[0], day(&["20:00-00:00"]));
        assert_eq!(h("lunes 9 a 12")[0], day(&["09:00-12:00"]));
        assert_eq!(h("lunes 7pm - 2")[0], day(&["19:00-02:00"]));
    }

    #[test]
    fn swahili_time() {
        let one = |s: &str| h(&format!("jumatatu {s}"))[0].clone();
        assert_eq!(one("saa 1 asubuhi hadi saa 4 usiku"), day(&["07:00-22:00"]));
        assert_eq!(one("saa 12 hadi saa 4 usiku"), day(&["18:00-22:00"]));
        assert_eq!(one("saa 3 hadi saa 11"), day(&["09:00-17:00"]));
        assert_eq!(
            one("saa mbili na nusu hadi saa kumi na mbili jioni"),
            day(&["08:30-18:00"])
        );
        assert_eq!(one("saa 6 mchana hadi saa 6 usiku"), day(&["12:00-00:00"]));
        assert_eq!(
            one("saa tatu kasorobo hadi saa nane mchana"),
            day(&["08:45-14:00"])
        );
    }

    #[test]
    fn problems_name_the_part() {
        assert_eq!(parse_hours("  "), Err(HoursProblem::Empty));
        assert_eq!(
            parse_hours("de 9 a 18"),
            Err(HoursProblem::NoDays {
                part: "9 a 18".into()
            })
        );
        assert_eq!(
            parse_hours("lunes a viernes"),
            Err(HoursProblem::NoTimes {
                part: "lunes a viernes".into()
            })
        );
        assert_eq!(
            parse_hours("lunes a viernes 9 a 18, feriados cerrado"),
            Err(HoursProblem::Unreadable {
                part: "feriados".into()
            })
        );
        assert_eq!(
            parse_hours("lunes 25 a 26"),
            Err(HoursProblem::BadTime { part: "25".into() })
        );
        assert_eq!(
            parse_hours("lunes desde las 9"),
            Err(HoursProblem::OpenEnded { part: "9".into() })
        );
    }

    #[test]
    fn shift_wire_form_round_trips() {
        let s = Shift::from_minutes(20 * 60, 2 * 60).unwrap();
        let j = serde_json::to_string(&s).unwrap();
        assert_eq!(j, "\"20:00-02:00\"");
        assert_eq!(serde_json::from_str::<Shift>(&j).unwrap(), s);
        assert!(s.crosses_midnight() && !s.is_all_day());
    }

    #[test]
    fn zones() {
        let z = parse_zones("Palermo 1500, Belgrano 2000", 2);
        assert_eq!(
            z.zones,
            [
                ParsedZone {
                    name: "Palermo".into(),
                    fee: 150_000
                },
                ParsedZone {
                    name: "Belgrano".into(),
                    fee: 200_000
                }
            ]
        );
        let z = parse_zones("Ikeja - 1,500\nLekki: ₦2,500", 2);
        assert_eq!(z.zones[0].fee, 150_000);
        assert_eq!(z.zones[1].name, "Lekki");
        assert_eq!(z.zones[1].fee, 250_000);
        assert!(z.unread.is_empty());
        let z = parse_zones("solo retiro", 2);
        assert!(z.pickup_only && z.zones.is_empty());
        let z = parse_zones("Palermo, Belgrano", 2);
        assert_eq!(z.unread, ["Palermo", "Belgrano"]);
    }

    #[test]
    fn amounts_are_exact() {
        assert_eq!(exact_minor("1.500", 1, 2), Some(150_000));
        assert_eq!(exact_minor("1,500", 1, 2), Some(150_000));
        assert_eq!(exact_minor("1.500,50", 1, 2), Some(150_050));
        assert_eq!(exact_minor("1,500.5", 1, 2), Some(150_050));
        assert_eq!(exact_minor("1.5", 1000, 2), Some(150_000));
        assert_eq!(exact_minor("1.505", 1, 0), Some(1505));
        assert_eq!(exact_minor("2.555", 1000, 0), Some(2555));
        assert_eq!(exact_minor("1.005", 1, 2), Some(100_500));
        assert_eq!(exact_minor("1,2345", 1, 2), None);
        assert_eq!(exact_minor("1.2.3", 1, 2), None);
        assert_eq!(exact_minor("99999999999999999999", 1, 2), None);
    }

    #[test]
    fn cbu_check_digits() {
        assert!(cbu_is_valid("2850590940090418135201"));
        assert!(!cbu_is_valid("2850590940090418135202"));
        assert!(!cbu_is_valid("2850591940090418135201"));
        assert!(!cbu_is_valid("285059094009041813520"));
    }

    #[test]
    fn payments() {
        use PaymentDetail::*;
        assert_eq!(
            parse_payment_details("efectivo o transferencia al alias empanadas.lola"),
            [
                Cash,
                BankTransfer {
                    details: "alias empanadas.lola".into()
                }
            ]
        );
        assert_eq!(
            parse_payment_details("paybill 400200 account 7788, till 55443, paystack"),
            [
                MpesaPaybill {
                    paybill: "400200".into(),
                    account: Some("7788".into())
                },
                MpesaTill {
                    till: "55443".into()
                },
                Paystack
            ]
        );
        assert_eq!(
            parse_payment_details("transferencia"),
            [BankTransfer {
                details: String::new()
            }]
        );
        assert!(parse_payment_details("hola").is_empty());
        assert_eq!(parse_payment_details("no cash, only paystack"), [Paystack]);
        let r = read_payment_details("CBU 2850590940090418135202");
        assert!(r.details.is_empty());
        assert_eq!(r.unread, ["CBU 2850590940090418135202"]);
    }
}
