//! Small field extractors: payment and order references, amounts, names,
//! fulfilment, payment method, and a quantity not tied to a product.

use crate::lexicon::{is_dozen, number_word};
use crate::measure::is_measurement_word;
use crate::text::{Text, phrases};
use crate::{Context, Fulfilment, Lang, PaymentMethod};

/// Tokens `a..b` form one run of letters and digits with nothing between them.
fn chunk_end(t: &Text<'_>, a: usize) -> usize {
    let mut b = a + 1;
    while b < t.len() && t.glued(b) && !t.is_punct(b) {
        b += 1;
    }
    b
}

fn is_mpesa_code(s: &str, case_sensitive: bool) -> bool {
    let b = s.as_bytes();
    b.len() == 10
        && b[0].is_ascii_alphabetic()
        && b.iter().all(u8::is_ascii_alphanumeric)
        && b.iter().filter(|c| c.is_ascii_digit()).count() >= 1
        && b.iter().filter(|c| c.is_ascii_alphabetic()).count() >= 3
        && (!case_sensitive || b.iter().all(|c| !c.is_ascii_lowercase()))
}

/// The payment reference: an M-PESA transaction code (10 letters and digits,
/// e.g. QGH7XK2P9L), or whatever follows "ref"/"reference"/"operación"/
/// "comprobante". The flag says whether it was an M-PESA code.
pub(crate) fn payment_ref(
    t: &Text<'_>,
    used: &mut [bool],
    ctx: &Context,
) -> (Option<String>, bool) {
    let kenyan = {
        let l = ctx.locale.to_ascii_lowercase();
        l.ends_with("-ke") || l.starts_with("sw")
    };
    let mentions_mpesa = t.has_any(&["mpesa", "m pesa", "m - pesa"]);
    let mut a = 0;
    while a < t.len() {
        if t.is_punct(a) {
            a += 1;
            continue;
        }
        let b = chunk_end(t, a);
        let raw = t.raw_span(a, b);
        // Lowercase codes only where M-PESA is the norm.
        if is_mpesa_code(raw, !(kenyan || mentions_mpesa)) && (b - a) >= 2 {
            for u in &mut used[a..b] {
                *u = true;
            }
            return (Some(raw.to_ascii_uppercase()), true);
        }
        a = b;
    }
    // Labelled references.
    for i in 0..t.len() {
        let w = t.s(i);
        let labelled = matches!(
            w,
            "ref" | "reference" | "referencia" | "operacion" | "comprobante" | "txn"
        ) || (w == "transaction"
            && matches!(t.s(i + 1), "id" | "ref" | "code" | "reference"))
            || (w == "session" && t.s(i + 1) == "id");
        if !labelled {
            continue;
        }
        let mut k = i + 1;
        let mut steps = 0;
        while k < t.len()
            && steps < 4
            && matches!(
                t.s(k),
                ":" | "#"
                    | "-"
                    | "no"
                    | "nro"
                    | "n"
                    | "number"
                    | "numero"
                    | "id"
                    | "ref"
                    | "code"
                    | "°"
                    | "º"
                    | "."
                    | "de"
                    | "is"
                    | "es"
            )
        {
            k += 1;
            steps += 1;
        }
        // "el comprobante tiene el número 00045123": the reference may sit a
        // few words after its label.
        let mut hops = 0;
        while k < t.len() && hops < 5 && !t.is_punct(k) {
            let e = chunk_end(t, k);
            let raw = t.raw_span(k, e);
            if raw.len() >= 5
                && raw.bytes().any(|c| c.is_ascii_digit())
                && raw.bytes().all(|c| c.is_ascii_alphanumeric())
            {
                for u in &mut used[i..e] {
                    *u = true;
                }
                return (Some(raw.to_ascii_uppercase()), false);
            }
            k = e;
            hops += 1;
        }
    }
    (None, false)
}

