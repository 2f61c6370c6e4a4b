//! Shops and restaurants: menu (list messages by category, paged), cart (by
//! tapping or typing), then checkout: delivery or pickup, zone (fee and
//! minimum), address or location pin, payment method, and the order placed
//! with its stock reserved in the same transaction. Closed hours refuse
//! politely with the next opening time, or offer to schedule.
//!
//! Every checkout answer sets one field and calls `checkout`, which asks
//! for the first thing still missing (decided by [`super::checkout`], plain
//! functions over the cart and the business's terms); stale taps on old
//! buttons are therefore harmless. The catalog is read in pieces, as a
//! turn needs it: the categories for the menu, one category's products,
//! one product by sku for a tap, the cart's products when placing.

use super::checkout::{self, Missing, Terms};
use super::convo::Convo;
use super::input::Input;
use super::say::row;
use super::session::{ShopStep, ZoneChoice};
use anyhow::Context as _;
use chrono::{DateTime, Utc};
use domain::commerce::{CartLine, total};
use domain::hours::Availability;
use domain::messages::Attention;
use domain::order::{Fulfilment, PaymentMethod, Source};
use domain::text::Key;
use domain::{OrderId, ZoneId};
use nlu::Intent;
use store::business::Settings;
use store::inventory::StockError;
use store::orders::{NewItem, NewOrder};
use store::products::{Product, ProductFilter};
use store::tenants::Tenant;

/// Rows a list message holds (Meta's limit).
const ROWS: usize = 10;

