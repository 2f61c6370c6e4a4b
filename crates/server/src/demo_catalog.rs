//! What each demo vertical sells and how it takes orders: products (with
//! stock for the shop), delivery zones, opening hours, payment methods.
//! `sokoni demo` seeds it, and the chat transcript tests order from it, so
//! the demo is known to be orderable from greeting to confirmed order.

use domain::TenantId;
use domain::hours::OpeningHours;
use domain::money::Currency;
use domain::order::PaymentMethod;
use domain::tenant::Vertical;
use store::Tx;
use store::business::SettingsPatch;
use store::products::NewProduct;
use store::zones::NewZone;

/// (sku, name, aliases, category, price in major units, stock: None = not tracked)
type Item = (
    &'static str,
    &'static str,
    &'static [&'static str],
    &'static str,
    i64,
    Option<i64>,
);

const TAILOR: &[Item] = &[
    (
        "STY-MIDI",
        "Ankara midi dress",
        &["midi dress", "ankara dress"],
        "Styles",
        45_000,
        None,
    ),
    (
        "STY-BUBA",
        "Iro and buba",
        &["buba", "iro and buba", "iro"],
        "Styles",
        60_000,
        None,
    ),
    ("STY-AGBADA", "Agbada", &["agbada"], "Styles", 85_000, None),
    (
        "STY-GOWN",
        "Evening gown",
        &["gown", "evening gown"],
        "Styles",
        120_000,
        None,
    ),
    (
        "STY-SENATOR",
        "Senator suit",
        &["senator", "senator suit"],
        "Styles",
        55_000,
        None,
    ),
];

const SHOP: &[Item] = &[
    (
        "UNGA-2KG",
        "Unga 2kg",
        &["unga", "maize flour", "flour"],
        "Groceries",
        230,
        Some(40),
    ),
    (
        "SUGAR-1KG",
        "Sukari 1kg",
        &["sukari", "sugar"],
        "Groceries",
        180,
        Some(6),
    ),
    (
        "RICE-2KG",
        "Mchele 2kg",
        &["mchele", "rice"],
        "Groceries",
        320,
        Some(25),
    ),
    (
        "OIL-1L",
        "Cooking oil 1L",
        &["mafuta", "oil", "cooking oil"],
        "Groceries",
        350,
        Some(0),
    ),
    (
        "MILK-500",
        "Maziwa 500ml",
        &["maziwa", "milk"],
        "Dairy and bread",
        60,
        Some(50),
    ),
    (
        "BREAD-400",
        "Mkate 400g",
        &["mkate", "bread"],
        "Dairy and bread",
        65,
        Some(20),
    ),
];

const RESTAURANT: &[Item] = &[
    (
        "EMP-CARNE",
        "Empanada de carne",
        &["carne"],
        "Empanadas",
        1_200,
        None,
    ),
    (
        "EMP-JYQ",
        "Empanada de jamón y queso",
        &["jamon y queso", "jyq"],
        "Empanadas",
        1_200,
        None,
    ),
    (
        "EMP-HUMITA",
        "Empanada de humita",
        &["humita"],
        "Empanadas",
        1_200,
        None,
    ),
    (
        "EMP-POLLO",
        "Empanada de pollo",
        &["pollo"],
        "Empanadas",
        1_200,
        None,
    ),
    (
        "PIZZA-MUZZA",
        "Pizza muzzarella",
        &["muzza", "muzzarella"],
        "Pizzas",
        9_500,
        None,
    ),
    (
        "PIZZA-NAPO",
        "Pizza napolitana",
        &["napo", "napolitana"],
        "Pizzas",
        11_000,
        None,
    ),
    (
        "COCA-15",
        "Coca-Cola 1,5 L",
        &["coca", "coca cola"],
        "Bebidas",
        3_000,
        None,
    ),
    (
        "AGUA-500",
        "Agua sin gas 500 ml",
        &["agua"],
        "Bebidas",
        1_500,
        None,
    ),
];

/// (name, fee, minimum order) in major units.
const SHOP_ZONES: &[(&str, i64, i64)] = &[("Kilimani", 100, 0), ("Westlands", 150, 500)];
const RESTAURANT_ZONES: &[(&str, i64, i64)] = &[
    ("Palermo", 1_500, 8_000),
    ("Villa Crespo", 2_000, 10_000),
    ("Belgrano", 2_500, 15_000),
];