/// Order references: "SEW-0011", "sew0011", "#245", "pedido 245", "order no 1021".
pub(crate) fn order_ref(t: &Text<'_>, used: &mut [bool]) -> Option<String> {
    for i in 0..t.len() {
        if used[i] {
            continue;
        }
        let w = t.s(i);
        if t.is_word(i) && (2..=5).contains(&w.len()) && w.is_ascii() && !is_measurement_word(w) {
            // PREFIX-digits
            let (num, end) =
                if t.s(i + 1) == "-" && t.glued(i + 1) && t.glued(i + 2) && t.is_num(i + 2) {
                    (i + 2, i + 3)
                } else if t.glued(i + 1)
                    && t.is_num(i + 1)
                    && !matches!(
                        w,
                        "kg" | "ml"
                            | "cm"
                            | "in"
                            | "x"
                            | "no"
                            | "nro"
                            | "ksh"
                            | "kes"
                            | "ngn"
                            | "ars"
                            | "usd"
                            | "sh"
                            | "shs"
                            | "n"
                            | "k"
                    )
                {
                    (i + 1, i + 2)
                } else {
                    continue;
                };
            let digits = t.s(num);
            let glued_after = end < t.len() && t.glued(end) && !t.is_punct(end);
            if (2..=6).contains(&digits.len())
                && digits.bytes().all(|c| c.is_ascii_digit())
                && !glued_after
            {
                for u in &mut used[i..end] {
                    *u = true;
                }
                return Some(format!("{}-{}", t.raw_of(i).to_ascii_uppercase(), digits));
            }
        }
        if w == "#" && t.is_num(i + 1) && t.glued(i + 1) && (3..=6).contains(&t.s(i + 1).len()) {
            used[i] = true;
            used[i + 1] = true;
            return Some(t.s(i + 1).to_owned());
        }
        if matches!(w, "order" | "pedido" | "oda" | "orden") {
            let mut k = i + 1;
            while matches!(
                t.s(k),
                "no" | "nro" | "number" | "numero" | "namba" | "n" | "°" | "º" | "." | ":" | "#"
            ) && k < i + 4
            {
                k += 1;
            }
            if t.is_num(k)
                && !used[k]
                && (3..=6).contains(&t.s(k).len())
                && t.s(k).bytes().all(|c| c.is_ascii_digit())
            {
                for u in &mut used[i + 1..=k] {
                    *u = true;
                }
                return Some(t.s(k).to_owned());
            }
        }
    }
    None
}

fn currency_before(w: &str) -> bool {
    matches!(
        w,
        "₦" | "n"
            | "ngn"
            | "ksh"
            | "kes"
            | "kshs"
            | "sh"
            | "shs"
            | "$"
            | "ars"
            | "usd"
            | "naira"
            | "#"
    )
}

fn currency_after(w: &str) -> Option<f64> {
    match w {
        "naira" | "pesos" | "peso" | "bob" | "shillings" | "shilling" | "ksh" | "kes" | "kshs"
        | "ars" | "ngn" | "shs" | "mangos" => Some(1.0),
        "k" | "mil" | "lucas" | "luca" | "thousand" | "elfu" => Some(1000.0),
        _ => None,
    }
}

/// An amount written with a currency sign or word, or a "k"/"mil"/"lucas"
/// multiplier: "15k", "₦25,000", "KES 1,500", "$9.500", "12 mil pesos".
pub(crate) fn amount(t: &Text<'_>, used: &mut [bool]) -> Option<i64> {
    for i in 0..t.len() {
        if !t.is_num(i) || used[i] {
            continue;
        }
        let prev = if i > 0 { t.s(i - 1) } else { "" };
        let prev2 = if i > 1 { t.s(i - 2) } else { "" };
        let mut v = t.value(i);
        let mut end = i + 1;
        let mut hit = false;
        // "elfu kumi" puts the multiplier first in Swahili; skip that rare form.
        if let Some(mult) = currency_after(t.s(i + 1)) {
            // "k" must be glued ("15k") to avoid "2 k..." accidents.
            if t.s(i + 1) != "k" || t.glued(i + 1) {
                v *= mult;
                end = i + 2;
                hit = true;
                if mult > 1.0
                    && matches!(t.s(end), "naira" | "pesos" | "peso" | "bob" | "shillings")
                {
                    end += 1;
                }
            }
        } else if t.s(i + 1) == "/" && t.s(i + 2) == "=" {
            end = i + 3;
            hit = true;
        }
        let start = if currency_before(prev) && (prev != "n" || t.glued(i)) && prev != "#" {
            hit = true;
            i - 1
        } else if prev == "." && matches!(prev2, "ksh" | "kes" | "sh" | "shs") {
            hit = true;
            i - 2
        } else {
            i
        };
        if hit && v >= 1.0 {
            for u in &mut used[start..end] {
                *u = true;
            }
            return Some(v.round() as i64);
        }
    }
    None
}

/// In a payment notice, a plain number that is not anything else is the amount
/// paid ("I don pay 20000", "nimetuma 1500").
pub(crate) fn paid_amount(t: &Text<'_>, used: &[bool]) -> Option<i64> {
    (0..t.len())
        .filter(|&i| t.is_num(i) && !used[i])
        .map(|i| (i, t.value(i)))
        // Long digit runs are phone numbers or references, not amounts.
        .find(|&(i, v)| v >= 50.0 && t.digits(i) <= 8)
        .map(|(_, v)| v.round() as i64)
}