impl Convo<'_> {
    pub(super) async fn shop(&mut self, input: Input, restart: bool) -> anyhow::Result<()> {
        if restart {
            self.state.shop.step = ShopStep::Idle;
            match &input {
                Input::Said(u, _) if u.intent == Intent::MenuRequest => self.menu(0).await?,
                _ => self.welcome().await?,
            }
            return Ok(());
        }
        match input {
            Input::Tap(id) => self.tap(&id).await,
            Input::CatalogOrder(items) => {
                self.state.shop.cart.clear();
                for (sku, qty) in items {
                    self.add(&sku, qty).await?;
                }
                self.checkout().await
            }
            Input::Location(place) => {
                if self.state.shop.step == ShopStep::Address
                    || self.state.shop.fulfilment == Some(Fulfilment::Delivery)
                {
                    self.state.shop.address = Some(place);
                    self.checkout().await
                } else {
                    self.state.shop.address = Some(place);
                    self.unknown("").await
                }
            }
            Input::Said(u, text) => {
                let items = u.items.clone().unwrap_or_default();
                if let Some(f) = u.fulfilment {
                    self.choose_fulfilment(match f {
                        nlu::Fulfilment::Delivery => Fulfilment::Delivery,
                        nlu::Fulfilment::Pickup => Fulfilment::Pickup,
                    });
                }
                if let Some(m) = u.payment_method {
                    let m = payment_method(m);
                    if self.settings.payment_methods.contains(&m) {
                        self.state.shop.payment = Some(m);
                    }
                }
                if !items.is_empty() {
                    for item in &items {
                        self.add(&item.sku, item.qty.max(1)).await?;
                    }
                    self.cart_summary();
                    return Ok(());
                }
                match u.intent {
                    Intent::NewOrder => {
                        // An order the catalog does not carry.
                        let body = self.say.t(Key::NotInCatalog, &[]);
                        self.reply(self.say.buttons(body, &[("menu", Key::BtnMenu)]));
                        Ok(())
                    }
                    Intent::CancelOrder
                        if !self.state.shop.cart.is_empty() && u.order_ref.is_none() =>
                    {
                        self.clear_cart();
                        Ok(())
                    }
                    Intent::CancelOrder => self.cancel(u.order_ref.as_deref()).await,
                    _ if self.state.shop.step == ShopStep::Address
                        && text.trim().chars().count() >= 4 =>
                    {
                        self.state.shop.address = Some(text.trim().to_string());
                        self.checkout().await
                    }
                    _ if u.fulfilment.is_some()
                        || (u.payment_method.is_some()
                            && self.state.shop.step == ShopStep::Payment) =>
                    {
                        self.checkout().await
                    }
                    _ => self.unknown(&text).await,
                }
            }
            Input::Date(_, text) if self.state.shop.step == ShopStep::Address => {
                self.state.shop.address = Some(text.trim().to_string());
                self.checkout().await
            }
            Input::Date(_, text) => self.unknown(&text).await,
            Input::Media(_) | Input::Other | Input::Ignore | Input::Word(_) => {
                self.unknown("").await
            }
        }
    }

    async fn tap(&mut self, id: &str) -> anyhow::Result<()> {
        let (verb, arg) = id.split_once(':').unwrap_or((id, ""));
        match verb {
            "menu" => self.menu(arg.parse().unwrap_or(0)).await?,
            "cat" => {
                let (page, name) = arg.split_once(':').unwrap_or(("0", arg));
                self.category(name, page.parse().unwrap_or(0)).await?;
            }
            "add" => {
                if self.add(arg, 1).await? {
                    self.cart_summary();
                }
            }
            "cart" => self.cart_summary(),
            "edit" => self.edit(),
            "rm" => {
                self.state.shop.cart.remove(arg);
                self.cart_summary();
            }
            "clear" => self.clear_cart(),
            "checkout" => return self.checkout().await,
            "ful" => {
                if let Ok(f) = arg.parse::<Fulfilment>() {
                    self.choose_fulfilment(f);
                }
                return self.checkout().await;
            }
            "zone" => {
                if let Ok(uuid) = arg.parse::<uuid::Uuid>()
                    && let Ok(zone) =
                        store::zones::get(&mut *self.tx, self.tenant.id, ZoneId(uuid)).await
                    && zone.is_active
                {
                    self.state.shop.zone = Some(ZoneChoice {
                        id: zone.id,
                        name: zone.name,
                        fee: zone.fee,
                        min_order: zone.min_order,
                    });
                }
                return self.checkout().await;
            }
            "pay" => {
                if let Ok(m) = arg.parse::<PaymentMethod>()
                    && self.settings.payment_methods.contains(&m)
                {
                    self.state.shop.payment = Some(m);
                }
                return self.checkout().await;
            }
            "schedule" => {
                if self.settings.accepts_scheduled
                    && let Availability::Closed {
                        next_open: Some(at),
                    } = self.availability()
                {
                    self.state.shop.scheduled_for = Some(at);
                }
                return self.checkout().await;
            }
            _ => return self.unknown("").await,
        }
        Ok(())
    }

    fn choose_fulfilment(&mut self, f: Fulfilment) {
        let offer = terms(&self.settings, &self.tenant, self.now, true);
        checkout::choose_fulfilment(&mut self.state.shop, &offer, f);
    }

    fn availability(&self) -> Availability {
        self.settings.hours.availability(self.now, self.tenant.tz())
    }

    /// The greeting: the welcome text as a list of the menu's categories,
    /// with the cart and a person below.
    async fn welcome(&mut self) -> anyhow::Result<()> {
        let body = match self.availability() {
            Availability::Closed { next_open } => {
                let hello = self.hello();
                let welcome = self.say.greet(
                    Key::WelcomeShop,
                    &[("hello", &hello), ("business", &self.tenant.business_name)],
                );
                format!("{welcome}\n\n{}", self.closed_text(next_open))
            }
            _ => {
                let hello = self.hello();
                self.say.greet(
                    Key::WelcomeShop,
                    &[("hello", &hello), ("business", &self.tenant.business_name)],
                )
            }
        };
        self.menu_list(body, 0).await
    }

    async fn menu(&mut self, page: usize) -> anyhow::Result<()> {
        let body = self.say.t(Key::MenuBody, &[]);
        self.menu_list(body, page).await
    }

    fn closed_text(&self, next_open: Option<chrono::DateTime<chrono::Utc>>) -> String {
        match next_open {
            Some(at) => {
                let when = self.say.when(at, self.now);
                let key = if self.settings.accepts_scheduled {
                    Key::ClosedSchedule
                } else {
                    Key::Closed
                };
                self.say.t(key, &[("when", &when)])
            }
            None => self.say.t(Key::ClosedIndefinitely, &[]),
        }
    }

    /// Categories that have something to sell, with counts: alphabetical,
    /// products without a category last.
    async fn categories(&mut self) -> anyhow::Result<Vec<(String, usize)>> {
        let mut out: Vec<(String, usize)> =
            store::products::categories(&mut *self.tx, self.tenant.id)
                .await?
                .into_iter()
                .filter(|(_, n)| *n > 0)
                .map(|(name, n)| (name, usize::try_from(n).unwrap_or(0)))
                .collect();
        out.sort_by(|a, b| (a.0.is_empty(), &a.0).cmp(&(b.0.is_empty(), &b.0)));
        Ok(out)
    }

    async fn menu_list(&mut self, body: String, page: usize) -> anyhow::Result<()> {
        let categories = self.categories().await?;
        if categories.is_empty() {
            let body = format!("{body}\n\n{}", self.say.t(Key::MenuEmpty, &[]));
            self.reply(self.say.buttons(body, &[("human", Key::BtnHuman)]));
            return Ok(());
        }
        let mut help = Vec::new();
        if !self.state.shop.cart.is_empty() {
            help.push(row("cart".into(), &self.say.t(Key::BtnMyOrder, &[]), None));
        }
        help.push(row("human".into(), &self.say.t(Key::BtnHuman, &[]), None));
        let room = ROWS - help.len();
        let (shown, more) = paginate(categories.len(), page, room);
        let mut rows: Vec<_> = categories[shown]
            .iter()
            .map(|(name, count)| {
                let title = if name.is_empty() {
                    self.say.t(Key::SectionMenu, &[])
                } else {
                    name.clone()
                };
                row(
                    format!("cat:0:{name}"),
                    &title,
                    Some(
                        self.say
                            .t(Key::MenuRowCount, &[("count", &count.to_string())]),
                    ),
                )
            })
            .collect();
        if more {
            rows.push(self.more_row(format!("menu:{}", page + 1), page + 2));
        }
        let list = self.say.list(
            body,
            Key::MenuButton,
            vec![
                (Some(Key::SectionMenu), rows),
                (Some(Key::SectionHelp), help),
            ],
        );
        self.reply(list);
        Ok(())
    }

    fn more_row(&self, id: String, page_number: usize) -> channels::outbound::Row {
        row(
            id,
            &self.say.t(Key::RowMore, &[]),
            Some(
                self.say
                    .t(Key::RowMoreDesc, &[("page", &page_number.to_string())]),
            ),
        )
    }

    /// One category's products, ten rows a message ("more" pages on).
    async fn category(&mut self, name: &str, page: usize) -> anyhow::Result<()> {
        let listed = store::products::list(
            &mut *self.tx,
            self.tenant.id,
            &ProductFilter {
                // Products without a category are listed under "".
                category: Some(name.to_string()).filter(|n| !n.is_empty()),
                available_only: true,
                ..ProductFilter::default()
            },
        )
        .await?;
        let items: Vec<&Product> = listed
            .iter()
            .filter(|p| sellable(p) && p.category.as_deref().unwrap_or_default() == name)
            .collect();
        if items.is_empty() {
            return self.menu(0).await;
        }
        let (shown, more) = paginate(items.len(), page, ROWS);
        let mut rows: Vec<_> = items[shown]
            .iter()
            .map(|p| {
                let price = self.say.money(p.price);
                let desc = match &p.description {
                    Some(d) if !d.is_empty() => format!("{price} · {d}"),
                    _ => price,
                };
                row(format!("add:{}", p.sku), &p.name, Some(desc))
            })
            .collect();
        if more {
            rows.push(self.more_row(format!("cat:{}:{name}", page + 1), page + 2));
        }
        let title = if name.is_empty() {
            self.say.t(Key::SectionMenu, &[])
        } else {
            name.to_string()
        };
        let body = self.say.t(Key::CategoryBody, &[("category", &title)]);
        let list = self.say.list(body, Key::CategoryButton, vec![(None, rows)]);
        self.reply(list);
        Ok(())
    }

    /// Adds `qty` of `sku` to the cart, as much as can be sold, telling
    /// the customer when it is sold out or only so many are left. The
    /// caller shows the cart afterwards.
    async fn add(&mut self, sku: &str, qty: u32) -> anyhow::Result<bool> {
        let Some(p) = self.product(sku).await? else {
            let body = self.say.t(Key::NotInCatalog, &[]);
            self.reply(self.say.buttons(body, &[("menu", Key::BtnMenu)]));
            return Ok(false);
        };
        let in_cart = self.state.shop.cart.qty_of(&p.sku);
        let wanted = in_cart.saturating_add(qty);
        let mut take = qty;
        if let Some(left) = p.saleable {
            let left = u32::try_from(left.max(0)).unwrap_or(u32::MAX);
            if left == 0 {
                let body = self.say.t(Key::SoldOut, &[("item", &p.name)]);
                self.reply(self.say.text(body));
                return Ok(false);
            }
            if wanted > left {
                let body = self.say.t(
                    Key::OnlyLeft,
                    &[("item", &p.name), ("count", &left.to_string())],
                );
                self.reply(self.say.text(body));
                take = left.saturating_sub(in_cart);
                if take == 0 {
                    return Ok(false);
                }
            }
        }
        let line = CartLine {
            sku: p.sku.clone(),
            name: p.name.clone(),
            qty: take,
            unit_price: p.price,
        };
        Ok(self.state.shop.cart.add(line).is_ok())
    }

    fn cart_lines(&self) -> String {
        self.state
            .shop
            .cart
            .lines
            .iter()
            .map(|l| {
                self.say.t(
                    Key::CartLine,
                    &[
                        ("qty", &l.qty.to_string()),
                        ("item", &l.name),
                        ("amount", &self.say.money(l.total())),
                    ],
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    fn cart_summary(&mut self) {
        if self.state.shop.cart.is_empty() {
            let body = self.say.t(Key::CartEmpty, &[]);
            self.reply(self.say.buttons(body, &[("menu", Key::BtnMenu)]));
            return;
        }
        let lines = self.cart_lines();
        let subtotal = self.say.money(self.state.shop.cart.subtotal());
        let body = self.say.t(
            Key::CartSummary,
            &[("lines", &lines), ("subtotal", &subtotal)],
        );
        self.reply(self.say.buttons(
            body,
            &[
                ("checkout", Key::BtnCheckout),
                ("menu", Key::BtnKeepShopping),
                ("edit", Key::BtnEdit),
            ],
        ));
    }

    fn edit(&mut self) {
        if self.state.shop.cart.is_empty() {
            self.cart_summary();
            return;
        }
        let mut rows: Vec<_> = self
            .state
            .shop
            .cart
            .lines
            .iter()
            .take(ROWS - 1)
            .map(|l| {
                row(
                    format!("rm:{}", l.sku),
                    &format!("{} × {}", l.qty, l.name),
                    Some(self.say.t(Key::RowRemoveDesc, &[])),
                )
            })
            .collect();
        rows.push(row("clear".into(), &self.say.t(Key::RowClear, &[]), None));
        let body = self.say.t(Key::EditBody, &[]);
        let list = self.say.list(body, Key::EditButton, vec![(None, rows)]);
        self.reply(list);
    }

    fn clear_cart(&mut self) {
        self.state.shop.finish_checkout();
        let body = self.say.t(Key::CartCleared, &[]);
        self.reply(self.say.buttons(body, &[("menu", Key::BtnMenu)]));
    }

    async fn unknown(&mut self, words: &str) -> anyhow::Result<()> {
        let body = self.say.t(Key::Unknown, &[]);
        let answer = if self.state.shop.cart.is_empty() {
            self.say
                .buttons(body, &[("menu", Key::BtnMenu), ("human", Key::BtnHuman)])
        } else {
            self.say.buttons(
                body,
                &[
                    ("menu", Key::BtnMenu),
                    ("cart", Key::BtnMyOrder),
                    ("human", Key::BtnHuman),
                ],
            )
        };
        self.not_understood(words, answer).await
    }

    /// Asks for the first thing the order still needs, or places it.
    async fn checkout(&mut self) -> anyhow::Result<()> {
        let offer = terms(&self.settings, &self.tenant, self.now, true);
        checkout::settle(&mut self.state.shop, &offer);
        let mut need = checkout::missing(&self.state.shop, &offer);
        let mut zones = Vec::new();
        if need == Some(Missing::Zone) {
            zones = store::zones::list(&mut *self.tx, self.tenant.id, true).await?;
            if zones.is_empty() {
                // Nothing to choose: delivery without a zone or fee.
                let offer = terms(&self.settings, &self.tenant, self.now, false);
                need = checkout::missing(&self.state.shop, &offer);
            }
        }
        let Some(need) = need else {
            return self.place().await;
        };
        match need {
            Missing::Items => {
                self.state.shop.step = ShopStep::Idle;
                self.cart_summary();
            }
            Missing::Opening {
                next_open,
                can_schedule,
            } => {
                let body = self.closed_text(next_open);
                if can_schedule {
                    self.state.shop.step = ShopStep::Schedule;
                    self.reply(self.say.buttons(
                        body,
                        &[("schedule", Key::BtnSchedule), ("edit", Key::BtnEdit)],
                    ));
                } else {
                    self.state.shop.step = ShopStep::Idle;
                    self.reply(self.say.text(body));
                }
            }
            Missing::Fulfilment => {
                self.state.shop.step = ShopStep::Fulfilment;
                let body = self.say.t(Key::AskFulfilment, &[]);
                self.reply(self.say.buttons(
                    body,
                    &[
                        ("ful:delivery", Key::BtnDelivery),
                        ("ful:pickup", Key::BtnPickup),
                    ],
                ));
            }
            Missing::Zone => {
                self.state.shop.step = ShopStep::Zone;
                let rows = zones
                    .iter()
                    .take(ROWS)
                    .map(|z| {
                        let fee = self.say.money(z.fee);
                        let desc = if z.min_order > 0 {
                            self.say.t(
                                Key::ZoneRowMin,
                                &[("fee", &fee), ("min", &self.say.money(z.min_order))],
                            )
                        } else {
                            self.say.t(Key::ZoneRow, &[("fee", &fee)])
                        };
                        row(format!("zone:{}", z.id.0), &z.name, Some(desc))
                    })
                    .collect();
                let body = self.say.t(Key::ZonesBody, &[]);
                let list = self.say.list(body, Key::ZonesButton, vec![(None, rows)]);
                self.reply(list);
            }
            Missing::ZoneMinimum { short_by } => {
                let (zone, min) = self
                    .state
                    .shop
                    .zone
                    .take()
                    .map(|z| (z.name, z.min_order))
                    .unwrap_or_default();
                let body = self.say.t(
                    Key::BelowMinimum,
                    &[
                        ("zone", &zone),
                        ("min", &self.say.money(min)),
                        ("missing", &self.say.money(short_by)),
                    ],
                );
                self.state.shop.step = ShopStep::Idle;
                let mut buttons = vec![("menu", Key::BtnKeepShopping)];
                if self.settings.offers_pickup {
                    buttons.push(("ful:pickup", Key::BtnPickup));
                }
                self.reply(self.say.buttons(body, &buttons));
            }
            Missing::Address => {
                self.state.shop.step = ShopStep::Address;
                let body = self.say.t(Key::AskAddress, &[]);
                self.reply(self.say.text(body));
            }
            Missing::Payment(methods) => {
                self.state.shop.step = ShopStep::Payment;
                let ids: Vec<String> = methods
                    .iter()
                    .map(|m| format!("pay:{}", m.as_str()))
                    .collect();
                let buttons: Vec<(&str, Key)> = methods
                    .iter()
                    .zip(&ids)
                    .map(|(m, id)| (id.as_str(), pay_key(*m)))
                    .collect();
                let body = self.say.t(Key::AskPayment, &[]);
                if buttons.len() <= 3 {
                    self.reply(self.say.buttons(body, &buttons));
                } else {
                    let rows = buttons
                        .iter()
                        .map(|(id, key)| row((*id).to_string(), &self.say.t(*key, &[]), None))
                        .collect();
                    let list = self.say.list(body, Key::AskPayment, vec![(None, rows)]);
                    self.reply(list);
                }
            }
        }
        Ok(())
    }

    /// Creates the order, its lines and its stock reservation; if the
    /// stock is gone meanwhile, undoes all three and says what is missing.
    async fn place(&mut self) -> anyhow::Result<()> {
        let fee = checkout::fee(&self.state.shop);
        let subtotal = self.state.shop.cart.subtotal();
        let amount = total(subtotal, fee);
        // The cart's products by sku, for the order lines' links.
        let skus: Vec<String> = self
            .state
            .shop
            .cart
            .lines
            .iter()
            .map(|l| l.sku.clone())
            .collect();
        let products = store::products::by_skus(&mut *self.tx, self.tenant.id, &skus).await?;
        let items: Vec<NewItem> = self
            .state
            .shop
            .cart
            .lines
            .iter()
            .map(|l| NewItem {
                product_id: products.iter().find(|p| p.sku == l.sku).map(|p| p.id),
                sku: l.sku.clone(),
                name: l.name.clone(),
                quantity: i64::from(l.qty),
                unit_price: l.unit_price,
            })
            .collect();
        store::savepoint::savepoint(&mut *self.tx, "place_order").await?;
        let order = store::orders::insert(
            &mut *self.tx,
            self.tenant.id,
            &NewOrder {
                customer_id: self.customer.id,
                quantity: i32::try_from(self.state.shop.cart.item_count().max(1))
                    .unwrap_or(i32::MAX),
                price: amount,
                currency: self.tenant.currency,
                source: Source::Whatsapp,
                wa_thread_id: self.customer.wa_id.clone(),
                fulfilment: self.state.shop.fulfilment,
                delivery_zone: self.state.shop.zone.as_ref().map(|z| z.name.clone()),
                delivery_fee: fee,
                delivery_address: self.state.shop.address.clone(),
                payment_method: self.state.shop.payment.map(|m| m.as_str().to_string()),
                scheduled_for: self.state.shop.scheduled_for,
                ..NewOrder::default()
            },
        )
        .await?;
        store::orders::add_items(&mut *self.tx, self.tenant.id, order.id, &items).await?;
        match store::inventory::reserve(&mut *self.tx, self.tenant.id, order.id, None).await {
            Ok(()) => {}
            Err(StockError::Insufficient { sku, saleable }) => {
                store::savepoint::rollback_to(&mut *self.tx, "place_order").await?;
                let name = self
                    .state
                    .shop
                    .cart
                    .lines
                    .iter()
                    .find(|l| l.sku == sku)
                    .map_or_else(|| sku.clone(), |l| l.name.clone());
                let left = u32::try_from(saleable.max(0)).unwrap_or(0);
                let body = if left == 0 {
                    self.say.t(Key::SoldOut, &[("item", &name)])
                } else {
                    self.say.t(
                        Key::OnlyLeft,
                        &[("item", &name), ("count", &left.to_string())],
                    )
                };
                self.reply(self.say.text(body));
                self.state.shop.cart.set_qty(&sku, left);
                self.state.shop.step = ShopStep::Idle;
                self.cart_summary();
                return Ok(());
            }
            Err(e) => return Err(e).context("reserving stock"),
        }
        store::savepoint::release_savepoint(&mut *self.tx, "place_order").await?;
        if self.confirm(order.id, &order.order_ref, fee, amount) == Promised::TransferDetails {
            let words = format!("{} {}", order.order_ref, self.say.money(amount));
            self.needs_person(Attention::TransferDetails, &words)
                .await?;
        }
        self.request_payment(&order, amount).await?;
        self.state.shop.finish_checkout();
        Ok(())
    }

    /// Confirms the placed order and says how to pay; returns what that
    /// answer promised a person would do.
    fn confirm(&mut self, order: OrderId, order_ref: &str, fee: i64, amount: i64) -> Promised {
        let lines = self.cart_lines();
        let mut extra = String::new();
        if let Some(zone) = &self.state.shop.zone
            && self.state.shop.fulfilment == Some(Fulfilment::Delivery)
        {
            extra.push_str(&self.say.t(
                Key::FeeLine,
                &[("zone", &zone.name), ("fee", &self.say.money(fee))],
            ));
            extra.push('\n');
        }
        let mut fulfilment = match self.state.shop.fulfilment {
            Some(Fulfilment::Delivery) => self.say.t(
                Key::FulfilDelivery,
                &[(
                    "address",
                    self.state.shop.address.as_deref().unwrap_or_default(),
                )],
            ),
            _ => self.say.t(
                Key::FulfilPickup,
                &[("business", &self.tenant.business_name)],
            ),
        };
        if let Some(at) = self.state.shop.scheduled_for {
            fulfilment.push('\n');
            fulfilment.push_str(
                &self
                    .say
                    .t(Key::ScheduledFor, &[("when", &self.say.when(at, self.now))]),
            );
        }
        let total_text = self.say.money(amount);
        let body = self.say.t(
            Key::OrderPlaced,
            &[
                ("ref", order_ref),
                ("lines", &lines),
                ("extra", &extra),
                ("total", &total_text),
                ("fulfilment", &fulfilment),
            ],
        );
        self.reply_for(self.say.text(body), order);
        let mut promised = Promised::Nothing;
        let pay = match self.state.shop.payment {
            Some(PaymentMethod::Transfer) => match self.settings.bank_details.as_deref() {
                Some(bank) if !bank.trim().is_empty() => self
                    .say
                    .t(Key::PayTransfer, &[("total", &total_text), ("bank", bank)]),
                _ => {
                    promised = Promised::TransferDetails;
                    self.say.t(Key::PayTransferLater, &[])
                }
            },
            Some(PaymentMethod::Cash) => self.say.t(Key::PayCash, &[("total", &total_text)]),
            Some(PaymentMethod::Card | PaymentMethod::Mpesa) => {
                self.say.t(Key::PayLinkLater, &[("total", &total_text)])
            }
            None => return promised,
        };
        self.reply_for(self.say.text(pay), order);
        promised
    }
}

impl Convo<'_> {
    /// Card and M-PESA orders get their link or push straight away, through
    /// the business's provider for that method (transfer and cash are
    /// confirmed by staff).
    async fn request_payment(
        &mut self,
        order: &store::orders::Order,
        amount: i64,
    ) -> anyhow::Result<()> {
        let Some(pay) = self.pay.clone() else {
            return Ok(());
        };
        let provider = match self.state.shop.payment {
            Some(PaymentMethod::Mpesa) => {
                store::payments::provider(&mut *self.tx, self.tenant.id, "mpesa")
                    .await?
                    .filter(|r| r.is_active)
                    .map(|r| r.provider)
                    // The demo has no Daraja: its sandbox checkout stands in.
                    .or_else(|| pay.sandbox_secret.is_some().then(|| "sandbox".to_string()))
            }
            Some(PaymentMethod::Card) => {
                let rows = store::payments::providers(&mut *self.tx, self.tenant.id).await?;
                rows.into_iter()
                    .find(|r| r.is_active && r.provider != "mpesa")
                    .map(|r| r.provider)
                    .or_else(|| pay.sandbox_secret.is_some().then(|| "sandbox".to_string()))
            }
            _ => None,
        };
        // Nothing asks a provider for zero: a free cart needs no payment.
        if let Some(provider) = provider
            && amount > 0
        {
            crate::pay::request(
                self.tx,
                &pay,
                self.now,
                self.tenant.id,
                order,
                "full",
                amount,
                &provider,
            )
            .await?;
        }
        Ok(())
    }
}

/// What the business offers a checkout now.
fn terms<'a>(
    settings: &'a Settings,
    tenant: &Tenant,
    now: DateTime<Utc>,
    has_zones: bool,
) -> Terms<'a> {
    Terms {
        now,
        availability: settings.hours.availability(now, tenant.tz()),
        accepts_scheduled: settings.accepts_scheduled,
        offers_delivery: settings.offers_delivery,
        offers_pickup: settings.offers_pickup,
        payment_methods: &settings.payment_methods,
        has_zones,
    }
}

