//! The guided chat as a pure step machine: given the step, the answers so
//! far and what the applicant sent, the next step, the answers changed and
//! the replies. No IO: the service loads and stores the session, reads the
//! price list ([`super::products_from_text`]) and creates the business when
//! the machine says so.
//!
//! One question at a time, in order: business name, vertical (buttons),
//! country with its currency and timezone proposed from the phone number
//! (confirm, or pick from a list), opening hours, delivery zones with fees
//! or pickup only (button), the price list, payment methods; then a summary
//! with a *Create* button. Each free-text answer is said back as read (and
//! asked again with an example when unreadable) together with the next
//! question, so correcting is one message: "change hours" (`cambiar
//! horario`, `badilisha saa`) at any point goes back to that question, and
//! from there straight back to the summary.

use crate::chat::say::{Say, row};
use channels::outbound::OutMessage;
use domain::hours::{Day, OpeningHours, Shift};
use domain::money::Currency;
use domain::order::PaymentMethod;
use domain::tenant::Vertical;
use domain::text::{Key, Overrides};
use nlu::ExtractedProduct;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    Name,
    Vertical,
    Country,
    CountryPick,
    Hours,
    Zones,
    Products,
    Payments,
    Review,
    Done,
}

impl Step {
    pub fn as_str(self) -> &'static str {
        match self {
            Step::Name => "name",
            Step::Vertical => "vertical",
            Step::Country => "country",
            Step::CountryPick => "country_pick",
            Step::Hours => "hours",
            Step::Zones => "zones",
            Step::Products => "products",
            Step::Payments => "payments",
            Step::Review => "review",
            Step::Done => "done",
        }
    }

    pub fn parse(s: &str) -> Option<Step> {
        Some(match s {
            "name" => Step::Name,
            "vertical" => Step::Vertical,
            "country" => Step::Country,
            "country_pick" => Step::CountryPick,
            "hours" => Step::Hours,
            "zones" => Step::Zones,
            "products" => Step::Products,
            "payments" => Step::Payments,
            "review" => Step::Review,
            "done" => Step::Done,
            _ => return None,
        })
    }
}

/// Where a business is: its country, currency, timezone and locale region.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Region {
    pub country: String,
    pub currency: String,
    pub timezone: String,
}

/// The countries the chat proposes, by dialling prefix: (prefix, ISO
/// country, currency, timezone, name as written everywhere).
pub const REGIONS: &[(&str, &str, &str, &str, &str)] = &[
    (
        "+54",
        "AR",
        "ARS",
        "America/Argentina/Buenos_Aires",
        "Argentina",
    ),
    ("+254", "KE", "KES", "Africa/Nairobi", "Kenya"),
    ("+234", "NG", "NGN", "Africa/Lagos", "Nigeria"),
    ("+255", "TZ", "TZS", "Africa/Dar_es_Salaam", "Tanzania"),
    ("+256", "UG", "UGX", "Africa/Kampala", "Uganda"),
    ("+233", "GH", "GHS", "Africa/Accra", "Ghana"),
    ("+27", "ZA", "ZAR", "Africa/Johannesburg", "South Africa"),
    ("+250", "RW", "RWF", "Africa/Kigali", "Rwanda"),
    ("+52", "MX", "MXN", "America/Mexico_City", "México"),
];

/// The region of a phone number's country, if the chat knows it.
pub fn region_of_phone(e164: &str) -> Option<Region> {
    REGIONS
        .iter()
        .filter(|(prefix, ..)| e164.starts_with(prefix))
        .max_by_key(|(prefix, ..)| prefix.len())
        .map(region)
}

fn region(r: &(&str, &str, &str, &str, &str)) -> Region {
    Region {
        country: r.1.to_string(),
        currency: r.2.to_string(),
        timezone: r.3.to_string(),
    }
}

fn country_name(country: &str) -> &'static str {
    REGIONS.iter().find(|r| r.1 == country).map_or("", |r| r.4)
}

/// The language of the chat: the words of the first message when they say
/// it ("hola", "habari"), else the phone's country.
pub fn language(first_message: &str, e164: &str) -> &'static str {
    let words = nlu_fold(first_message);
    let has = |list: &[&str]| words.split_whitespace().any(|w| list.contains(&w));
    if has(&[
        "hola", "buenas", "buen", "quiero", "negocio", "codigo", "unirme",
    ]) {
        return "es";
    }
    if has(&[
        "habari", "jambo", "hujambo", "nataka", "karibu", "jiunge", "biashara",
    ]) {
        return "sw";
    }
    if has(&["hello", "hi", "good", "morning", "business"]) && !e164.starts_with("+255") {
        return "en";
    }
    match region_of_phone(e164).map(|r| r.country) {
        Some(c) if c == "AR" || c == "MX" => "es",
        Some(c) if c == "TZ" => "sw",
        _ => "en",
    }
}