/// A count not attached to a product or style: "quiero 3 docenas, ¿qué gustos
/// hay?", "nataka tatu", "I need 5 pieces".
pub(crate) fn bare_quantity(t: &Text<'_>, used: &[bool], lang: Lang) -> Option<u32> {
    for (i, &u) in used.iter().enumerate() {
        if u {
            continue;
        }
        let (n, end) = if t.is_num(i) && t.digits(i) <= 3 && !t.s(i).contains(['.', ',']) {
            (t.value(i) as u32, i + 1)
        } else if let Some(n) = number_word(t.s(i), lang).filter(|_| !is_dozen(t.s(i))) {
            (n, i + 1)
        } else if is_dozen(t.s(i))
            && !(i > 0
                && (t.is_num(i - 1)
                    || number_word(t.s(i - 1), lang).is_some()
                    || t.s(i - 1) == "media"))
        {
            (12, i + 1)
        } else {
            continue;
        };
        let (n, end) = if is_dozen(t.s(end)) {
            (n * 12, end + 1)
        } else {
            (n, end)
        };
        if n == 0 {
            continue;
        }
        let next = t.s(end);
        let prev = if i > 0 { t.s(i - 1) } else { "" };
        let generic_next = matches!(
            next,
            "pieces"
                | "piece"
                | "pcs"
                | "units"
                | "unidades"
                | "empanadas"
                | "empanada"
                | "pizzas"
                | "pizza"
                | "vipande"
                | "pakiti"
                | "packets"
                | "bags"
                | "items"
                | "vitu"
                | "surtidas"
                | "outfits"
                | "sets"
                | "docenas"
                | "de"
        );
        let verb_prev = matches!(
            prev,
            "quiero"
                | "nataka"
                | "nipe"
                | "want"
                | "need"
                | "mandame"
                | "pedir"
                | "naomba"
                | "dame"
                | "get"
        );
        if generic_next || verb_prev || (is_dozen(t.s(end - 1)) && end > i + 1) {
            return Some(n);
        }
    }
    None
}

fn capitalised(s: &str) -> bool {
    s.chars().next().is_some_and(char::is_uppercase)
}

/// Common words that follow "I'm"/"soy"/"this is" and are not names.
fn not_a_name(w: &str) -> bool {
    matches!(
        w,
        "a" | "an"
            | "the"
            | "not"
            | "fine"
            | "good"
            | "ok"
            | "okay"
            | "sorry"
            | "waiting"
            | "coming"
            | "here"
            | "still"
            | "ready"
            | "interested"
            | "from"
            | "done"
            | "back"
            | "outside"
            | "at"
            | "in"
            | "on"
            | "going"
            | "very"
            | "so"
            | "just"
            | "also"
            | "available"
            | "asking"
            | "writing"
            | "texting"
            | "happy"
            | "sure"
            | "new"
            | "your"
            | "yo"
            | "de"
            | "el"
            | "la"
            | "un"
            | "una"
            | "cliente"
            | "nuevo"
            | "nueva"
            | "mimi"
            | "sawa"
            | "fit"
            | "tired"
            | "on my way"
            | "around"
            | "inside"
            | "downstairs"
            | "busy"
            | "free"
            | "late"
            | "my"
            | "mr"
            | "customer"
            | "traveling"
            | "travelling"
            | "off"
            | "about"
            | "unable"
            | "able"
            | "calling"
            | "following"
            | "still waiting"
            | "out"
            | "hungry"
            | "this"
            | "that"
            | "it"
            | "is"
            | "and"
            | "with"
            | "for"
            | "to"
            | "ordering"
            | "trying"
            | "confused"
    )
}

fn is_title(w: &str) -> bool {
    matches!(
        w,
        "mr" | "mrs"
            | "miss"
            | "ms"
            | "dr"
            | "mama"
            | "baba"
            | "aunty"
            | "auntie"
            | "uncle"
            | "chief"
            | "sr"
            | "sra"
            | "srta"
    )
}