const SHOP_HOURS: &str = r#"{"weekly": {
    "mon": [{"opens": "07:00", "closes": "21:00"}], "tue": [{"opens": "07:00", "closes": "21:00"}],
    "wed": [{"opens": "07:00", "closes": "21:00"}], "thu": [{"opens": "07:00", "closes": "21:00"}],
    "fri": [{"opens": "07:00", "closes": "21:00"}], "sat": [{"opens": "07:00", "closes": "21:00"}],
    "sun": [{"opens": "09:00", "closes": "18:00"}]}, "last_order_minutes": 15}"#;

const RESTAURANT_HOURS: &str = r#"{"weekly": {
    "mon": [{"opens": "11:00", "closes": "15:00"}, {"opens": "19:00", "closes": "23:30"}],
    "tue": [{"opens": "11:00", "closes": "15:00"}, {"opens": "19:00", "closes": "23:30"}],
    "wed": [{"opens": "11:00", "closes": "15:00"}, {"opens": "19:00", "closes": "23:30"}],
    "thu": [{"opens": "11:00", "closes": "15:00"}, {"opens": "19:00", "closes": "23:30"}],
    "fri": [{"opens": "11:00", "closes": "15:00"}, {"opens": "19:00", "closes": "01:00"}],
    "sat": [{"opens": "11:00", "closes": "15:00"}, {"opens": "19:00", "closes": "01:00"}],
    "sun": [{"opens": "19:00", "closes": "23:30"}]}, "last_order_minutes": 30,
    "closed_dates": ["2026-12-25", "2027-01-01"]}"#;

/// Seeds the vertical's catalog, zones, hours and ordering settings.
pub async fn seed(
    tx: &mut Tx,
    tenant: TenantId,
    vertical: Vertical,
    currency: Currency,
) -> anyhow::Result<()> {
    let minor = 10i64.pow(currency.minor_digits());
    let (items, zones, hours, patch) = match vertical {
        Vertical::Tailor => (
            TAILOR,
            &[][..],
            None,
            SettingsPatch {
                deposit_percent: Some(50),
                ..SettingsPatch::default()
            },
        ),
        Vertical::Shop => (
            SHOP,
            SHOP_ZONES,
            Some(SHOP_HOURS),
            SettingsPatch {
                payment_methods: Some(vec![PaymentMethod::Mpesa, PaymentMethod::Cash]),
                ..SettingsPatch::default()
            },
        ),
        Vertical::Restaurant => (
            RESTAURANT,
            RESTAURANT_ZONES,
            Some(RESTAURANT_HOURS),
            SettingsPatch {
                accepts_scheduled: Some(true),
                payment_methods: Some(vec![PaymentMethod::Transfer, PaymentMethod::Cash]),
                bank_details: Some(Some(
                    "Alias: EMPANADAS.MARTIN\nCBU: 0110599520000001234567\nTitular: Martín González"
                        .into(),
                )),
                ..SettingsPatch::default()
            },
        ),
    };
    for (i, (sku, name, aliases, category, price, stock)) in items.iter().enumerate() {
        store::products::insert(
            &mut *tx,
            tenant,
            &NewProduct {
                sku: (*sku).into(),
                name: (*name).into(),
                aliases: aliases.iter().map(|a| (*a).to_string()).collect(),
                category: Some((*category).into()),
                price: price * minor,
                currency: currency.code().into(),
                track_stock: stock.is_some(),
                stock_on_hand: stock.unwrap_or(0),
                low_stock_threshold: stock.map(|_| 5),
                sort_order: i32::try_from(i).unwrap_or(0),
                ..NewProduct::default()
            },
            None,
        )
        .await?;
    }
    for (i, (name, fee, min)) in zones.iter().enumerate() {
        store::zones::insert(
            &mut *tx,
            tenant,
            &NewZone {
                name: (*name).into(),
                fee: fee * minor,
                min_order: min * minor,
                is_active: true,
                sort_order: i32::try_from(i).unwrap_or(0),
            },
        )
        .await?;
    }
    let hours: Option<OpeningHours> = hours.map(serde_json::from_str).transpose()?;
    store::business::update(&mut *tx, tenant, &SettingsPatch { hours, ..patch }).await?;
    Ok(())
}
