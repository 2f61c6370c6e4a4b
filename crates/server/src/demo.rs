//! `sokoni demo`: the whole product on a fresh SQLite file with a tailor in
//! Lagos, a shop in Nairobi and an empanada kitchen in Buenos Aires.

use crate::api::auth::{BusinessInput, OwnerInput, RegisterRequest, register_business};
use crate::config::Config;
use crate::state::AppState;
use anyhow::Context;
use chrono::{Datelike, Duration, Utc};
use domain::E164;
use domain::measurement::Unit;
use domain::order::{Source, Stage, pipeline};
use domain::tenant::Vertical;
use std::collections::BTreeMap;
use std::path::Path;
use store::customers::NewCustomer;
use store::measurements::Values;
use store::orders::NewOrder;

pub const DEMO_PASSWORD: &str = "sokoni-demo";

/// One demo business: its owner logs in with `email` / [`DEMO_PASSWORD`].
pub struct DemoBusiness {
    pub name: &'static str,
    pub slug: &'static str,
    pub vertical: Vertical,
    pub currency: &'static str,
    pub timezone: &'static str,
    pub locale: &'static str,
    pub owner: &'static str,
    pub email: &'static str,
    pub owner_phone: &'static str,
    /// The sandbox WhatsApp number: (Meta phone number id, display number).
    pub number: (&'static str, &'static str),
    /// (name, local phone) of customers.
    pub customers: &'static [(&'static str, &'static str)],
    /// (style or items, price in major units, deposit, days to deadline, stage steps forward)
    pub orders: &'static [(&'static str, i64, i64, i64, usize)],
}

pub const BUSINESSES: &[DemoBusiness] = &[
    DemoBusiness {
        name: "Funmi Couture",
        slug: "funmi-couture",
        vertical: Vertical::Tailor,
        currency: "NGN",
        timezone: "Africa/Lagos",
        locale: "en-NG",
        owner: "Funmi Adebayo",
        email: "funmi@demo.sokoni.app",
        owner_phone: "08030000001",
        number: ("100000000000001", "+234 803 000 0001"),
        customers: &[
            ("Amaka Okonkwo", "08031234567"),
            ("Ngozi Eze", "08059876543"),
            ("Chidinma Adeyemi", "07012345678"),
        ],
        orders: &[
            ("Ankara midi dress", 45_000, 15_000, 1, 1),
            ("Iro and buba set", 60_000, 20_000, 4, 2),
            ("Evening gown", 120_000, 50_000, 2, 3),
            ("Agbada (couple)", 150_000, 75_000, 0, 4),
        ],
    },
    DemoBusiness {
        name: "Njeri's Duka",
        slug: "njeri-duka",
        vertical: Vertical::Shop,
        currency: "KES",
        timezone: "Africa/Nairobi",
        locale: "en-KE",
        owner: "Njeri Wanjiku",
        email: "njeri@demo.sokoni.app",
        owner_phone: "0700000002",
        number: ("100000000000002", "+254 700 000 002"),
        customers: &[
            ("Wambui Kamau", "0712345678"),
            ("Otieno Odhiambo", "0723456789"),
        ],
        orders: &[
            ("Unga 2kg x2, sukari 1kg", 520, 0, 0, 0),
            ("Milk 500ml x4", 240, 0, 1, 4),
        ],
    },
    DemoBusiness {
        name: "Empanadas Martín",
        slug: "empanadas-martin",
        vertical: Vertical::Restaurant,
        currency: "ARS",
        timezone: "America/Argentina/Buenos_Aires",
        locale: "es-AR",
        owner: "Martín González",
        email: "martin@demo.sokoni.app",
        owner_phone: "11 5000-0003",
        number: ("100000000000003", "+54 9 11 5000-0003"),
        customers: &[
            ("Lucía Fernández", "11 2345-6789"),
            ("Santiago Pérez", "11 3456-7890"),
        ],
        orders: &[
            ("1 docena de carne", 10_800, 0, 0, 1),
            ("Media docena de humita + coca", 8_900, 0, 0, 0),
        ],
    },
];

/// The demo's webhook app secret and verify token (override with
/// SOKONI_WA_APP_SECRET and SOKONI_WA_VERIFY_TOKEN).
pub const DEMO_APP_SECRET: &str = "sokoni-demo-app-secret";
pub const DEMO_VERIFY_TOKEN: &str = "sokoni-demo-verify-token";
/// Turns on the sandbox payment provider in the demo (override with
/// SOKONI_SANDBOX_PAYMENTS_SECRET).
pub const DEMO_SANDBOX_PAYMENTS_SECRET: &str = "sokoni-demo-sandbox-payments";