/// The customer's name when they state it.
pub(crate) fn name(t: &Text<'_>) -> Option<String> {
    // (phrase, explicit): explicit phrases accept a lowercase name.
    const CUES: &[(&str, bool)] = &[
        ("my name is", true),
        ("my name na", true),
        ("name is", true),
        ("name :", true),
        ("jina langu ni", true),
        ("jina ni", true),
        ("naitwa", true),
        ("me llamo", true),
        ("mi nombre es", true),
        ("a nombre de", true),
        ("i'm", false),
        ("im", false),
        ("i am", false),
        ("this is", false),
        ("it's", false),
        ("its", false),
        ("soy", false),
        ("habla", false),
        ("te escribe", false),
        ("mimi ni", false),
        ("ni mimi", false),
        ("na me", false),
    ];
    // Cheap pre-check: every cue contains one of these words.
    let maybe = (0..t.len()).any(|i| {
        matches!(
            t.s(i),
            "name"
                | "naitwa"
                | "llamo"
                | "nombre"
                | "es"
                | "i'm"
                | "im"
                | "am"
                | "is"
                | "it's"
                | "its"
                | "soy"
                | "habla"
                | "escribe"
                | "ni"
                | "me"
        )
    });
    for (cue, explicit) in CUES.iter().filter(|_| maybe) {
        let Some((_, end)) = t.find(cue) else {
            continue;
        };
        let mut k = end;
        let mut parts: Vec<String> = Vec::new();
        while k < t.len() && t.is_word(k) && parts.len() < 3 {
            let raw = t.raw_of(k);
            let w = t.s(k);
            let ok = if parts.is_empty() {
                (*explicit || capitalised(raw))
                    && !not_a_name(w)
                    && raw.chars().all(char::is_alphabetic)
            } else {
                capitalised(raw) && raw.chars().all(char::is_alphabetic) && !not_a_name(w)
            };
            if !ok {
                break;
            }
            let mut p = String::new();
            let mut cs = raw.chars();
            if let Some(c) = cs.next() {
                p.extend(c.to_uppercase());
                p.push_str(cs.as_str());
            }
            let title = is_title(w);
            parts.push(p);
            k += 1;
            if t.s(k) == "." && title {
                k += 1;
            }
            if !title && (!t.is_word(k) || !capitalised(t.raw_of(k))) {
                break;
            }
        }
        // A lone title is not a name.
        if parts.len() == 1 && is_title(&parts[0].to_lowercase()) {
            continue;
        }
        // Names never include dates, products or intents the parser knows.
        if let Some(first) = parts.first()
            && crate::lexicon::weekday(&first.to_lowercase()).is_none()
        {
            return Some(parts.join(" "));
        }
    }
    // "Amaka here", "Mambo! Achieng here": a capitalised word opening a
    // sentence, followed by "here".
    (0..t.len().saturating_sub(1))
        .find(|&i| {
            t.is_word(i)
                && t.s(i + 1) == "here"
                && (i == 0 || t.is_punct(i - 1))
                && capitalised(t.raw_of(i))
                && !not_a_name(t.s(i))
                && !matches!(
                    t.s(i),
                    "i" | "we"
                        | "am"
                        | "hi"
                        | "hello"
                        | "im"
                        | "i'm"
                        | "you"
                        | "come"
                        | "over"
                        | "right"
                        | "sign"
                )
        })
        .map(|i| t.raw_of(i).to_owned())
}

/// Is the verb at `i` something the customer will do ("I'll bring the
/// fabric", "I go drop am") rather than an instruction to the business?
pub(crate) fn customer_does(t: &Text<'_>, i: usize) -> bool {
    let prev = if i > 0 { t.s(i - 1) } else { "" };
    let prev2 = if i > 1 { t.s(i - 2) } else { "" };
    matches!(
        prev,
        "will" | "go" | "i'll" | "ill" | "can" | "i" | "we" | "we'll" | "shall" | "gonna"
    ) || (prev == "to" && matches!(prev2, "want" | "need" | "have" | "going" | "able"))
}

/// "mandame el menú", "send me your price list": a request for information.
pub(crate) fn info_object(t: &Text<'_>, e: usize) -> bool {
    (e..(e + 4).min(t.len())).any(|k| {
        matches!(
            t.s(k),
            "menu"
                | "carta"
                | "alias"
                | "cbu"
                | "link"
                | "precios"
                | "lista"
                | "foto"
                | "fotos"
                | "number"
                | "account"
                | "details"
                | "picture"
                | "pictures"
                | "pics"
                | "namba"
                | "price"
                | "prices"
                | "pricelist"
                | "bei"
                | "cuenta"
                | "datos"
                | "ubicacion"
                | "location"
                | "catalogue"
                | "catalog"
                | "styles"
                | "address"
        )
    })
}

