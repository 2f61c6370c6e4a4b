//! Property tests: any input gets an answer without panicking, and the answer
//! depends only on the input.

use chrono::DateTime;
use nlu::{CatalogItem, Context, Message, Vertical, parse};
use proptest::prelude::*;

fn ctx(vertical: Vertical, locale: &str, catalog: Vec<CatalogItem>) -> Context {
    Context {
        locale: locale.to_owned(),
        vertical,
        now: DateTime::parse_from_rfc3339("2026-12-31T23:30:00-03:00").unwrap_or_default(),
        timezone: chrono_tz::America::Argentina::Buenos_Aires,
        catalog,
    }
}

fn restaurant_catalog() -> Vec<CatalogItem> {
    [
        ("EMP-CARNE", "Empanada de carne", vec!["carne"]),
        (
            "EMP-JYQ",
            "Empanada de jamón y queso",
            vec!["jamon y queso", "jyq"],
        ),
        ("PIZZA-MUZZA", "Pizza muzzarella", vec!["muzza"]),
        ("UNGA-2KG", "Unga 2kg", vec!["unga"]),
        ("X", "", vec![""]),
        ("Y", "1.5L", vec!["-", "ñ"]),
    ]
    .into_iter()
    .map(|(s, n, a)| CatalogItem {
        sku: s.into(),
        name: n.into(),
        aliases: a.into_iter().map(String::from).collect(),
    })
    .collect()
}

/// Words that reach deep into the grammar, mixed with noise.
fn wordy() -> impl Strategy<Value = String> {
    let vocab = prop::sample::select(vec![
        "quiero",
        "docena",
        "media",
        "de",
        "carne",
        "y",
        "una",
        "tres",
        "humita",
        "muzza",
        "mbili",
        "unga",
        "sukari",
        "kesho",
        "mañana",
        "pasado",
        "el",
        "sábado",
        "que",
        "viene",
        "on",
        "the",
        "19th",
        "Dec",
        "20",
        "in",
        "2",
        "weeks",
        "chest",
        "-",
        "40",
        "cm",
        "\"",
        "waist",
        ":",
        "1/2",
        "SEW-0042",
        "#",
        "12",
        "₦",
        "15k",
        "$",
        "9.500",
        "2.500,50",
        "QGH7XK2P9L",
        "ref",
        "I'm",
        "Amaka",
        "my",
        "name",
        "is",
        "STOP",
        "baja",
        "cancel",
        "paid",
        "how",
        "far",
        "?",
        "agbada",
        "iro",
        "and",
        "buba",
        "ankara",
        "x",
        "kumi",
        "na",
        "todas",
        "docenas",
        "½",
        "31/02",
        "29",
        "February",
        "tarehe",
        "siku",
        "baada",
        "ya",
        "0",
        "99999999999999999999",
        "1e308",
        "..",
        ",,",
        "'",
        "''",
    ]);
    prop::collection::vec(
        (vocab, prop::sample::select(vec![" ", "", ", ", "\n", "-"])),
        0..24,
    )
    .prop_map(|v| v.into_iter().map(|(w, s)| format!("{w}{s}")).collect())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1000, ..ProptestConfig::default() })]

    #[test]
    fn any_unicode_parses(text in any::<String>()) {
        let c = ctx(Vertical::Restaurant, "es-AR", restaurant_catalog());
        let u = parse(&Message::new(text.clone()), &c);
        prop_assert_eq!(u, parse(&Message::new(text), &c));
    }

    #[test]
    fn wordy_messages_parse_deterministically(text in wordy(), locale in prop::sample::select(vec!["en-NG", "sw-KE", "es-AR", "", "x"])) {
        for v in [Vertical::Tailor, Vertical::Shop, Vertical::Restaurant] {
            let c = ctx(v, locale, restaurant_catalog());
            let a = parse(&Message::new(text.clone()), &c);
            let b = parse(&Message::new(text.clone()), &c);
            // Serialising never fails and round-trips.
            let json = serde_json::to_string(&a).map_err(|e| TestCaseError::fail(e.to_string()))?;
            let back: nlu::Understanding = serde_json::from_str(&json).map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert_eq!(&a, &b);
            prop_assert_eq!(a.intent, back.intent);
        }
    }

    #[test]
    fn catalog_items_are_never_invented(text in wordy()) {
        let c = ctx(Vertical::Restaurant, "es-AR", restaurant_catalog());
        let u = parse(&Message::new(text), &c);
        for item in u.items.unwrap_or_default() {
            prop_assert!(c.catalog.iter().any(|k| k.sku == item.sku));
            prop_assert!(item.qty > 0);
        }
    }

    #[test]
    fn price_lists_never_panic(text in any::<String>(), digits in 0u32..8) {
        let _ = nlu::extract_price_list(&text, digits);
    }
}