/// The demo's sandbox onboarding number (Meta phone number id, display):
/// send an invite code to it from the simulator to open a business.
pub const DEMO_ONBOARDING_NUMBER: (&str, &str) = ("100000000000099", "+1 555 000 0099");

/// The sandbox onboarding number and one invite code to try it with
/// (printed; only its hash is stored).
pub async fn seed_onboarding(state: &AppState) -> anyhow::Result<Option<String>> {
    if state.config.onboarding_phone_number_id.as_deref() != Some(DEMO_ONBOARDING_NUMBER.0) {
        return Ok(None);
    }
    engine::onboarding::install_number(
        &state.db,
        DEMO_ONBOARDING_NUMBER.0,
        DEMO_ONBOARDING_NUMBER.1,
        true,
    )
    .await?;
    let issued = engine::onboarding::issue(
        &state.db,
        domain::tenant::Plan::Free,
        1,
        state.services.clock.now() + Duration::days(14),
    )
    .await?;
    Ok(issued.into_iter().next().map(|i| i.code))
}

/// Creates the demo businesses with customers, measurements and orders.
/// Skips any whose slug already exists, so it can run against a kept
/// database.
pub async fn seed(state: &AppState) -> anyhow::Result<()> {
    for b in BUSINESSES {
        if store::tenants::get_by_slug(&state.db, b.slug).await.is_ok() {
            continue;
        }
        seed_one(state, b)
            .await
            .with_context(|| format!("seeding {}", b.name))?;
    }
    Ok(())
}

async fn seed_one(state: &AppState, b: &DemoBusiness) -> anyhow::Result<()> {
    let req = RegisterRequest {
        business: BusinessInput {
            name: b.name.into(),
            slug: b.slug.into(),
            phone: None,
            vertical: b.vertical,
            currency: b.currency.into(),
            timezone: b.timezone.into(),
            locale: b.locale.into(),
            country: None,
            order_prefix: None,
        },
        owner: OwnerInput {
            name: b.owner.into(),
            email: b.email.into(),
            password: DEMO_PASSWORD.into(),
            phone: Some(b.owner_phone.into()),
        },
    };
    let session = register_business(state, req)
        .await
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let tenant = session.tenant;
    let owner = session.user;
    crate::api::whatsapp::add(
        state,
        tenant.id,
        crate::api::whatsapp::NewNumberRequest {
            phone_number_id: b.number.0.into(),
            display_phone_number: b.number.1.into(),
            waba_id: None,
            access_token: None,
            sandbox: true,
        },
    )
    .await
    .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let p = pipeline(b.vertical);
    let mut tx = state.db.begin().await?;
    crate::demo_catalog::seed(&mut tx, tenant.id, b.vertical, tenant.currency).await?;
    let mut customers = Vec::new();
    for (name, phone) in b.customers {
        let e164 = E164::parse(phone, &tenant.country)?;
        let c = store::customers::insert(
            &mut tx,
            tenant.id,
            &NewCustomer {
                name: Some((*name).into()),
                wa_id: Some(e164.wa_id()),
                phone: Some(e164.to_string()),
                ..NewCustomer::default()
            },
        )
        .await?;
        if b.vertical == Vertical::Tailor {
            let mut custom = BTreeMap::new();
            custom.insert("gown_length".to_string(), 56.0);
            let v1 = Values {
                unit: Unit::In,
                chest: Some(38.0),
                waist: Some(32.0),
                hip: Some(42.0),
                custom,
                ..Values::default()
            };
            store::measurements::add_version(&mut tx, tenant.id, c.id, &v1, Some(owner.id)).await?;
            let v2 = Values {
                waist: Some(31.0),
                notes: Some("after the wedding season".into()),
                ..v1
            };
            store::measurements::add_version(&mut tx, tenant.id, c.id, &v2, Some(owner.id)).await?;
        }
        customers.push(c);
    }
    let minor = 10i64.pow(tenant.currency.minor_digits());
    for (i, (style, price, deposit, days, steps)) in b.orders.iter().enumerate() {
        let customer = &customers[i % customers.len()];
        let current = store::measurements::current(&mut tx, tenant.id, customer.id).await?;
        let order = store::orders::insert(
            &mut tx,
            tenant.id,
            &NewOrder {
                customer_id: customer.id,
                measurement_id: current.map(|m| m.id),
                assigned_to: None,
                style_name: Some((*style).into()),
                style_details: None,
                fabric_info: None,
                reference_images: Vec::new(),
                quantity: 1,
                price: price * minor,
                deposit_amount: deposit * minor,
                currency: tenant.currency,
                deadline: Some(Utc::now() + Duration::days(*days) + Duration::hours(6)),
                source: if i % 2 == 0 {
                    Source::Whatsapp
                } else {
                    Source::Dashboard
                },
                wa_thread_id: None,
                notes: None,
                created_by: Some(owner.id),
                fulfilment: None,
                delivery_zone: None,
                delivery_fee: 0,
                delivery_address: None,
                payment_method: None,
                scheduled_for: None,
            },
        )
        .await?;
        // Deposit first: work starts only on a paid deposit, so every order
        // the demo has moved past `received` has its deposit paid. The
        // balances stay due (the demo's debts), and so does the deposit of
        // an order still at `received`.
        if *deposit > 0 && *steps > 0 {
            store::payments::insert(
                &mut tx,
                tenant.id,
                &store::payments::NewPayment {
                    order_id: order.id,
                    customer_id: customer.id,
                    amount: deposit * minor,
                    currency: tenant.currency,
                    kind: "deposit",
                    provider: "transfer",
                    provider_ref: None,
                    status: domain::payment::PaymentStatus::Paid,
                    confirmed_by: Some(owner.id),
                },
            )
            .await?;
        }
        // Walk the order forward through its pipeline.
        let mut order = order;
        for _ in 0..*steps {
            let Some(next) = p
                .next_stages(order.current_stage)
                .into_iter()
                .find(|s| *s != Stage::Cancelled)
            else {
                break;
            };
            store::orders::change_stage(&mut tx, tenant.id, &order, next, Some(owner.id), None)
                .await?;
            order = store::orders::get(&mut tx, tenant.id, order.id).await?;
        }
    }
    seed_automation(&mut tx, &tenant, &state.config.public_url()).await?;
    tx.commit().await?;
    Ok(())
}

