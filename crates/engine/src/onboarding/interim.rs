//! INTERIM, deleted when `nlu`'s setup parsers land on main ("setup
//! parsers"): the same three signatures, reading only the plainest forms,
//! so the onboarding flow builds and its tests run meanwhile. `read.rs`
//! switches to `nlu::` by changing one `use`.

use chrono::NaiveTime;

#[derive(Debug, Clone)]
pub struct Shift {
    pub opens: NaiveTime,
    pub closes: NaiveTime,
}

#[derive(Debug, Clone, Default)]
pub struct ParsedHours {
    pub days: [Vec<Shift>; 7],
}

#[derive(Debug, Clone)]
pub struct HoursProblem;

pub struct ParsedZone {
    pub name: String,
    pub fee: i64,
}

pub struct ParsedZones {
    pub zones: Vec<ParsedZone>,
    pub pickup_only: bool,
    pub unread: Vec<String>,
}

pub enum PaymentDetail {
    Cash,
    BankTransfer { details: String },
    MpesaTill { till: String },
    MpesaPaybill { paybill: String, account: String },
    Paystack,
}

fn fold(s: &str) -> String {
    s.to_lowercase()
        .replace(['á', 'à'], "a")
        .replace('é', "e")
        .replace('í', "i")
        .replace('ó', "o")
        .replace('ú', "u")
}

fn day(w: &str) -> Option<usize> {
    const DAYS: [&[&str]; 7] = [
        &["mon", "monday", "lun", "lunes", "jumatatu"],
        &["tue", "tuesday", "mar", "martes", "jumanne"],
        &["wed", "wednesday", "mie", "miercoles", "jumatano"],
        &["thu", "thursday", "jue", "jueves", "alhamisi"],
        &["fri", "friday", "vie", "viernes", "ijumaa"],
        &["sat", "saturday", "sab", "sabado", "jumamosi"],
        &["sun", "sunday", "dom", "domingo", "jumapili"],
    ];
    let w = w.trim_end_matches('.');
    DAYS.iter().position(|names| names.contains(&w))
}

fn time(w: &str) -> Option<NaiveTime> {
    let w = w.trim_end_matches(['h', 's']);
    let (h, m) = match w.split_once([':', '.']) {
        Some((h, m)) => (h.parse::<u32>().ok()?, m.parse::<u32>().ok()?),
        None => (w.parse::<u32>().ok()?, 0),
    };
    NaiveTime::from_hms_opt(h % 24, m, 0)
}

pub fn parse_hours(text: &str) -> Result<ParsedHours, HoursProblem> {
    let mut out = ParsedHours::default();
    let mut any = false;
    for clause in fold(text).split([',', ';', '\n']) {
        let words: Vec<&str> = clause
            .split_whitespace()
            .filter(|w| !matches!(*w, "de" | "from" | "y" | "and" | "na" | "kutoka"))
            .collect();
        let mut days: Vec<usize> = Vec::new();
        let mut times: Vec<NaiveTime> = Vec::new();
        let mut i = 0;
        while i < words.len() {
            if let Some(d) = day(words[i]) {
                if i + 2 < words.len()
                    && matches!(words[i + 1], "a" | "to" | "-" | "hadi")
                    && let Some(e) = day(words[i + 2])
                {
                    let mut k = d;
                    loop {
                        days.push(k);
                        if k == e {
                            break;
                        }
                        k = (k + 1) % 7;
                    }
                    i += 3;
                    continue;
                }
                days.push(d);
            } else if let Some(t) = time(words[i]) {
                times.push(t);
            }
            i += 1;
        }
        if days.is_empty() || times.len() < 2 || times.len() % 2 == 1 {
            continue;
        }
        for d in days {
            for pair in times.chunks(2) {
                out.days[d].push(Shift {
                    opens: pair[0],
                    closes: pair[1],
                });
                any = true;
            }
        }
    }
    if any { Ok(out) } else { Err(HoursProblem) }
}

pub fn parse_zones(text: &str, minor_digits: u32) -> ParsedZones {
    let f = fold(text);
    let pickup_only = [
        "solo retiro",
        "pickup only",
        "no delivery",
        "sin envio",
        "kuchukua tu",
    ]
    .iter()
    .any(|p| f.contains(p));
    let mut zones = Vec::new();
    let mut unread = Vec::new();
    for part in text
        .split([',', ';', '\n'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        let Some((name, fee)) = part.rsplit_once(char::is_whitespace) else {
            if !pickup_only {
                unread.push(part.to_string());
            }
            continue;
        };
        let digits: String = fee.chars().filter(char::is_ascii_digit).collect();
        match digits.parse::<i64>() {
            Ok(n) if !name.trim().is_empty() => zones.push(ParsedZone {
                name: name.trim().trim_end_matches(':').to_string(),
                fee: n * 10_i64.pow(minor_digits),
            }),
            _ if !pickup_only => unread.push(part.to_string()),
            _ => {}
        }
    }
    ParsedZones {
        zones,
        pickup_only,
        unread,
    }
}

pub fn parse_payment_details(text: &str) -> Vec<PaymentDetail> {
    let f = fold(text);
    let mut out = Vec::new();
    if ["cash", "efectivo", "taslimu"]
        .iter()
        .any(|w| f.contains(w))
    {
        out.push(PaymentDetail::Cash);
    }
    let words: Vec<&str> = text.split_whitespace().collect();
    let after = |keys: &[&str]| {
        words
            .iter()
            .position(|w| keys.contains(&fold(w).trim_end_matches([':', ','])))
            .and_then(|i| words.get(i + 1))
            .map(|w| w.trim_end_matches([',', '.', ';']).to_string())
    };
    if let Some(alias) = after(&["alias", "cbu", "cvu"]) {
        out.push(PaymentDetail::BankTransfer {
            details: format!(
                "{} {alias}",
                if f.contains("alias") { "alias" } else { "CBU" }
            ),
        });
    } else if ["transfer", "transferencia", "bank", "banco"]
        .iter()
        .any(|w| f.contains(w))
    {
        let details = text
            .split([',', ';'])
            .find(|p| fold(p).contains("transfer") || fold(p).contains("bank"))
            .unwrap_or(text)
            .trim()
            .to_string();
        out.push(PaymentDetail::BankTransfer { details });
    }
    if let Some(till) = after(&["till"]) {
        out.push(PaymentDetail::MpesaTill { till });
    }
    if let (Some(paybill), Some(account)) = (
        after(&["paybill"]),
        after(&["account", "akaunti", "cuenta"]),
    ) {
        out.push(PaymentDetail::MpesaPaybill { paybill, account });
    }
    if f.contains("paystack") {
        out.push(PaymentDetail::Paystack);
    }
    out
}
