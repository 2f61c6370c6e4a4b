//! The data set of `sokoni bench automation`: businesses of the three
//! verticals in three timezones, their customers with a past, open orders,
//! payments, messages, products and the automation ledger of the days
//! before, shaped so that every trigger finds a few targets in a haystack
//! of rows that are not. Written with multi-row INSERTs (one SQL for both
//! backends, batches under both bind limits) in one transaction.

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use domain::TenantId;
use domain::tenant::Vertical;
use serde_json::json;
use std::collections::BTreeMap;
use uuid::Uuid;

/// Binds per statement: under SQLite's 32,766 and PostgreSQL's 65,535.
const MAX_BINDS: usize = 30_000;
/// Values buffered before everything buffered is written.
const FLUSH_VALUES: usize = 400_000;

/// Quiet hours of every seeded business: start = end, none.
pub const QUIET: &str = "00:00";

/// What was seeded, and what the triggers should find in it (counted as
/// the data was made, by the rules).
#[derive(Debug, Clone, Default)]
pub struct SeedSummary {
    pub tenants: Vec<TenantId>,
    /// Rows inserted per table, in the order written.
    pub rows: BTreeMap<&'static str, u64>,
    /// Time spent in `install_defaults` (all businesses, one transaction).
    pub triggers_time: std::time::Duration,
    pub expected: Expected,
}

impl SeedSummary {
    pub fn total_rows(&self) -> u64 {
        self.rows.values().sum()
    }
}

/// Targets by construction, before opt-outs (the engine skips those).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Expected {
    /// Last order over 30 days ago, no open order, no win-back in 14 days.
    pub customer_inactive: u64,
    /// Ready with money due and no outbound message about it in 24 h.
    pub order_ready: u64,
    /// Pending payments whose link was first sent 2, 5 and 10 days ago.
    pub unpaid_balance: [u64; 3],
    /// Deadline within 48 h, stage received or cutting.
    pub deadline_risk: u64,
    /// Birthday 14 days from the business's today, at least one order.
    pub birthday: u64,
    /// An order delivered in the last 2 days, 3 or more orders, no
    /// loyalty message in 60 days.
    pub repeat_customer: u64,
    /// Tracked products at or under their threshold.
    pub low_stock: u64,
    /// Scheduled messages due.
    pub scheduled_message: u64,
    /// Customers who opted out (the engine must skip them).
    pub opted_out: u64,
}

impl std::fmt::Display for Expected {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "customer_inactive {}, order_ready {}, unpaid_balance {}/{}/{} (2/5/10 days), deadline_risk {}, \
             birthday {}, repeat_customer {}, low_stock {}, scheduled_message {} (daily_summary: per owner at its hour; \
             {} customers opted out)",
            self.customer_inactive,
            self.order_ready,
            self.unpaid_balance[0],
            self.unpaid_balance[1],
            self.unpaid_balance[2],
            self.deadline_risk,
            self.birthday,
            self.repeat_customer,
            self.low_stock,
            self.scheduled_message,
            self.opted_out,
        )
    }
}

/// A value bound into a multi-row INSERT.
enum V {
    U(Uuid),
    Un(Option<Uuid>),
    S(String),
    Sn(Option<String>),
    St(&'static str),
    I(i32),
    L(i64),
    Ln(Option<i64>),
    B(bool),
    T(DateTime<Utc>),
    Tn(Option<DateTime<Utc>>),
    D(NaiveDate),
    Dn(Option<NaiveDate>),
    J(serde_json::Value),
}

/// Rows of one table waiting to be written.
struct Buf {
    table: &'static str,
    cols: &'static [&'static str],
    values: Vec<V>,
    written: u64,
}