/// History that makes the automation triggers fire in the demo's first
/// cycle (the scheduler runs one at start): an expired deposit link first
/// sent two days ago (the gentle reminder, with a renewed link), a
/// returning customer who last ordered 40 days ago with a birthday in two
/// weeks, three orders in all for the first customer (the loyalty message
/// after a delivery), and a product below its low-stock alert. The seeded
/// orders themselves bring the ready reminders and deadline alerts. No
/// quiet hours, so the demo behaves the same at any hour.
async fn seed_automation(
    tx: &mut store::Tx,
    tenant: &store::tenants::Tenant,
    public_url: &str,
) -> anyhow::Result<()> {
    let now = Utc::now();
    store::business::update(
        &mut *tx,
        tenant.id,
        &store::business::SettingsPatch {
            quiet_start: Some("00:00".into()),
            quiet_end: Some("00:00".into()),
            ..Default::default()
        },
    )
    .await?;
    let orders = store::orders::list(
        &mut *tx,
        tenant.id,
        &store::orders::Filter::default(),
        store::orders::Sort::Newest { before: None },
        100,
    )
    .await?;
    // An order under way owes its balance: its link went out two days ago
    // and has expired.
    if let Some(o) = orders
        .iter()
        .find(|o| o.balance_due > 0 && !matches!(o.current_stage, Stage::Ready | Stage::Delivered))
    {
        let id = store::payments::request(
            &mut *tx,
            tenant.id,
            &store::payments::NewRequest {
                order_id: o.id,
                customer_id: o.customer_id,
                amount: o.balance_due,
                currency: tenant.currency,
                kind: "balance",
                provider: "sandbox",
                reference: &engine::pay::new_reference(),
                callback_token: None,
                expires_at: Some(now - Duration::days(1)),
            },
        )
        .await?;
        let sent = now - Duration::days(2) - Duration::hours(1);
        let old_link = format!("{public_url}/sandbox/pay/expired");
        store::payments::set_initiated(&mut *tx, tenant.id, id, Some(&old_link), None, sent)
            .await?;
    }
    {
        let (name, phone) = match tenant.vertical {
            Vertical::Tailor => ("Kemi Balogun", "08069990001"),
            Vertical::Shop => ("Achieng Otieno", "0799900001"),
            Vertical::Restaurant => ("Valentina Ruiz", "11 6999-0001"),
        };
        let back = E164::parse(phone, &tenant.country)?;
        let c = store::customers::insert(
            &mut *tx,
            tenant.id,
            &NewCustomer {
                name: Some(name.into()),
                wa_id: Some(back.wa_id()),
                phone: Some(back.to_string()),
                birthday: (now + Duration::days(14))
                    .with_timezone(&tenant.tz())
                    .date_naive()
                    .with_year(1990),
                ..NewCustomer::default()
            },
        )
        .await?;
        store::customers::set_history(&mut *tx, tenant.id, c.id, 2, now - Duration::days(40))
            .await?;
    }
    // A delivered order was paid in full at the door, and its customer
    // has ordered three times: the loyalty message follows.
    for o in orders
        .iter()
        .filter(|o| o.current_stage == Stage::Delivered)
    {
        if o.balance_due > 0 {
            store::payments::insert(
                &mut *tx,
                tenant.id,
                &store::payments::NewPayment {
                    order_id: o.id,
                    customer_id: o.customer_id,
                    amount: o.balance_due,
                    currency: tenant.currency,
                    kind: "full",
                    provider: "cash",
                    provider_ref: None,
                    status: domain::payment::PaymentStatus::Paid,
                    confirmed_by: None,
                },
            )
            .await?;
        }
        store::customers::set_history(&mut *tx, tenant.id, o.customer_id, 3, now).await?;
    }
    if tenant.vertical == Vertical::Shop
        && let Some(rice) = store::products::by_sku(&mut *tx, tenant.id, "RICE-2KG").await?
    {
        store::inventory::adjust(
            &mut *tx,
            tenant.id,
            rice.id,
            3 - rice.stock_on_hand,
            None,
            "stock count",
        )
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    }
    Ok(())
}