pub(crate) fn fulfilment(t: &Text<'_>) -> Option<Fulfilment> {
    phrases!(PICKUP_SET = PICKUP);
    phrases!(DELIVERY_SET = DELIVERY);
    const PICKUP: &[&str] = &[
        "pick up",
        "pickup",
        "pick it up",
        "pick am",
        "pick it",
        "pick them",
        "collect",
        "come for it",
        "come and take",
        "come and carry",
        "come and pick",
        "i go come carry",
        "come carry",
        "take away",
        "takeaway",
        "nitakuja kuchukua",
        "nitachukua",
        "nitakuja kuchukua",
        "kuchukua",
        "nitapita",
        "retirar",
        "retiro",
        "paso a buscar",
        "paso en",
        "paso por el local",
        "paso a las",
        "paso por ahi",
        "pasar a buscar",
        "paso a retirar",
        "voy a buscar",
        "lo busco",
        "los busco",
        "las busco",
        "la busco",
        "voy a retirar",
        "para llevar",
        "retira",
        "retiramos",
        "paso yo",
        "vamos a buscar",
    ];
    const DELIVERY: &[&str] = &[
        "deliver",
        "delivery",
        "delivered",
        "bring",
        "send it",
        "send them",
        "send am",
        "send to",
        "dispatch",
        "rider",
        "waybill",
        "to my house",
        "to my office",
        "niletee",
        "nitumie",
        "tuletee",
        "mniletee",
        "leta",
        "mnaleta",
        "peleka",
        "mletee",
        "kuleta",
        "cadete",
        "can you send",
        "could you send",
        "cuando llega",
        "cuando llegue",
        "please send",
        "pls send",
        "kindly send",
        "envio",
        "envios",
        "con envio",
        "mandame",
        "mandamelo",
        "mandamelas",
        "mandamelos",
        "me mandas",
        "me mandan",
        "me lo mandas",
        "me las mandas",
        "me los mandas",
        "mandan",
        "traeme",
        "me traen",
        "me traes",
        "a domicilio",
        "enviame",
        "envien",
        "hacen envio",
        "delivery",
    ];
    let pickup = PICKUP_SET.first(t).map(|x| x.0);
    let delivery = DELIVERY_SET
        .matches(t)
        .filter(|&(s, e)| {
            // "mandame el menú / la carta / el alias" asks for information;
            // "I'll bring the fabric" is the customer's errand.
            let asks_info = matches!(
                t.s(s),
                "mandame" | "enviame" | "me" | "send" | "nitumie" | "please" | "pls" | "kindly"
            ) && info_object(t, e);
            let errand = matches!(t.s(s), "bring" | "send") && customer_does(t, s);
            !asks_info && !errand
        })
        .map(|x| x.0)
        .next();
    match (pickup, delivery) {
        (Some(_), None) => Some(Fulfilment::Pickup),
        (None, Some(_)) => Some(Fulfilment::Delivery),
        // "no envío, paso a buscar": the negated option loses; otherwise the explicit pickup phrase wins.
        (Some(_), Some(_)) => Some(Fulfilment::Pickup),
        (None, None) => None,
    }
}

pub(crate) fn payment_method(t: &Text<'_>) -> Option<PaymentMethod> {
    phrases!(
        MPESA = &[
            "mpesa",
            "m pesa",
            "m - pesa",
            "lipa na",
            "till",
            "paybill",
            "pay bill",
            "buy goods"
        ]
    );
    phrases!(
        CASH = &[
            "cash",
            "efectivo",
            "cash on delivery",
            "pay on delivery",
            "taslimu",
            "contra entrega",
            "contraentrega"
        ]
    );
    phrases!(
        CARD = &[
            "card",
            "tarjeta",
            "debito",
            "credito",
            "pos",
            "visa",
            "mastercard",
            "kadi"
        ]
    );
    phrases!(
        TRANSFER = &[
            "transfer",
            "transferred",
            "transfered",
            "transferring",
            "transferencia",
            "transferi",
            "transfiero",
            "transferir",
            "transfere",
            "bank",
            "mercado pago",
            "mercadopago",
            "alias",
            "cbu",
            "cvu",
            "account number",
            "opay",
            "palmpay",
            "moniepoint",
            "kuda",
            "mp",
        ]
    );
    // The method mentioned first wins ("cash, not transfer" is rare; "transfer
    // or cash?" asks, and the first is the customer's lean).
    [
        (&MPESA, PaymentMethod::Mpesa),
        (&CASH, PaymentMethod::Cash),
        (&CARD, PaymentMethod::Card),
        (&TRANSFER, PaymentMethod::Transfer),
    ]
    .into_iter()
    .filter_map(|(set, m)| set.first(t).map(|(s, _)| (s, m)))
    .min_by_key(|(s, _)| *s)
    .map(|(_, m)| m)
}