impl Buf {
    fn new(table: &'static str, cols: &'static [&'static str]) -> Self {
        Buf {
            table,
            cols,
            values: Vec::new(),
            written: 0,
        }
    }

    fn row<const N: usize>(&mut self, vals: [V; N]) {
        debug_assert_eq!(N, self.cols.len(), "{}", self.table);
        self.values.extend(vals);
    }

    async fn flush(&mut self, tx: &mut store::Tx) -> anyhow::Result<()> {
        let width = self.cols.len();
        let per = (MAX_BINDS / width).max(1);
        let head = format!("INSERT INTO {} ({}) ", self.table, self.cols.join(", "));
        for chunk in self.values.chunks(per * width) {
            let n = store::run!(&mut *tx, c => {
                let mut qb = sqlx::QueryBuilder::new(head.as_str());
                qb.push_values(chunk.chunks(width), |mut b, row| {
                    for v in row {
                        match v {
                            V::U(x) => { b.push_bind(*x); }
                            V::Un(x) => { b.push_bind(*x); }
                            V::S(x) => { b.push_bind(x.as_str()); }
                            V::Sn(x) => { b.push_bind(x.as_deref()); }
                            V::St(x) => { b.push_bind(*x); }
                            V::I(x) => { b.push_bind(*x); }
                            V::L(x) => { b.push_bind(*x); }
                            V::Ln(x) => { b.push_bind(*x); }
                            V::B(x) => { b.push_bind(*x); }
                            V::T(x) => { b.push_bind(*x); }
                            V::Tn(x) => { b.push_bind(*x); }
                            V::D(x) => { b.push_bind(*x); }
                            V::Dn(x) => { b.push_bind(*x); }
                            V::J(x) => { b.push_bind(sqlx::types::Json(x)); }
                        }
                    }
                });
                qb.build().execute(c).await.map(|r| r.rows_affected())
            })
            .map_err(|e| anyhow::anyhow!("inserting into {}: {e}", self.table))?;
            self.written += n;
        }
        self.values.clear();
        Ok(())
    }
}

/// Every table written, in the order foreign keys need.
struct Bufs {
    tenants: Buf,
    users: Buf,
    numbers: Buf,
    settings: Buf,
    templates: Buf,
    products: Buf,
    customers: Buf,
    orders: Buf,
    stages: Buf,
    items: Buf,
    payments: Buf,
    messages: Buf,
    ledger: Buf,
    scheduled: Buf,
}

impl Bufs {
    fn new() -> Self {
        Bufs {
            tenants: Buf::new(
                "tenants",
                &[
                    "id",
                    "business_name",
                    "slug",
                    "phone",
                    "vertical",
                    "currency",
                    "timezone",
                    "locale",
                    "country",
                    "order_prefix",
                    "order_seq",
                    "created_at",
                    "updated_at",
                ],
            ),
            users: Buf::new(
                "users",
                &[
                    "id",
                    "tenant_id",
                    "name",
                    "email",
                    "phone",
                    "password_hash",
                    "role",
                    "created_at",
                    "updated_at",
                ],
            ),
            numbers: Buf::new(
                "wa_numbers",
                &[
                    "id",
                    "tenant_id",
                    "phone_number_id",
                    "display_phone_number",
                    "sandbox",
                    "created_at",
                    "updated_at",
                ],
            ),
            settings: Buf::new(
                "business_settings",
                &["id", "tenant_id", "quiet_start", "quiet_end", "updated_at"],
            ),
            templates: Buf::new(
                "wa_templates",
                &[
                    "id",
                    "tenant_id",
                    "waba_id",
                    "name",
                    "language",
                    "category",
                    "status",
                    "body",
                    "params",
                    "created_at",
                    "updated_at",
                ],
            ),
            products: Buf::new(
                "products",
                &[
                    "id",
                    "tenant_id",
                    "sku",
                    "name",
                    "category",
                    "price",
                    "currency",
                    "track_stock",
                    "stock_on_hand",
                    "reserved",
                    "low_stock_threshold",
                    "sort_order",
                    "created_at",
                    "updated_at",
                ],
            ),
            customers: Buf::new(
                "customers",
                &[
                    "id",
                    "tenant_id",
                    "name",
                    "phone",
                    "wa_id",
                    "birthday",
                    "total_orders",
                    "total_spent",
                    "last_order_at",
                    "wa_profile_name",
                    "last_inbound_at",
                    "opted_out_at",
                    "created_at",
                    "updated_at",
                ],
            ),
            orders: Buf::new(
                "orders",
                &[
                    "id",
                    "tenant_id",
                    "order_ref",
                    "customer_id",
                    "style_name",
                    "quantity",
                    "price",
                    "deposit_amount",
                    "currency",
                    "current_stage",
                    "deadline",
                    "source",
                    "fulfilment",
                    "payment_method",
                    "created_at",
                    "updated_at",
                ],
            ),
            stages: Buf::new(
                "order_stages",
                &[
                    "id",
                    "tenant_id",
                    "order_id",
                    "stage",
                    "entered_at",
                    "exited_at",
                ],
            ),
            items: Buf::new(
                "order_items",
                &[
                    "id",
                    "tenant_id",
                    "order_id",
                    "product_id",
                    "sku",
                    "name",
                    "quantity",
                    "unit_price",
                    "line_total",
                    "created_at",
                ],
            ),
            payments: Buf::new(
                "payments",
                &[
                    "id",
                    "tenant_id",
                    "order_id",
                    "customer_id",
                    "amount",
                    "currency",
                    "type",
                    "provider",
                    "reference",
                    "payment_link",
                    "status",
                    "link_sent_at",
                    "first_sent_at",
                    "paid_at",
                    "expires_at",
                    "created_at",
                    "updated_at",
                ],
            ),
            messages: Buf::new(
                "wa_messages",
                &[
                    "id",
                    "tenant_id",
                    "number_id",
                    "customer_id",
                    "order_id",
                    "wa_message_id",
                    "direction",
                    "from_number",
                    "to_number",
                    "kind",
                    "body",
                    "payload",
                    "is_processed",
                    "status",
                    "received_at",
                    "sent_at",
                    "created_at",
                    "updated_at",
                ],
            ),
            ledger: Buf::new(
                "automation_ledger",
                &[
                    "id",
                    "tenant_id",
                    "kind",
                    "target_id",
                    "step",
                    "day",
                    "customer_id",
                    "order_id",
                    "outcome",
                    "body",
                    "created_at",
                    "updated_at",
                ],
            ),
            scheduled: Buf::new(
                "scheduled_messages",
                &[
                    "id",
                    "tenant_id",
                    "customer_id",
                    "send_at",
                    "body",
                    "status",
                    "created_by",
                    "created_at",
                    "updated_at",
                ],
            ),
        }
    }

    fn all(&mut self) -> [&mut Buf; 14] {
        [
            &mut self.tenants,
            &mut self.users,
            &mut self.numbers,
            &mut self.settings,
            &mut self.templates,
            &mut self.products,
            &mut self.customers,
            &mut self.orders,
            &mut self.stages,
            &mut self.items,
            &mut self.payments,
            &mut self.messages,
            &mut self.ledger,
            &mut self.scheduled,
        ]
    }

    fn buffered(&mut self) -> usize {
        self.all().iter().map(|b| b.values.len()).sum()
    }