/// Runs the demo: configuration as for `serve`, but by default a fresh
/// `demo.db` in the data dir.
pub async fn run(file: Option<&Path>) -> anyhow::Result<()> {
    let mut config = Config::load_with(Config::default(), file)?;
    // The simulator and the sandbox checkout, without logins.
    config.demo = true;
    if config.wa_app_secret.is_none() {
        config.wa_app_secret = Some(DEMO_APP_SECRET.to_string().into());
    }
    if config.wa_verify_token.is_none() {
        config.wa_verify_token = Some(DEMO_VERIFY_TOKEN.to_string().into());
    }
    if config.sandbox_payments_secret.is_none() {
        config.sandbox_payments_secret = Some(DEMO_SANDBOX_PAYMENTS_SECRET.to_string().into());
    }
    if config.onboarding_phone_number_id.is_none() {
        config.onboarding_phone_number_id = Some(DEMO_ONBOARDING_NUMBER.0.to_string());
    }
    let fresh_default = config.database_url.is_none();
    let config = if fresh_default {
        let path = config.data_dir.join("demo.db");
        for suffix in ["", "-wal", "-shm"] {
            let p = format!("{}{suffix}", path.display());
            if Path::new(&p).exists() {
                std::fs::remove_file(&p)
                    .with_context(|| format!("removing the previous demo database {p}"))?;
            }
        }
        Config {
            database_url: Some(format!("sqlite://{}", path.display())),
            ..config
        }
    } else {
        config
    };
    let state = crate::build_state(config).await?;
    seed(&state).await?;
    let invite = seed_onboarding(&state).await?;
    let links = sign_in_links(&state).await?;
    print_welcome(&state, invite.as_deref(), &links);
    crate::serve(state).await
}

/// A dashboard sign-in link for each demo business's owner.
pub async fn sign_in_links(state: &AppState) -> anyhow::Result<Vec<String>> {
    let mut links = Vec::new();
    for b in BUSINESSES {
        let owner = store::users::credentials_by_email(&state.db, b.email).await?;
        links.push(crate::dashboard::login::issue_link(state, &owner.user).await?);
    }
    Ok(links)
}

fn print_welcome(state: &AppState, invite: Option<&str>, links: &[String]) {
    let url = state.config.public_url();
    println!("\nSokoni demo is running at {url}\n");
    println!("Three businesses are ready. Open the dashboard signed in as each owner:");
    for (b, link) in BUSINESSES.iter().zip(links) {
        println!("  {:<18} {:<11} {link}", b.name, b.vertical.as_str());
    }
    println!(
        "(links work for {} hours; or sign in at {url}/login with the owner's email and the password {DEMO_PASSWORD:?})",
        crate::dashboard::login::LINK_HOURS
    );
    for b in BUSINESSES {
        println!("  {:<18} {}", b.name, b.email);
    }
    println!(
        "\nThe API:\n  curl -s {url}/api/v1/auth/login -H 'Content-Type: application/json' \\"
    );
    println!("    -d '{{\"email\":\"funmi@demo.sokoni.app\",\"password\":\"{DEMO_PASSWORD}\"}}'");
    println!("\nChat as a customer of any of them: {url}/sandbox/chat");
    if let Some(code) = invite {
        println!(
            "Open a business of your own: in the simulator, choose \"Sokoni\" (the onboarding number {}) and write \"JOIN {code}\".",
            DEMO_ONBOARDING_NUMBER.1
        );
    }
    println!("API description: {url}/api/v1/openapi.json    Stop with Ctrl-C.\n");
}