fn nlu_fold(s: &str) -> String {
    s.to_lowercase()
        .chars()
        .map(|c| match c {
            'á' => 'a',
            'é' => 'e',
            'í' => 'i',
            'ó' => 'o',
            'ú' => 'u',
            c if c.is_alphanumeric() => c,
            _ => ' ',
        })
        .collect()
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ZoneAnswer {
    pub name: String,
    /// Minor units.
    pub fee: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductAnswer {
    pub name: String,
    pub price: i64,
    pub aliases: Vec<String>,
    /// Generated, never asked for.
    pub sku: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PaymentAnswer {
    Cash,
    Transfer {
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

/// Everything the applicant answered; stored as JSON after every message.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Answers {
    /// The chat's language (`en`, `es`, `sw`).
    pub lang: String,
    /// The country proposed from the phone number.
    pub proposed: Option<Region>,
    pub name: Option<String>,
    pub vertical: Option<Vertical>,
    pub region: Option<Region>,
    pub hours: Option<OpeningHours>,
    /// `Some(empty)`: pickup only.
    pub zones: Option<Vec<ZoneAnswer>>,
    pub products: Option<Vec<ProductAnswer>>,
    pub payments: Option<Vec<PaymentAnswer>>,
    /// Every question was answered once: a corrected answer returns to
    /// the summary.
    pub reviewing: bool,
}

impl Answers {
    pub fn currency(&self) -> Currency {
        self.region
            .as_ref()
            .and_then(|r| Currency::parse(&r.currency).ok())
            .unwrap_or(Currency::USD)
    }

    /// The business's locale: the chat's language in its country.
    pub fn locale(&self) -> String {
        let country = self.region.as_ref().map_or("NG", |r| r.country.as_str());
        format!(
            "{}-{country}",
            if self.lang.is_empty() {
                "en"
            } else {
                &self.lang
            }
        )
    }

    fn say(&self) -> Say {
        let tz = self
            .region
            .as_ref()
            .and_then(|r| r.timezone.parse().ok())
            .unwrap_or(chrono_tz::UTC);
        Say::new(&self.locale(), self.currency(), tz, Overrides::new())
    }

    /// The payment methods customers will be offered, in the owner's order.
    pub fn payment_methods(&self) -> Vec<PaymentMethod> {
        let mut out = Vec::new();
        for p in self.payments.iter().flatten() {
            let m = match p {
                PaymentAnswer::Cash => PaymentMethod::Cash,
                PaymentAnswer::Transfer { .. } => PaymentMethod::Transfer,
                PaymentAnswer::MpesaTill { .. } | PaymentAnswer::MpesaPaybill { .. } => {
                    PaymentMethod::Mpesa
                }
                PaymentAnswer::Paystack => PaymentMethod::Card,
            };
            if !out.contains(&m) {
                out.push(m);
            }
        }
        out
    }

    /// What a customer paying by transfer (or to a till) is shown.
    pub fn transfer_details(&self) -> Option<String> {
        let say = self.say();
        let lines: Vec<String> = self
            .payments
            .iter()
            .flatten()
            .filter(|p| match p {
                PaymentAnswer::Cash | PaymentAnswer::Paystack => false,
                PaymentAnswer::Transfer { details } => !details.trim().is_empty(),
                _ => true,
            })
            .map(|p| payment_text(&say, p))
            .collect();
        (!lines.is_empty()).then(|| lines.join("\n"))
    }
}

/// What the applicant sent, as the machine reads it.
#[derive(Debug, Clone, PartialEq)]
pub enum Input {
    Text(String),
    /// A button or list row (its id).
    Tap(String),
    /// A photo (of a menu, at the products step).
    Photo,
    /// Anything else (a voice note, a location, a sticker).
    Other,
}

/// One transition.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub step: Step,
    pub replies: Vec<OutMessage>,
    /// The summary was accepted: create the business now.
    pub create: bool,
}

/// The first message of a session: welcome and the first question.
pub fn start(answers: &Answers) -> Outcome {
    let say = answers.say();
    let mut replies = vec![say.text(say.t(Key::OnbWelcome, &[]))];
    replies.extend(ask(Step::Name, answers));
    Outcome {
        step: Step::Name,
        replies,
        create: false,
    }
}

/// The question of `step` (the summary for `Review`).
pub fn ask(step: Step, a: &Answers) -> Vec<OutMessage> {
    let say = a.say();
    let name = a.name.clone().unwrap_or_default();
    vec![match step {
        Step::Name => say.text(say.t(Key::OnbAskName, &[])),
        Step::Vertical => say.buttons(
            say.t(Key::OnbAskVertical, &[("business", &name)]),
            &[
                ("onb:v:restaurant", Key::OnbBtnRestaurant),
                ("onb:v:shop", Key::OnbBtnShop),
                ("onb:v:tailor", Key::OnbBtnTailor),
            ],
        ),
        Step::Country => match &a.proposed {
            Some(r) => say.buttons(
                say.t(
                    Key::OnbAskCountry,
                    &[
                        ("country", country_name(&r.country)),
                        ("currency", &r.currency),
                        ("timezone", &r.timezone),
                    ],
                ),
                &[
                    ("onb:c:yes", Key::OnbBtnYes),
                    ("onb:c:change", Key::OnbBtnChange),
                ],
            ),
            None => country_list(&say),
        },
        Step::CountryPick => country_list(&say),
        Step::Hours => say.text(say.t(Key::OnbAskHours, &[])),
        Step::Zones => say.buttons(
            say.t(Key::OnbAskZones, &[]),
            &[("onb:pickup", Key::OnbBtnPickupOnly)],
        ),
        Step::Products => say.text(say.t(Key::OnbAskProducts, &[])),
        Step::Payments => say.text(say.t(Key::OnbAskPayments, &[])),
        Step::Review => say.buttons(summary(&say, a), &[("onb:create", Key::OnbBtnCreate)]),
        Step::Done => say.text(say.t(Key::OnbAlreadyDone, &[("business", &name)])),
    }]
}

fn country_list(say: &Say) -> OutMessage {
    let rows = REGIONS
        .iter()
        .map(|r| {
            row(
                format!("onb:c:{}", r.1),
                r.4,
                Some(format!("{} · {}", r.2, r.3)),
            )
        })
        .collect();
    say.list(
        say.t(Key::OnbAskCountryPick, &[]),
        Key::OnbCountryButton,
        vec![(None, rows)],
    )
}

/// The step after `done` was answered: the first unanswered one, or the
/// summary once every question was answered.
pub fn next(a: &Answers) -> Step {
    if a.name.is_none() {
        Step::Name
    } else if a.vertical.is_none() {
        Step::Vertical
    } else if a.region.is_none() {
        Step::Country
    } else if a.hours.is_none() {
        Step::Hours
    } else if a.zones.is_none() {
        Step::Zones
    } else if a.products.is_none() {
        Step::Products
    } else if a.payments.is_none() {
        Step::Payments
    } else {
        Step::Review
    }
}

/// "change hours" and its translations: the step to go back to.
pub fn correction(text: &str) -> Option<Step> {
    let folded = nlu_fold(text);
    let mut words = folded.split_whitespace();
    let verb = words.next()?;
    if !matches!(
        verb,
        "change" | "edit" | "fix" | "cambiar" | "cambia" | "corregir" | "modificar" | "badilisha"
    ) {
        return None;
    }
    let rest: Vec<&str> = words
        .filter(|w| {
            !matches!(
                *w,
                "the" | "my" | "el" | "la" | "los" | "las" | "mi" | "mis"
            )
        })
        .collect();
    let what = *rest.first()?;
    Some(match what {
        "name" | "nombre" | "jina" => Step::Name,
        "type" | "vertical" | "kind" | "business" | "tipo" | "rubro" | "aina" => Step::Vertical,
        "country" | "currency" | "timezone" | "pais" | "moneda" | "nchi" | "sarafu" => {
            Step::CountryPick
        }
        "hours" | "hour" | "horario" | "horarios" | "horas" | "saa" | "masaa" => Step::Hours,
        "zones" | "zone" | "delivery" | "zonas" | "zona" | "envios" | "envio"
        | "delivery_zones" | "maeneo" | "usafirishaji" => Step::Zones,
        "products" | "product" | "menu" | "prices" | "productos" | "precios" | "carta"
        | "bidhaa" | "bei" => Step::Products,
        "payments" | "payment" | "pay" | "pagos" | "pago" | "cobros" | "malipo" => Step::Payments,
        _ => return None,
    })
}

/// Applies one message at `step`. `products` is the price list read from
/// the message when `step` is `Products` and it was text.
pub fn advance(
    step: Step,
    a: &mut Answers,
    input: &Input,
    products: Option<Vec<ExtractedProduct>>,
) -> Outcome {
    let say = a.say();
    let stay = |replies: Vec<OutMessage>| Outcome {
        step,
        replies,
        create: false,
    };
    if let Input::Text(t) = input
        && let Some(back) = correction(t)
    {
        return Outcome {
            step: back,
            replies: ask(back, a),
            create: false,
        };
    }
    let mut said: Vec<OutMessage> = Vec::new();
    match (step, input) {
        (Step::Done, _) => return stay(ask(Step::Done, a)),
        (Step::Name, Input::Text(t)) => {
            let name = t.trim();
            let len = name.chars().count();
            if !(2..=60).contains(&len) {
                return stay(vec![say.text(say.t(Key::OnbNameInvalid, &[]))]);
            }
            a.name = Some(name.to_string());
        }
        (Step::Vertical, Input::Tap(id)) if id.starts_with("onb:v:") => {
            match id.trim_start_matches("onb:v:").parse::<Vertical>() {
                Ok(v) => a.vertical = Some(v),
                Err(_) => return stay(ask(step, a)),
            }
        }
        (Step::Vertical, Input::Text(t)) => match vertical_in(t) {
            Some(v) => a.vertical = Some(v),
            None => {
                let mut r = vec![say.text(say.t(Key::OnbTapAButton, &[]))];
                r.extend(ask(step, a));
                return stay(r);
            }
        },
        (Step::Country, Input::Tap(id)) if id == "onb:c:yes" => {
            a.region.clone_from(&a.proposed);
        }
        (Step::Country, Input::Text(t)) if yes(t) && a.proposed.is_some() => {
            a.region.clone_from(&a.proposed);
        }
        (Step::Country, Input::Tap(id)) if id == "onb:c:change" => {
            return Outcome {
                step: Step::CountryPick,
                replies: ask(Step::CountryPick, a),
                create: false,
            };
        }
        (Step::Country | Step::CountryPick, Input::Tap(id)) if id.starts_with("onb:c:") => {
            let code = id.trim_start_matches("onb:c:");
            match REGIONS.iter().find(|r| r.1 == code) {
                Some(r) => a.region = Some(region(r)),
                None => return stay(ask(step, a)),
            }
        }
        (Step::Country | Step::CountryPick, Input::Text(t)) => {
            let f = nlu_fold(t);
            match REGIONS
                .iter()
                .find(|r| f.contains(&nlu_fold(r.4)) || f.trim() == r.1.to_lowercase())
            {
                Some(r) => a.region = Some(region(r)),
                None => return stay(ask(Step::CountryPick, a)),
            }
        }
        (Step::Hours, Input::Text(t)) => match super::read::hours(t) {
            Some(h) => {
                said.push(say.text(say.t(Key::OnbHoursSaid, &[("hours", &hours_text(&say, &h))])));
                a.hours = Some(h);
            }
            None => return stay(vec![say.text(say.t(Key::OnbHoursUnread, &[]))]),
        },
        (Step::Zones, Input::Tap(id)) if id == "onb:pickup" => {
            a.zones = Some(Vec::new());
            said.push(say.text(say.t(Key::OnbPickupOnlySaid, &[])));
        }
        (Step::Zones, Input::Text(t)) => {
            let (zones, pickup_only, unread) = super::read::zones(t, a.currency().minor_digits());
            if pickup_only && zones.is_empty() {
                a.zones = Some(Vec::new());
                said.push(say.text(say.t(Key::OnbPickupOnlySaid, &[])));
            } else if zones.is_empty() {
                return stay(vec![say.text(say.t(Key::OnbZonesUnread, &[]))]);
            } else {
                let mut body = say.t(Key::OnbZonesSaid, &[("zones", &zones_text(&say, &zones))]);
                if !unread.is_empty() {
                    body.push('\n');
                    body.push_str(&say.t(Key::OnbZonesSkipped, &[("unread", &unread.join(", "))]));
                }
                said.push(say.text(body));
                a.zones = Some(zones);
            }
        }
        (Step::Products, Input::Photo) => {
            return stay(vec![say.text(say.t(Key::OnbPhotoNeedsModel, &[]))]);
        }
        (Step::Products, Input::Text(_)) => {
            let list = products.unwrap_or_default();
            if list.is_empty() {
                return stay(vec![say.text(say.t(Key::OnbProductsUnread, &[]))]);
            }
            let answers = with_skus(list);
            said.push(say.text(say.t(
                Key::OnbProductsSaid,
                &[
                    ("count", &answers.len().to_string()),
                    ("products", &products_text(&say, &answers)),
                ],
            )));
            a.products = Some(answers);
        }
        (Step::Payments, Input::Text(t)) => {
            let p = super::read::payments(t);
            if p.is_empty() {
                return stay(vec![say.text(say.t(Key::OnbPaymentsUnread, &[]))]);
            }
            said.push(say.text(say.t(
                Key::OnbPaymentsSaid,
                &[("payments", &payments_text(&say, &p))],
            )));
            a.payments = Some(p);
        }
        (Step::Review, Input::Tap(id)) if id == "onb:create" => {
            return Outcome {
                step: Step::Done,
                replies: Vec::new(),
                create: true,
            };
        }
        (Step::Review, Input::Text(t)) if yes(t) || create_word(t) => {
            return Outcome {
                step: Step::Done,
                replies: Vec::new(),
                create: true,
            };
        }
        (_, Input::Photo | Input::Other) => {
            let mut r = vec![say.text(say.t(Key::OnbTextPlease, &[]))];
            r.extend(ask(step, a));
            return stay(r);
        }
        _ => return stay(ask(step, a)),
    }
    let following = if a.reviewing { Step::Review } else { next(a) };
    if following == Step::Review {
        a.reviewing = true;
    }
    // The answer said back and the next question travel as one message
    // when both are plain text, so the chat stays short.
    let mut replies = said;
    replies.extend(ask(following, a));
    Outcome {
        step: following,
        replies: join_texts(replies),
        create: false,
    }
}

/// A plain text followed by another message merged into one message (the
/// say-back goes on top of the next question), within WhatsApp's limits.
fn join_texts(messages: Vec<OutMessage>) -> Vec<OutMessage> {
    use channels::outbound::{INTERACTIVE_BODY_MAX, TEXT_BODY_MAX};
    let mut out: Vec<OutMessage> = Vec::new();
    for m in messages {
        let Some(OutMessage::Text { body: prev, .. }) = out.last() else {
            out.push(m);
            continue;
        };
        let join = |body: &str| format!("{prev}\n\n{body}");
        let fits = |body: &str, max: usize| prev.chars().count() + 2 + body.chars().count() <= max;
        let merged = match m {
            OutMessage::Text { body, preview_url } if fits(&body, TEXT_BODY_MAX) => {
                OutMessage::Text {
                    body: join(&body),
                    preview_url,
                }
            }
            OutMessage::Buttons {
                header,
                body,
                footer,
                buttons,
            } if fits(&body, INTERACTIVE_BODY_MAX) => OutMessage::Buttons {
                header,
                body: join(&body),
                footer,
                buttons,
            },
            OutMessage::List {
                header,
                body,
                footer,
                button,
                sections,
            } if fits(&body, INTERACTIVE_BODY_MAX) => OutMessage::List {
                header,
                body: join(&body),
                footer,
                button,
                sections,
            },
            other => {
                out.push(other);
                continue;
            }
        };
        out.pop();
        out.push(merged);
    }
    out
}

fn yes(t: &str) -> bool {
    matches!(
        nlu_fold(t).trim(),
        "yes"
            | "y"
            | "ok"
            | "okay"
            | "si"
            | "sí"
            | "dale"
            | "correcto"
            | "ndio"
            | "sawa"
            | "yes correct"
    )
}

fn create_word(t: &str) -> bool {
    matches!(
        nlu_fold(t).trim(),
        "create"
            | "done"
            | "crear"
            | "listo"
            | "crear negocio"
            | "create business"
            | "unda"
            | "tayari"
    )
}

fn vertical_in(t: &str) -> Option<Vertical> {
    let f = nlu_fold(t);
    let any = |ws: &[&str]| f.split_whitespace().any(|w| ws.contains(&w));
    if any(&[
        "restaurant",
        "restaurante",
        "food",
        "comida",
        "empanadas",
        "pizzeria",
        "rotiseria",
        "mgahawa",
        "chakula",
        "kitchen",
        "cocina",
    ]) {
        Some(Vertical::Restaurant)
    } else if any(&[
        "shop",
        "store",
        "tienda",
        "almacen",
        "kiosco",
        "duka",
        "negocio",
        "supermarket",
    ]) {
        Some(Vertical::Shop)
    } else if any(&[
        "tailor",
        "sastre",
        "sastreria",
        "fundi",
        "modista",
        "costura",
        "fashion",
    ]) {
        Some(Vertical::Tailor)
    } else {
        None
    }
}

/// Products with SKUs generated from their names, unique in the list.
pub fn with_skus(list: Vec<ExtractedProduct>) -> Vec<ProductAnswer> {
    let mut taken = std::collections::HashSet::new();
    list.into_iter()
        .map(|p| {
            let base = sku_of(p.sku.as_deref().unwrap_or(&p.name));
            let mut sku = base.clone();
            let mut n = 2;
            while !taken.insert(sku.clone()) {
                sku = format!("{base}-{n}");
                n += 1;
            }
            ProductAnswer {
                name: p.name,
                price: p.price_minor,
                aliases: p.aliases,
                sku,
            }
        })
        .collect()
}

/// `Empanada de carne` → `EMPANADA-DE-CARNE` (ASCII, at most 32 characters).
pub fn sku_of(name: &str) -> String {
    let folded = nlu_fold(name).to_ascii_uppercase();
    let mut sku = String::new();
    for w in folded.split_whitespace() {
        let w: String = w.chars().filter(char::is_ascii_alphanumeric).collect();
        if w.is_empty() {
            continue;
        }
        if sku.len() + w.len() + 1 > 32 {
            break;
        }
        if !sku.is_empty() {
            sku.push('-');
        }
        sku.push_str(&w);
    }
    if sku.is_empty() { "ITEM".into() } else { sku }
}

fn day_key(d: Day) -> Key {
    match d {
        Day::Mon => Key::OnbDayMon,
        Day::Tue => Key::OnbDayTue,
        Day::Wed => Key::OnbDayWed,
        Day::Thu => Key::OnbDayThu,
        Day::Fri => Key::OnbDayFri,
        Day::Sat => Key::OnbDaySat,
        Day::Sun => Key::OnbDaySun,
    }
}

/// "Mon–Fri 11:00–15:00 and 19:00–23:00; Sat 19:00–02:00".
pub fn hours_text(say: &Say, h: &OpeningHours) -> String {
    if !h.is_set() {
        return say.t(Key::OnbAlwaysOpen, &[]);
    }
    let shifts = |d: Day| h.weekly.get(&d).cloned().unwrap_or_default();
    let mut groups: Vec<(Day, Day, Vec<Shift>)> = Vec::new();
    for d in Day::ALL {
        let s = shifts(d);
        match groups.last_mut() {
            Some((_, to, prev)) if *prev == s && to.succ() == d => *to = d,
            _ => groups.push((d, d, s)),
        }
    }
    let and = say.t(Key::OnbAnd, &[]);
    groups
        .into_iter()
        .filter(|(_, _, s)| !s.is_empty())
        .map(|(from, to, s)| {
            let days = if from == to {
                say.t(day_key(from), &[])
            } else {
                format!("{}–{}", say.t(day_key(from), &[]), say.t(day_key(to), &[]))
            };
            let times: Vec<String> = s
                .iter()
                .map(|s| format!("{}–{}", s.opens.format("%H:%M"), s.closes.format("%H:%M")))
                .collect();
            format!("{days} {}", times.join(&format!(" {and} ")))
        })
        .collect::<Vec<_>>()
        .join("; ")
}

pub fn zones_text(say: &Say, zones: &[ZoneAnswer]) -> String {
    if zones.is_empty() {
        return say.t(Key::OnbPickupOnly, &[]);
    }
    zones
        .iter()
        .map(|z| format!("{} {}", z.name, say.money(z.fee)))
        .collect::<Vec<_>>()
        .join(", ")
}

fn products_text(say: &Say, products: &[ProductAnswer]) -> String {
    const SHOWN: usize = 12;
    let mut lines: Vec<String> = products
        .iter()
        .take(SHOWN)
        .map(|p| format!("• {} {}", p.name, say.money(p.price)))
        .collect();
    if products.len() > SHOWN {
        lines.push(say.t(
            Key::OnbAndMore,
            &[("count", &(products.len() - SHOWN).to_string())],
        ));
    }
    lines.join("\n")
}

fn payment_text(say: &Say, p: &PaymentAnswer) -> String {
    match p {
        PaymentAnswer::Cash => say.t(Key::OnbPayCash, &[]),
        PaymentAnswer::Transfer { details } if details.trim().is_empty() => {
            say.t(Key::OnbPayTransferPlain, &[])
        }
        PaymentAnswer::Transfer { details } => say.t(Key::OnbPayTransfer, &[("details", details)]),
        PaymentAnswer::MpesaTill { till } => say.t(Key::OnbPayMpesaTill, &[("till", till)]),
        PaymentAnswer::MpesaPaybill { paybill, account } => match account {
            Some(account) => say.t(
                Key::OnbPayMpesaPaybill,
                &[("paybill", paybill), ("account", account)],
            ),
            None => say.t(Key::OnbPayMpesaPaybillOnly, &[("paybill", paybill)]),
        },
        PaymentAnswer::Paystack => say.t(Key::OnbPayPaystack, &[]),
    }
}

fn payments_text(say: &Say, p: &[PaymentAnswer]) -> String {
    p.iter()
        .map(|p| payment_text(say, p))
        .collect::<Vec<_>>()
        .join(", ")
}

fn vertical_text(say: &Say, v: Option<Vertical>) -> String {
    say.t(
        match v {
            Some(Vertical::Tailor) => Key::OnbBtnTailor,
            Some(Vertical::Shop) => Key::OnbBtnShop,
            _ => Key::OnbBtnRestaurant,
        },
        &[],
    )
}

fn summary(say: &Say, a: &Answers) -> String {
    let region = a.region.clone().unwrap_or(Region {
        country: String::new(),
        currency: String::new(),
        timezone: String::new(),
    });
    say.t(
        Key::OnbSummary,
        &[
            ("business", a.name.as_deref().unwrap_or_default()),
            ("vertical", &vertical_text(say, a.vertical)),
            ("country", country_name(&region.country)),
            ("currency", &region.currency),
            ("timezone", &region.timezone),
            (
                "hours",
                &a.hours
                    .as_ref()
                    .map(|h| hours_text(say, h))
                    .unwrap_or_default(),
            ),
            (
                "zones",
                &zones_text(say, a.zones.as_deref().unwrap_or_default()),
            ),
            (
                "count",
                &a.products.as_ref().map_or(0, Vec::len).to_string(),
            ),
            (
                "payments",
                &payments_text(say, a.payments.as_deref().unwrap_or_default()),
            ),
        ],
    )
}

/// The replies once the business exists.
pub struct Created<'a> {
    pub sandbox_display: &'a str,
    pub link: &'a str,
    pub code: &'a str,
    pub minutes: i64,
}

pub fn done(a: &Answers, c: &Created<'_>) -> Vec<OutMessage> {
    let say = a.say();
    let name = a.name.clone().unwrap_or_default();
    vec![
        say.text(say.t(
            Key::OnbDone,
            &[
                ("business", &name),
                ("sandbox", c.sandbox_display),
                ("link", c.link),
                ("code", c.code),
                ("minutes", &c.minutes.to_string()),
            ],
        )),
        say.text(say.t(Key::OnbRealNumber, &[])),
    ]
}

/// A text of the onboarding chat that is not a step's question (a code's
/// problem, the greeting without a code), in `lang`.
pub fn notice(lang: &str, key: Key, args: &[(&str, &str)]) -> OutMessage {
    let say = Say::new(lang, Currency::USD, chrono_tz::UTC, Overrides::new());
    say.text(say.t(key, args))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(m: &OutMessage) -> String {
        match m {
            OutMessage::Text { body, .. }
            | OutMessage::Buttons { body, .. }
            | OutMessage::List { body, .. } => body.clone(),
            other => format!("{other:?}"),
        }
    }

    fn answered() -> Answers {
        let mut a = Answers {
            lang: "es".into(),
            proposed: region_of_phone("+5491155550001"),
            ..Answers::default()
        };
        let mut step = start(&a).step;
        for input in [
            Input::Text("Empanadas Lola".into()),
            Input::Tap("onb:v:restaurant".into()),
            Input::Tap("onb:c:yes".into()),
            Input::Text("lun a vie de 11 a 15".into()),
            Input::Tap("onb:pickup".into()),
        ] {
            step = advance(step, &mut a, &input, None).step;
        }
        assert_eq!(step, Step::Products);
        let list = nlu::extract_price_list("Empanada de carne 900\nEmpanada de carne 950", 2);
        step = advance(step, &mut a, &Input::Text("…".into()), Some(list)).step;
        step = advance(step, &mut a, &Input::Text("efectivo".into()), None).step;
        assert_eq!(step, Step::Review);
        a
    }

    #[test]
    fn the_questions_come_one_at_a_time_in_order_then_the_summary() {
        let a = answered();
        assert_eq!(a.name.as_deref(), Some("Empanadas Lola"));
        assert_eq!(a.vertical, Some(Vertical::Restaurant));
        assert_eq!(a.region.as_ref().unwrap().currency, "ARS");
        assert_eq!(a.zones, Some(Vec::new()), "pickup only");
        assert_eq!(a.payment_methods(), [PaymentMethod::Cash]);
        assert!(a.reviewing);
        let mut b = a.clone();
        let out = advance(Step::Review, &mut b, &Input::Tap("onb:create".into()), None);
        assert!(out.create);
        assert_eq!(out.step, Step::Done);
    }

    #[test]
    fn skus_are_generated_and_unique() {
        let a = answered();
        let skus: Vec<&str> = a
            .products
            .iter()
            .flatten()
            .map(|p| p.sku.as_str())
            .collect();
        assert_eq!(skus.len(), 2);
        assert_ne!(skus[0], skus[1]);
        assert!(skus[1].starts_with(skus[0]), "{skus:?}");
        assert_eq!(sku_of("Coca 1,5L"), "COCA-1-5L");
        assert_eq!(sku_of("¡!"), "ITEM");
    }

    #[test]
    fn a_correction_goes_back_and_then_straight_to_the_summary() {
        let mut a = answered();
        let out = advance(
            Step::Review,
            &mut a,
            &Input::Text("cambiar horario".into()),
            None,
        );
        assert_eq!(out.step, Step::Hours);
        let out = advance(
            Step::Hours,
            &mut a,
            &Input::Text("lun a sáb de 9 a 18".into()),
            None,
        );
        assert_eq!(out.step, Step::Review, "not the zones again");
        assert_eq!(a.hours.as_ref().unwrap().weekly.len(), 6);
        let said = body(&out.replies[0]);
        assert!(
            said.starts_with("✅ Horario: lun–sáb 09:00–18:00."),
            "{said}"
        );
        assert!(said.contains("Así queda tu negocio"), "{said}");
        assert_eq!(correction("change zones"), Some(Step::Zones));
        assert_eq!(correction("badilisha malipo"), Some(Step::Payments));
        assert_eq!(correction("cambiar"), None);
        assert_eq!(correction("Empanadas Lola"), None);
    }

    #[test]
    fn unreadable_answers_are_asked_again_with_an_example() {
        let mut a = answered();
        a.reviewing = false;
        let out = advance(
            Step::Hours,
            &mut a,
            &Input::Text("cuando puedo".into()),
            None,
        );
        assert_eq!(out.step, Step::Hours);
        assert!(body(&out.replies[0]).contains("lun a sáb de 9 a 18"));
        let out = advance(
            Step::Products,
            &mut a,
            &Input::Text("hola".into()),
            Some(Vec::new()),
        );
        assert_eq!(out.step, Step::Products);
        let out = advance(Step::Products, &mut a, &Input::Photo, None);
        assert_eq!(out.step, Step::Products);
        assert!(body(&out.replies[0]).contains("modelo de lenguaje"));
        let out = advance(Step::Vertical, &mut a, &Input::Text("no sé".into()), None);
        assert_eq!(out.step, Step::Vertical);
        assert!(matches!(
            out.replies.last(),
            Some(OutMessage::Buttons { .. })
        ));
        let out = advance(Step::Name, &mut a, &Input::Text("x".into()), None);
        assert_eq!(out.step, Step::Name);
    }

    #[test]
    fn the_country_is_proposed_from_the_phone_and_can_be_changed() {
        assert_eq!(region_of_phone("+254712345678").unwrap().currency, "KES");
        assert_eq!(
            region_of_phone("+2348031234567").unwrap().timezone,
            "Africa/Lagos"
        );
        assert_eq!(region_of_phone("+15555550100"), None);
        let mut a = Answers {
            lang: "en".into(),
            name: Some("Duka".into()),
            vertical: Some(Vertical::Shop),
            proposed: region_of_phone("+254712345678"),
            ..Answers::default()
        };
        let out = advance(
            Step::Country,
            &mut a,
            &Input::Tap("onb:c:change".into()),
            None,
        );
        assert_eq!(out.step, Step::CountryPick);
        assert!(matches!(out.replies[0], OutMessage::List { .. }));
        let out = advance(
            Step::CountryPick,
            &mut a,
            &Input::Tap("onb:c:TZ".into()),
            None,
        );
        assert_eq!(out.step, Step::Hours);
        assert_eq!(a.region.as_ref().unwrap().currency, "TZS");
        assert_eq!(a.locale(), "en-TZ");
    }

    #[test]
    fn the_language_comes_from_the_words_or_the_phone() {
        assert_eq!(language("JOIN 7F3K-9QXM", "+5491155550001"), "es");
        assert_eq!(language("JOIN 7F3K-9QXM", "+254712345678"), "en");
        assert_eq!(language("Habari, jiunge 7F3K-9QXM", "+254712345678"), "sw");
        assert_eq!(language("hola JOIN 7F3K-9QXM", "+2348031234567"), "es");
    }

    #[test]
    fn every_message_is_within_whatsapps_limits_in_every_language() {
        for lang in ["en", "es", "sw"] {
            let mut a = answered();
            a.lang = lang.into();
            for step in [
                Step::Name,
                Step::Vertical,
                Step::Country,
                Step::CountryPick,
                Step::Hours,
                Step::Zones,
                Step::Products,
                Step::Payments,
                Step::Review,
                Step::Done,
            ] {
                for m in ask(step, &a) {
                    m.validate()
                        .unwrap_or_else(|e| panic!("{lang} {step:?}: {e:?}"));
                }
            }
            let done = done(
                &a,
                &Created {
                    sandbox_display: "+1 555 123 4567",
                    link: "https://x/login",
                    code: "123456",
                    minutes: 60,
                },
            );
            for m in done {
                m.validate().unwrap();
            }
        }
    }
}