/// What an order confirmation promised a person would do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Promised {
    Nothing,
    /// Send the transfer details the business has not set up.
    TransferDetails,
}

/// Whether a product can be offered now: made to order, or some left.
fn sellable(p: &Product) -> bool {
    p.is_available && p.saleable.is_none_or(|s| s > 0)
}

/// The slice of `len` items on `page` when a page holds `room` rows, and
/// whether a "more" row follows (it takes one of the rows).
fn paginate(len: usize, page: usize, room: usize) -> (std::ops::Range<usize>, bool) {
    if len <= room && page == 0 {
        return (0..len, false);
    }
    let per = room.saturating_sub(1).max(1);
    let start = (page * per).min(len);
    let end = (start + per).min(len);
    // The last page may use the row the "more" link would take.
    if len - start <= room {
        return (start..len, false);
    }
    (start..end, end < len)
}

fn payment_method(m: nlu::PaymentMethod) -> PaymentMethod {
    match m {
        nlu::PaymentMethod::Transfer => PaymentMethod::Transfer,
        nlu::PaymentMethod::Cash => PaymentMethod::Cash,
        nlu::PaymentMethod::Card => PaymentMethod::Card,
        nlu::PaymentMethod::Mpesa => PaymentMethod::Mpesa,
    }
}

fn pay_key(m: PaymentMethod) -> Key {
    match m {
        PaymentMethod::Transfer => Key::BtnPayTransfer,
        PaymentMethod::Cash => Key::BtnPayCash,
        PaymentMethod::Card => Key::BtnPayCard,
        PaymentMethod::Mpesa => Key::BtnPayMpesa,
    }
}

#[cfg(test)]
mod tests {
    use super::paginate;

    #[test]
    fn pages_fit_ten_rows_with_a_more_link() {
        assert_eq!(paginate(10, 0, 10), (0..10, false));
        assert_eq!(paginate(11, 0, 10), (0..9, true));
        assert_eq!(paginate(11, 1, 10), (9..11, false));
        assert_eq!(paginate(25, 1, 10), (9..18, true));
        assert_eq!(paginate(25, 2, 10), (18..25, false));
        assert_eq!(paginate(3, 5, 10), (3..3, false));
    }
}