#[cfg(test)]
mod tests {
    use super::*;
    use store::orders::{Filter, Sort};

    #[tokio::test]
    async fn the_demo_has_a_sandbox_onboarding_number_and_a_code() {
        let db = store::testing::sqlite().await;
        let secret =
            secrecy::SecretString::from("demo-test-secret-key-long-enough-0123".to_string());
        let config = Config {
            onboarding_phone_number_id: Some(DEMO_ONBOARDING_NUMBER.0.into()),
            ..Config::default()
        };
        let state = crate::state_with(db, &secret, config);
        let code = seed_onboarding(&state).await.unwrap().unwrap();
        let n = store::wa::number_by_phone_number_id(&state.db, DEMO_ONBOARDING_NUMBER.0)
            .await
            .unwrap()
            .unwrap();
        assert!(n.sandbox && n.active);
        let owner = store::tenants::get(&state.db, n.tenant_id).await.unwrap();
        assert_eq!(owner.slug, engine::onboarding::PLATFORM_SLUG);
        let invite = engine::onboarding::find_invite(&state.db, &code)
            .await
            .unwrap();
        assert_eq!(
            invite.status(store::now()),
            store::invites::InviteStatus::Open
        );
        assert!(state.services.onboarding.is_some());
    }

    #[tokio::test]
    async fn no_seeded_order_is_worked_on_before_its_deposit_is_paid() {
        for db in store::testing::backends().await {
            eprintln!("backend: {}", db.backend());
            let secret =
                secrecy::SecretString::from("demo-test-secret-key-long-enough-0123".to_string());
            let state = crate::state_with(db, &secret, Config::default());
            seed(&state).await.unwrap();
            let (mut started_with_deposit, mut debts) = (0, 0);
            for b in BUSINESSES {
                let tenant = store::tenants::get_by_slug(&state.db, b.slug)
                    .await
                    .unwrap();
                let orders = store::orders::list(
                    &state.db,
                    tenant.id,
                    &Filter::default(),
                    Sort::Newest { before: None },
                    100,
                )
                .await
                .unwrap();
                assert_eq!(orders.len(), b.orders.len(), "{}", b.name);
                for o in orders {
                    let paid_deposit: i64 = store::payments::for_order(&state.db, tenant.id, o.id)
                        .await
                        .unwrap()
                        .iter()
                        .filter(|p| {
                            p.status == domain::payment::PaymentStatus::Paid && p.kind == "deposit"
                        })
                        .map(|p| p.amount)
                        .sum();
                    if o.current_stage != Stage::Received && o.deposit_amount > 0 {
                        started_with_deposit += 1;
                        assert!(
                            paid_deposit >= o.deposit_amount,
                            "{} {} is at {:?} with {} of its {} deposit paid",
                            b.name,
                            o.order_ref,
                            o.current_stage,
                            paid_deposit,
                            o.deposit_amount
                        );
                    }
                    if o.balance_due > 0 {
                        debts += 1;
                    }
                }
            }
            assert!(
                started_with_deposit >= 4,
                "the tailor's orders are under way"
            );
            assert!(debts >= 4, "balances stay due: the demo has debts");
            // The first cycle has something for every kind of trigger but
            // the owner's evening summary and scheduled messages.
            let r = engine::automation::run_cycle(&state.services, None)
                .await
                .unwrap();
            let mut kinds = std::collections::BTreeSet::new();
            for b in BUSINESSES {
                let tenant = store::tenants::get_by_slug(&state.db, b.slug)
                    .await
                    .unwrap();
                for o in store::automation::outcomes(&state.db, tenant.id, &[], 1000)
                    .await
                    .unwrap()
                {
                    assert_eq!(o.outcome, "sent", "{}: {o:?}", b.name);
                    kinds.insert(o.kind);
                }
            }
            for k in [
                "customer_inactive",
                "order_ready",
                "unpaid_balance",
                "deadline_risk",
                "birthday",
                "repeat_customer",
                "low_stock",
            ] {
                assert!(kinds.contains(k), "{k} did not fire: {kinds:?} {r:?}");
            }
            // Seeding again changes nothing.
            seed(&state).await.unwrap();
        }
    }
}