    async fn flush(&mut self, tx: &mut store::Tx) -> anyhow::Result<()> {
        for b in self.all() {
            b.flush(tx).await?;
        }
        Ok(())
    }
}

/// splitmix64: the same data set for the same sizes, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }
    /// Uniform in `lo..=hi`.
    fn range(&mut self, lo: i64, hi: i64) -> i64 {
        if hi <= lo {
            return lo;
        }
        lo + (self.next() % ((hi - lo) as u64 + 1)) as i64
    }
    fn pick<'a, T>(&mut self, v: &'a [T]) -> &'a T {
        &v[(self.next() % v.len() as u64) as usize]
    }
}

struct Region {
    tz: Tz,
    timezone: &'static str,
    currency: &'static str,
    locale: &'static str,
    country: &'static str,
    /// Customers' numbers: the prefix, then as many digits as `digits`.
    customer_prefix: &'static str,
    digits: usize,
    /// The WhatsApp template language of its locale.
    lang: &'static str,
    /// The owners' and the business numbers' prefixes (7 digits follow).
    owner_prefix: &'static str,
    business_prefix: &'static str,
    /// Minor units of a typical price.
    unit: i64,
    names: &'static [&'static str],
}

const REGIONS: [Region; 3] = [
    Region {
        tz: chrono_tz::Africa::Lagos,
        timezone: "Africa/Lagos",
        currency: "NGN",
        locale: "en-NG",
        lang: "en",
        country: "NG",
        customer_prefix: "+234803",
        digits: 7,
        owner_prefix: "+234810",
        business_prefix: "+234809",
        unit: 100_000,
        names: &[
            "Adaeze", "Chinedu", "Tunde", "Ngozi", "Bola", "Emeka", "Funmi", "Ifeanyi",
        ],
    },
    Region {
        tz: chrono_tz::Africa::Nairobi,
        timezone: "Africa/Nairobi",
        currency: "KES",
        locale: "en-KE",
        lang: "en",
        country: "KE",
        customer_prefix: "+254712",
        digits: 6,
        owner_prefix: "+25472",
        business_prefix: "+25473",
        unit: 10_000,
        names: &[
            "Wanjiru", "Otieno", "Achieng", "Kamau", "Njeri", "Mwangi", "Akinyi", "Kiprop",
        ],
    },
    Region {
        tz: chrono_tz::America::Argentina::Buenos_Aires,
        timezone: "America/Argentina/Buenos_Aires",
        currency: "ARS",
        locale: "es-AR",
        lang: "es",
        country: "AR",
        customer_prefix: "+549115",
        digits: 7,
        owner_prefix: "+549351",
        business_prefix: "+549341",
        unit: 100_000,
        names: &[
            "Lucía",
            "Martín",
            "Sofía",
            "Mateo",
            "Valentina",
            "Joaquín",
            "Camila",
            "Tomás",
        ],
    },
];

/// The vertical of the `b`-th business: the three in turn.
fn vert_of(b: usize) -> Vertical {
    Vertical::ALL[b % 3]
}

struct Product {
    id: Uuid,
    sku: String,
    name: String,
    price: i64,
}

/// A customer while their business is being made.
struct Cust {
    id: Uuid,
    phone: String,
    wa: String,
    name: String,
    birthday: Option<NaiveDate>,
    opted_out: bool,
    /// Past orders: (placed, delivered).
    history: Vec<(DateTime<Utc>, DateTime<Utc>)>,
    open: u32,
    last_order_at: Option<DateTime<Utc>>,
    last_inbound_at: Option<DateTime<Utc>>,
    spent: i64,
    created_at: DateTime<Utc>,
}

/// The owner's phone of business `b` (a subscriber number never starts
/// with 0).
fn owner_phone(r: &Region, b: usize) -> String {
    format!("{}{}", r.owner_prefix, 4_000_000 + b)
}

fn days(n: i64) -> Duration {
    Duration::days(n)
}

fn hours(n: i64) -> Duration {
    Duration::hours(n)
}

fn local_day(tz: Tz, t: DateTime<Utc>) -> NaiveDate {
    t.with_timezone(&tz).date_naive()
}

/// Seeds `businesses` businesses sharing `customers` customers and
/// `orders` open orders (spread evenly), relative to `now`, then gives
/// every business its default triggers. `db` must be migrated and empty.
pub async fn seed_automation(
    db: &store::Db,
    businesses: usize,
    customers: usize,
    orders: usize,
    now: DateTime<Utc>,
) -> anyhow::Result<SeedSummary> {
    anyhow::ensure!(businesses > 0, "at least one business");
    anyhow::ensure!(
        businesses < 5_000_000,
        "at most 4,999,999 businesses (their numbers have 7 digits)"
    );
    anyhow::ensure!(
        customers.div_ceil(businesses) < 1_000_000,
        "at most 999,999 customers per business (their numbers have 6 digits in Kenya)"
    );
    let mut rng = Rng(0x5EED_0000_0000_0001 ^ ((businesses as u64) << 32) ^ (customers as u64));
    let mut bufs = Bufs::new();
    let mut expected = Expected::default();
    let mut tenants = Vec::with_capacity(businesses);
    let mut tx = db.begin().await?;
    for b in 0..businesses {
        let n_customers = customers / businesses + usize::from(b < customers % businesses);
        let n_open = orders / businesses + usize::from(b < orders % businesses);
        let tenant = business(
            &mut bufs,
            &mut rng,
            &mut expected,
            b,
            n_customers,
            n_open,
            now,
        );
        tenants.push(tenant);
        if bufs.buffered() >= FLUSH_VALUES {
            bufs.flush(&mut tx).await?;
        }
    }
    bufs.flush(&mut tx).await?;
    // Each order's paid sum, as store::payments keeps it on every write.
    store::run!(&mut tx, c => sqlx::query(
        "UPDATE orders SET amount_paid = (SELECT CAST(COALESCE(SUM(p.amount), 0) AS BIGINT) FROM payments p \
             WHERE p.tenant_id = orders.tenant_id AND p.order_id = orders.id AND p.status = 'paid')",
    )
    .execute(c)
    .await
    .map(|r| r.rows_affected()))
    .map_err(|e| anyhow::anyhow!("orders' amount paid: {e}"))?;
    let started = std::time::Instant::now();
    for (b, t) in tenants.iter().enumerate() {
        engine::automation::install_defaults(&mut tx, *t, vert_of(b), now).await?;
    }
    let triggers_time = started.elapsed();
    tx.commit().await?;
    let rows = bufs.all().iter().map(|b| (b.table, b.written)).collect();
    Ok(SeedSummary {
        tenants,
        rows,
        triggers_time,
        expected,
    })
}

/// Makes one business and buffers its rows; returns its id.
fn business(
    bufs: &mut Bufs,
    rng: &mut Rng,
    exp: &mut Expected,
    b: usize,
    n_customers: usize,
    n_open: usize,
    now: DateTime<Utc>,
) -> TenantId {
    let vert = vert_of(b);
    let region = &REGIONS[(b / 3) % 3];
    let tz = region.tz;
    let today = local_day(tz, now);
    let birthday_target = today + days(14);
    let tenant = TenantId::new();
    let tid = tenant.0;
    let created = now - days(500);
    let owner = Uuid::now_v7();
    let number = Uuid::now_v7();
    let business_phone = format!("{}{}", region.business_prefix, 5_000_000 + b);

    // The catalog.
    let products: Vec<Product> = {
        let (count, tracked, threshold, low) = match vert {
            Vertical::Tailor => (6, 0.0, None, 0.0),
            Vertical::Shop => (40, 0.9, Some(5), 0.06),
            Vertical::Restaurant => (25, 0.3, Some(10), 0.08),
        };
        (0..count)
            .map(|i| {
                let id = Uuid::now_v7();
                let track = rng.chance(tracked);
                let is_low = track && rng.chance(low);
                let th: Option<i64> = threshold;
                let (on_hand, reserved) = match (track, is_low, th) {
                    (true, true, Some(t)) => {
                        let on = rng.range(0, t);
                        (on, rng.range(0, on.min(2)))
                    }
                    (true, _, Some(t)) => (rng.range(t + 5, t + 200), rng.range(0, 3)),
                    _ => (0, 0),
                };
                if is_low {
                    exp.low_stock += 1;
                }
                let price = rng.range(2, 60) * region.unit / 4;
                let name = match vert {
                    Vertical::Tailor => format!("Style {i}"),
                    Vertical::Shop => format!("Item {i}"),
                    Vertical::Restaurant => format!("Dish {i}"),
                };
                let sku = format!("SKU-{i:03}");
                bufs.products.row([
                    V::U(id),
                    V::U(tid),
                    V::S(sku.clone()),
                    V::S(name.clone()),
                    V::St("general"),
                    V::L(price),
                    V::St(region.currency),
                    V::B(track),
                    V::L(on_hand),
                    V::L(reserved),
                    V::Ln(if track { th } else { None }),
                    V::I(i),
                    V::T(created),
                    V::T(created),
                ]);
                Product {
                    id,
                    sku,
                    name,
                    price,
                }
            })
            .collect()
    };

    // Customers and their past orders.
    let mut custs: Vec<Cust> = (0..n_customers)
        .map(|i| {
            let phone = format!(
                "{}{:0width$}",
                region.customer_prefix,
                i,
                width = region.digits
            );
            let wa = phone.trim_start_matches('+').to_string();
            let name = format!("{} {i}", rng.pick(region.names));
            let birthday = if rng.chance(0.004) {
                NaiveDate::from_ymd_opt(1988, birthday_target.month(), birthday_target.day())
            } else if rng.chance(0.6) {
                NaiveDate::from_ymd_opt(1988, 1, 1).map(|d| d + days(rng.range(0, 365)))
            } else {
                None
            };
            let opted_out = rng.chance(0.02);
            let mut history = Vec::new();
            // 12% never ordered; the others ordered 1 to 6 times.
            if !rng.chance(0.12) {
                let k = match rng.unit() {
                    x if x < 0.35 => 1,
                    x if x < 0.60 => 2,
                    _ => rng.range(3, 6),
                };
                // 30% lapsed (last order 31 to 365 days ago).
                let age_h = if rng.chance(0.30) {
                    rng.range(31 * 24 + 1, 365 * 24)
                } else {
                    rng.range(30, 30 * 24 - 24)
                };
                let mut placed = now - hours(age_h);
                for _ in 0..k {
                    let delivered = placed + hours(rng.range(6, 24));
                    history.push((placed, delivered.min(now - hours(1))));
                    placed -= days(rng.range(10, 60));
                }
                history.reverse();
            }
            let first = history.first().map(|h| h.0).unwrap_or(now - days(20));
            Cust {
                id: Uuid::now_v7(),
                phone,
                wa,
                name,
                birthday,
                opted_out,
                last_order_at: history.last().map(|h| h.0),
                last_inbound_at: history.last().map(|h| h.0),
                history,
                open: 0,
                spent: 0,
                created_at: first - days(rng.range(0, 30)),
            }
        })
        .collect();
    // Some customers wrote today.
    for c in custs.iter_mut() {
        if rng.chance(0.08) {
            c.last_inbound_at = Some(now - Duration::minutes(rng.range(5, 20 * 60)));
        }
    }

    let mut seq: i64 = 0;
    let prefix = format!("B{}", b % 1000);
    let push_stages = |bufs: &mut Bufs,
                       order: Uuid,
                       stage: &'static str,
                       placed: DateTime<Utc>,
                       entered: DateTime<Utc>| {
        if stage == "received" {
            bufs.stages.row([
                V::U(Uuid::now_v7()),
                V::U(tid),
                V::U(order),
                V::St("received"),
                V::T(placed),
                V::Tn(None),
            ]);
        } else {
            bufs.stages.row([
                V::U(Uuid::now_v7()),
                V::U(tid),
                V::U(order),
                V::St("received"),
                V::T(placed),
                V::Tn(Some(entered)),
            ]);
            bufs.stages.row([
                V::U(Uuid::now_v7()),
                V::U(tid),
                V::U(order),
                V::St(stage),
                V::T(entered),
                V::Tn(None),
            ]);
        }
    };

    // Past orders: delivered, paid, each with its two messages.
    let mut orders_rows: Vec<[V; 16]> = Vec::new();
    struct Later {
        stages: Vec<(Uuid, &'static str, DateTime<Utc>, DateTime<Utc>)>,
        items: Vec<[V; 10]>,
        payments: Vec<[V; 17]>,
        messages: Vec<[V; 18]>,
        ledger: Vec<[V; 12]>,
    }
    let mut later = Later {
        stages: Vec::new(),
        items: Vec::new(),
        payments: Vec::new(),
        messages: Vec::new(),
        ledger: Vec::new(),
    };
    let message = |later: &mut Later,
                   cust: &Cust,
                   order: Option<Uuid>,
                   inbound: bool,
                   body: String,
                   at: DateTime<Utc>| {
        let (from, to) = if inbound {
            (
                cust.wa.clone(),
                business_phone.trim_start_matches('+').to_string(),
            )
        } else {
            (
                business_phone.trim_start_matches('+').to_string(),
                cust.wa.clone(),
            )
        };
        let payload = json!({ "type": "text", "text": { "body": body } });
        later.messages.push([
            V::U(Uuid::now_v7()),
            V::U(tid),
            V::U(number),
            V::Un(Some(cust.id)),
            V::Un(order),
            V::S(format!("wamid.bench.{}", Uuid::now_v7().simple())),
            V::St(if inbound { "inbound" } else { "outbound" }),
            V::S(from),
            V::S(to),
            V::St("text"),
            V::S(body),
            V::J(payload),
            V::B(inbound),
            V::St(if inbound { "received" } else { "read" }),
            V::T(at),
            V::Tn((!inbound).then_some(at)),
            V::T(at),
            V::T(at),
        ]);
    };
    let order_price = |rng: &mut Rng| -> i64 {
        match vert {
            Vertical::Tailor => rng.range(20, 150) * region.unit,
            Vertical::Shop => rng.range(2, 40) * region.unit / 2,
            Vertical::Restaurant => rng.range(2, 20) * region.unit / 4,
        }
    };
    for c in custs.iter_mut() {
        let history = c.history.clone();
        for (placed, delivered) in history {
            seq += 1;
            let id = Uuid::now_v7();
            let price = order_price(rng);
            c.spent += price;
            orders_rows.push(order_row(
                tid,
                id,
                &prefix,
                seq,
                c.id,
                vert,
                price,
                "delivered",
                None,
                region.currency,
                placed,
                delivered,
            ));
            later.stages.push((id, "delivered", placed, delivered));
            if vert != Vertical::Tailor {
                let p = rng.pick(&products);
                later.items.push(item_row(tid, id, p, placed));
            }
            later.payments.push(payment_row(
                tid,
                id,
                c.id,
                price,
                region.currency,
                "full",
                "paid",
                placed,
                None,
                Some(delivered),
            ));
            message(
                &mut later,
                c,
                None,
                true,
                "I'd like to order".into(),
                placed,
            );
            message(
                &mut later,
                c,
                Some(id),
                false,
                format!("Your order {prefix}-{seq:04} is delivered"),
                delivered,
            );
        }
    }

    // The automation of the days before: win-backs, loyalty thanks.
    let ordering: Vec<usize> = (0..custs.len())
        .filter(|&i| !custs[i].history.is_empty())
        .collect();

    // Open orders.
    for _ in 0..n_open {
        let Some(&ci) = (!ordering.is_empty()).then(|| rng.pick(&ordering)) else {
            break;
        };
        seq += 1;
        let id = Uuid::now_v7();
        let price = order_price(rng);
        let (stage, placed_ago_h) = match vert {
            Vertical::Tailor => (
                *rng.pick(&[
                    "received", "received", "cutting", "cutting", "sewing", "sewing", "sewing",
                    "fitting", "ready", "ready",
                ]),
                rng.range(2, 21 * 24),
            ),
            Vertical::Shop => (
                *rng.pick(&[
                    "received",
                    "received",
                    "received",
                    "packed",
                    "packed",
                    "ready",
                    "ready",
                    "ready",
                    "out_for_delivery",
                    "out_for_delivery",
                ]),
                rng.range(1, 6 * 24),
            ),
            Vertical::Restaurant => (
                *rng.pick(&[
                    "received",
                    "received",
                    "received",
                    "preparing",
                    "preparing",
                    "preparing",
                    "ready",
                    "ready",
                    "out_for_delivery",
                    "out_for_delivery",
                ]),
                rng.range(1, 6),
            ),
        };
        let placed = now - hours(placed_ago_h) - Duration::minutes(rng.range(0, 59));
        let entered = if stage == "received" {
            placed
        } else {
            let span = (now - placed).num_minutes().max(2);
            placed + Duration::minutes(rng.range(1, span - 1))
        };
        let deadline = match vert {
            Vertical::Tailor => Some(now + hours(rng.range(-36, 21 * 24))),
            Vertical::Shop if rng.chance(0.3) => Some(now + hours(rng.range(2, 5 * 24))),
            _ => None,
        };
        if let Some(d) = deadline
            && d > now
            && d <= now + hours(48)
            && matches!(stage, "received" | "cutting")
        {
            exp.deadline_risk += 1;
        }
        let deposit = if vert == Vertical::Tailor {
            price / 2
        } else {
            0
        };
        let cust_id = custs[ci].id;
        orders_rows.push(order_row(
            tid,
            id,
            &prefix,
            seq,
            cust_id,
            vert,
            price,
            stage,
            deadline,
            region.currency,
            placed,
            entered,
        ));
        later.stages.push((id, stage, placed, entered));
        if vert != Vertical::Tailor {
            let p = rng.pick(&products);
            later.items.push(item_row(tid, id, p, placed));
        }
        // Payments: what is paid, and links waiting.
        let mut paid = 0;
        let mut pending: Option<(&'static str, i64)> = None;
        match vert {
            Vertical::Tailor => {
                if stage == "received" {
                    if rng.chance(0.7) {
                        pending = Some(("deposit", deposit));
                    }
                } else {
                    paid += deposit;
                    later.payments.push(payment_row(
                        tid,
                        id,
                        cust_id,
                        deposit,
                        region.currency,
                        "deposit",
                        "paid",
                        placed,
                        None,
                        Some(placed + hours(2)),
                    ));
                    if stage == "ready" {
                        match rng.unit() {
                            x if x < 0.3 => {
                                paid += price - deposit;
                                later.payments.push(payment_row(
                                    tid,
                                    id,
                                    cust_id,
                                    price - deposit,
                                    region.currency,
                                    "balance",
                                    "paid",
                                    entered,
                                    None,
                                    Some(entered + Duration::minutes(30).min(now - entered)),
                                ));
                            }
                            x if x < 0.65 => pending = Some(("balance", price - deposit)),
                            _ => {}
                        }
                    }
                }
            }
            Vertical::Shop | Vertical::Restaurant => match rng.unit() {
                x if x < 0.6 => {
                    paid = price;
                    later.payments.push(payment_row(
                        tid,
                        id,
                        cust_id,
                        price,
                        region.currency,
                        "full",
                        "paid",
                        placed,
                        None,
                        Some(placed + Duration::minutes(10).min(now - placed)),
                    ));
                }
                x if x < 0.85 => pending = Some(("full", price)),
                _ => {}
            },
        }
        if let Some((kind, amount)) = pending {
            // The link first went out d days (and some hours) ago, never
            // before the order.
            let max_d = ((now - placed).num_hours() / 24).min(14);
            let d = rng.range(0, max_d);
            let h = rng
                .range(0, 20)
                .min(((now - placed) - days(d)).num_hours().max(0));
            let first = (now - days(d) - hours(h) - Duration::minutes(1)).max(placed);
            let pay_id = Uuid::now_v7();
            later.payments.push(payment_row_with(
                pay_id,
                tid,
                id,
                cust_id,
                amount,
                region.currency,
                kind,
                "pending",
                first,
                Some(first),
                None,
            ));
            for (si, (step_days, step)) in [(2, "gentle"), (5, "firm"), (10, "final")]
                .into_iter()
                .enumerate()
            {
                if d == step_days {
                    exp.unpaid_balance[si] += 1;
                } else if d > step_days {
                    // Sent on the day it was due.
                    let at = first + days(step_days);
                    later.ledger.push(ledger_row(
                        tid,
                        "unpaid_balance",
                        pay_id,
                        step,
                        local_day(tz, at),
                        Some(cust_id),
                        Some(id),
                        at,
                    ));
                }
            }
        }
        // What the customer heard about it: the confirmation, and the
        // stage notice when it changed.
        let c = &custs[ci];
        message(
            &mut later,
            c,
            None,
            true,
            "Hello, I want to order".into(),
            placed,
        );
        message(
            &mut later,
            c,
            Some(id),
            false,
            format!("Order {prefix}-{seq:04} received"),
            placed + Duration::seconds(5),
        );
        if stage != "received" {
            message(
                &mut later,
                c,
                Some(id),
                false,
                format!("Order {prefix}-{seq:04} is {stage}"),
                entered,
            );
        }
        if stage == "ready" && paid < price && now - entered > hours(24) {
            exp.order_ready += 1;
        }
        let c = &mut custs[ci];
        c.open += 1;
        c.spent += paid;
        c.last_order_at = c.last_order_at.max(Some(placed));
        c.last_inbound_at = c.last_inbound_at.max(Some(placed));
    }

    // The automation of the days before, and what it leaves to find today.
    for c in &custs {
        let total = c.history.len() + c.open as usize;
        if c.opted_out {
            exp.opted_out += 1;
        }
        // Win-backs: most lapsed customers heard from us in the last 13
        // days; some long ago.
        if let Some(last) = c.last_order_at
            && c.open == 0
            && now - last > days(30)
        {
            let recent = rng.chance(0.88);
            if recent {
                let at = now - days(rng.range(1, 13)) - hours(rng.range(0, 12));
                later.ledger.push(ledger_row(
                    tid,
                    "customer_inactive",
                    c.id,
                    "",
                    local_day(tz, at),
                    Some(c.id),
                    None,
                    at,
                ));
            } else {
                if !c.opted_out {
                    exp.customer_inactive += 1;
                }
                if rng.chance(0.5) {
                    let at = now - days(rng.range(20, 60));
                    later.ledger.push(ledger_row(
                        tid,
                        "customer_inactive",
                        c.id,
                        "",
                        local_day(tz, at),
                        Some(c.id),
                        None,
                        at,
                    ));
                }
            }
        }
        if total >= 3 {
            let thanked_recently = rng.chance(0.3);
            let at = if thanked_recently {
                now - days(rng.range(10, 59))
            } else {
                now - days(rng.range(70, 200))
            };
            later.ledger.push(ledger_row(
                tid,
                "repeat_customer",
                c.id,
                "",
                local_day(tz, at),
                Some(c.id),
                None,
                at,
            ));
            if !thanked_recently
                && !c.opted_out
                && c.history.last().is_some_and(|h| now - h.1 <= days(2))
            {
                exp.repeat_customer += 1;
            }
        }
        if total >= 1
            && !c.opted_out
            && c.birthday.is_some_and(|d| {
                (d.month(), d.day()) == (birthday_target.month(), birthday_target.day())
            })
        {
            exp.birthday += 1;
        }
    }

    // Scheduled messages: one due, one sent yesterday, two to come.
    if !custs.is_empty() {
        for (k, (at, status)) in [
            (now - Duration::minutes(10), "scheduled"),
            (now - days(1), "sent"),
            (now + hours(5), "scheduled"),
            (now + days(3), "scheduled"),
        ]
        .into_iter()
        .enumerate()
        {
            let c = rng.pick(&custs);
            if k == 0 && !c.opted_out {
                exp.scheduled_message += 1;
            }
            bufs.scheduled.row([
                V::U(Uuid::now_v7()),
                V::U(tid),
                V::U(c.id),
                V::T(at),
                V::S(format!("Hello {}, a note from us", c.name)),
                V::St(status),
                V::Un(Some(owner)),
                V::T(at - days(2)),
                V::T(at - days(2)),
            ]);
        }
    }

    // Now the rows, parents first.
    bufs.tenants.row([
        V::U(tid),
        V::S(format!("Bench {} {b}", vert.as_str())),
        V::S(format!("bench-{b}")),
        V::Sn(Some(business_phone.clone())),
        V::St(vert.as_str()),
        V::St(region.currency),
        V::St(region.timezone),
        V::St(region.locale),
        V::St(region.country),
        V::S(prefix.clone()),
        V::L(seq),
        V::T(created),
        V::T(created),
    ]);
    bufs.users.row([
        V::U(owner),
        V::U(tid),
        V::S(format!("Owner {b}")),
        V::S(format!("owner{b}@bench.example")),
        V::Sn(Some(owner_phone(region, b))),
        // Not a hash anything verifies against: nobody logs in.
        V::St("$argon2id$v=19$m=19456,t=2,p=1$YmVuY2g$bench"),
        V::St("owner"),
        V::T(created),
        V::T(created),
    ]);
    bufs.numbers.row([
        V::U(number),
        V::U(tid),
        V::S(format!("bench{b:010}")),
        V::S(business_phone.clone()),
        V::B(true),
        V::T(created),
        V::T(created),
    ]);
    bufs.settings.row([
        V::U(Uuid::now_v7()),
        V::U(tid),
        V::St(QUIET),
        V::St(QUIET),
        V::T(created),
    ]);
    // The sandbox number's standard templates, as `submit_sandbox` stores
    // them (approved, in the business's language and English), except that
    // one business in ten is still waiting for its marketing ones.
    let marketing_pending = rng.chance(0.1);
    let languages: &[&'static str] = if region.lang == "en" {
        &["en"]
    } else {
        &[region.lang, "en"]
    };
    for t in &engine::templates::STANDARD {
        for &language in languages {
            let status = if marketing_pending && t.category == domain::outbound::Category::Marketing
            {
                "pending"
            } else {
                "approved"
            };
            bufs.templates.row([
                V::U(Uuid::now_v7()),
                V::U(tid),
                V::St(engine::templates::SANDBOX_WABA),
                V::St(t.name),
                V::St(language),
                V::St(t.category.as_str()),
                V::St(status),
                V::St(engine::templates::body(t.name, language).unwrap_or_default()),
                V::I(i32::try_from(t.params()).unwrap_or(0)),
                V::T(created),
                V::T(created),
            ]);
        }
    }
    for c in &custs {
        let total = c.history.len() as i32 + c.open as i32;
        bufs.customers.row([
            V::U(c.id),
            V::U(tid),
            V::S(c.name.clone()),
            V::S(c.phone.clone()),
            V::S(c.wa.clone()),
            V::Dn(c.birthday),
            V::I(total),
            V::L(c.spent),
            V::Tn(c.last_order_at),
            V::S(c.name.clone()),
            V::Tn(c.last_inbound_at),
            V::Tn(c.opted_out.then(|| now - days(40))),
            V::T(c.created_at),
            V::T(c.created_at),
        ]);
    }
    for r in orders_rows {
        bufs.orders.row(r);
    }
    for (order, stage, placed, entered) in later.stages {
        push_stages(bufs, order, stage, placed, entered);
    }
    for r in later.items {
        bufs.items.row(r);
    }
    for r in later.payments {
        bufs.payments.row(r);
    }
    for r in later.messages {
        bufs.messages.row(r);
    }
    for r in later.ledger {
        bufs.ledger.row(r);
    }
    tenant
}

#[expect(clippy::too_many_arguments, reason = "one row's columns")]
fn order_row(
    tid: Uuid,
    id: Uuid,
    prefix: &str,
    seq: i64,
    customer: Uuid,
    vert: Vertical,
    price: i64,
    stage: &'static str,
    deadline: Option<DateTime<Utc>>,
    currency: &'static str,
    placed: DateTime<Utc>,
    updated: DateTime<Utc>,
) -> [V; 16] {
    let (style, fulfilment) = match vert {
        Vertical::Tailor => (Some("Senator".to_string()), None),
        Vertical::Shop => (None, Some("delivery")),
        Vertical::Restaurant => (None, Some("pickup")),
    };
    [
        V::U(id),
        V::U(tid),
        V::S(domain::order::order_ref(prefix, seq)),
        V::U(customer),
        V::Sn(style),
        V::I(1),
        V::L(price),
        V::L(if vert == Vertical::Tailor {
            price / 2
        } else {
            0
        }),
        V::St(currency),
        V::St(stage),
        V::Tn(deadline),
        V::St("whatsapp"),
        V::Sn(fulfilment.map(str::to_string)),
        V::Sn(Some("transfer".into())),
        V::T(placed),
        V::T(updated),
    ]
}

fn item_row(tid: Uuid, order: Uuid, p: &Product, at: DateTime<Utc>) -> [V; 10] {
    [
        V::U(Uuid::now_v7()),
        V::U(tid),
        V::U(order),
        V::Un(Some(p.id)),
        V::S(p.sku.clone()),
        V::S(p.name.clone()),
        V::L(1),
        V::L(p.price),
        V::L(p.price),
        V::T(at),
    ]
}

#[expect(clippy::too_many_arguments, reason = "one row's columns")]
fn payment_row(
    tid: Uuid,
    order: Uuid,
    customer: Uuid,
    amount: i64,
    currency: &'static str,
    kind: &'static str,
    status: &'static str,
    created: DateTime<Utc>,
    first_sent: Option<DateTime<Utc>>,
    paid_at: Option<DateTime<Utc>>,
) -> [V; 17] {
    payment_row_with(
        Uuid::now_v7(),
        tid,
        order,
        customer,
        amount,
        currency,
        kind,
        status,
        created,
        first_sent.or(Some(created)),
        paid_at,
    )
}

#[expect(clippy::too_many_arguments, reason = "one row's columns")]
fn payment_row_with(
    id: Uuid,
    tid: Uuid,
    order: Uuid,
    customer: Uuid,
    amount: i64,
    currency: &'static str,
    kind: &'static str,
    status: &'static str,
    created: DateTime<Utc>,
    first_sent: Option<DateTime<Utc>>,
    paid_at: Option<DateTime<Utc>>,
) -> [V; 17] {
    let reference = format!("bench_{}", id.simple());
    let updated = paid_at.unwrap_or(created);
    [
        V::U(id),
        V::U(tid),
        V::U(order),
        V::Un(Some(customer)),
        V::L(amount.max(1)),
        V::St(currency),
        V::St(kind),
        V::St("sandbox"),
        V::S(reference.clone()),
        V::Sn(Some(format!("https://pay.bench.example/{reference}"))),
        V::St(status),
        V::Tn(first_sent),
        V::Tn(first_sent),
        V::Tn(paid_at),
        V::Tn(Some(created + days(30))),
        V::T(created),
        V::T(updated),
    ]
}

#[expect(clippy::too_many_arguments, reason = "one row's columns")]
fn ledger_row(
    tid: Uuid,
    kind: &'static str,
    target: Uuid,
    step: &'static str,
    day: NaiveDate,
    customer: Option<Uuid>,
    order: Option<Uuid>,
    at: DateTime<Utc>,
) -> [V; 12] {
    [
        V::U(Uuid::now_v7()),
        V::U(tid),
        V::St(kind),
        V::U(target),
        V::St(step),
        V::D(day),
        V::Un(customer),
        V::Un(order),
        V::St("sent"),
        V::Sn(Some(format!("({kind} {step})"))),
        V::T(at),
        V::T(at),
    ]
}

/// Rows in the tables the cycle reads and writes.
pub async fn table_counts(db: &store::Db) -> anyhow::Result<Vec<(&'static str, i64)>> {
    const TABLES: [&str; 17] = [
        "tenants",
        "users",
        "wa_numbers",
        "customers",
        "products",
        "orders",
        "order_stages",
        "order_items",
        "payments",
        "wa_messages",
        "jobs",
        "outbox",
        "scheduled_messages",
        "wa_templates",
        "automation_triggers",
        "automation_ledger",
        "automation_runs",
    ];
    let mut out = Vec::with_capacity(TABLES.len());
    for t in TABLES {
        let sql = sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {t}"));
        let n: i64 = store::run!(db, c => sqlx::query_scalar(sql).fetch_one(c).await)?;
        out.push((t, n));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::REGIONS;
    use domain::E164;

    #[test]
    fn seeded_numbers_are_valid_whatsapp_numbers() {
        for r in &REGIONS {
            for i in [0usize, 1, 99, 12_345, 99_999] {
                let phone = format!("{}{:0width$}", r.customer_prefix, i, width = r.digits);
                let wa = phone.trim_start_matches('+');
                assert!(E164::from_wa_id(wa).is_ok(), "customer {phone}");
            }
            for b in [0usize, 7, 999, 4_999_999] {
                let owner = super::owner_phone(r, b);
                assert!(E164::parse(&owner, r.country).is_ok(), "owner {owner}");
            }
        }
    }
}
