//! Shops and restaurants: menu (list messages by category, paged), cart (by
//! tapping or typing), then checkout: delivery or pickup, zone (fee and
//! minimum), address or location pin, payment method, and the order placed
//! with its stock reserved in the same transaction. Closed hours refuse
//! politely with the next opening time, or offer to schedule.
//!
//! Every checkout answer sets one field and calls [`Convo::advance`], which
//! asks for the first thing still missing; stale taps on old buttons are
//! therefore harmless.

use super::say::row;
use super::session::{Step, ZoneChoice};
use super::{Convo, Input};
use anyhow::Context as _;
use domain::commerce::{CartLine, ZoneTerms, shortfall, total};
use domain::hours::Availability;
use domain::order::{Fulfilment, PaymentMethod, Source};
use domain::text::Key;
use domain::{OrderId, ZoneId};
use nlu::Intent;
use store::inventory::StockError;
use store::orders::{NewItem, NewOrder};
use store::products::Product;

/// Rows a list message holds (Meta's limit).
const ROWS: usize = 10;

impl Convo<'_> {
    pub(super) async fn shop(&mut self, input: Input, restart: bool) -> anyhow::Result<()> {
        if restart {
            self.state.step = Step::Idle;
            match &input {
                Input::Said(u, _) if u.intent == Intent::MenuRequest => self.menu(0),
                _ => self.welcome(),
            }
            return Ok(());
        }
        match input {
            Input::Tap(id) => self.tap(&id).await,
            Input::CatalogOrder(items) => {
                self.state.cart.clear();
                for (sku, qty) in items {
                    self.add(&sku, qty);
                }
                self.checkout().await
            }
            Input::Location(place) => {
                if self.state.step == Step::Address
                    || self.state.fulfilment == Some(Fulfilment::Delivery)
                {
                    self.state.address = Some(place);
                    self.checkout().await
                } else {
                    self.state.address = Some(place);
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
                        self.state.payment = Some(m);
                    }
                }
                if !items.is_empty() {
                    for item in &items {
                        self.add(&item.sku, item.qty.max(1));
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
                    Intent::CancelOrder if !self.state.cart.is_empty() && u.order_ref.is_none() => {
                        self.clear_cart();
                        Ok(())
                    }
                    Intent::CancelOrder => self.cancel(u.order_ref.as_deref()).await,
                    _ if self.state.step == Step::Address && text.trim().chars().count() >= 4 => {
                        self.state.address = Some(text.trim().to_string());
                        self.checkout().await
                    }
                    _ if u.fulfilment.is_some()
                        || (u.payment_method.is_some() && self.state.step == Step::Payment) =>
                    {
                        self.checkout().await
                    }
                    _ => self.unknown(&text).await,
                }
            }
            Input::Date(_, text) if self.state.step == Step::Address => {
                self.state.address = Some(text.trim().to_string());
                self.checkout().await
            }
            Input::Date(_, text) => self.unknown(&text).await,
            Input::Media | Input::Other | Input::Ignore | Input::Word(_) => self.unknown("").await,
        }
    }

    async fn tap(&mut self, id: &str) -> anyhow::Result<()> {
        let (verb, arg) = id.split_once(':').unwrap_or((id, ""));
        match verb {
            "menu" => self.menu(arg.parse().unwrap_or(0)),
            "cat" => {
                let (page, name) = arg.split_once(':').unwrap_or(("0", arg));
                self.category(name, page.parse().unwrap_or(0));
            }
            "add" => {
                if self.add(arg, 1) {
                    self.cart_summary();
                }
            }
            "cart" => self.cart_summary(),
            "edit" => self.edit(),
            "rm" => {
                self.state.cart.remove(arg);
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
                    self.state.zone = Some(ZoneChoice {
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
                    self.state.payment = Some(m);
                }
                return self.checkout().await;
            }
            "schedule" => {
                if self.settings.accepts_scheduled
                    && let Availability::Closed {
                        next_open: Some(at),
                    } = self.availability()
                {
                    self.state.scheduled_for = Some(at);
                }
                return self.checkout().await;
            }
            _ => return self.unknown("").await,
        }
        Ok(())
    }

    fn choose_fulfilment(&mut self, f: Fulfilment) {
        let offered = match f {
            Fulfilment::Delivery => self.settings.offers_delivery,
            Fulfilment::Pickup => self.settings.offers_pickup,
        };
        if offered {
            self.state.fulfilment = Some(f);
            if f == Fulfilment::Pickup {
                self.state.zone = None;
                self.state.address = None;
            }
        }
    }

    fn availability(&self) -> Availability {
        self.settings.hours.availability(self.now, self.tenant.tz())
    }

    /// The greeting: the welcome text as a list of the menu's categories,
    /// with the cart and a person below.
    fn welcome(&mut self) {
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
        self.menu_list(body, 0);
    }

    fn menu(&mut self, page: usize) {
        let body = self.say.t(Key::MenuBody, &[]);
        self.menu_list(body, page);
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

    /// Categories that have something to sell, in menu order, with counts.
    fn categories(&self) -> Vec<(String, usize)> {
        let mut out: Vec<(String, usize)> = Vec::new();
        for p in self.products.iter().filter(|p| sellable(p)) {
            let c = p.category.clone().unwrap_or_default();
            match out.iter_mut().find(|(name, _)| *name == c) {
                Some((_, n)) => *n += 1,
                None => out.push((c, 1)),
            }
        }
        out
    }

    fn menu_list(&mut self, body: String, page: usize) {
        let categories = self.categories();
        if categories.is_empty() {
            let body = format!("{body}\n\n{}", self.say.t(Key::MenuEmpty, &[]));
            self.reply(self.say.buttons(body, &[("human", Key::BtnHuman)]));
            return;
        }
        let mut help = Vec::new();
        if !self.state.cart.is_empty() {
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
    fn category(&mut self, name: &str, page: usize) {
        let items: Vec<&Product> = self
            .products
            .iter()
            .filter(|p| sellable(p) && p.category.as_deref().unwrap_or_default() == name)
            .collect();
        if items.is_empty() {
            self.menu(0);
            return;
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
    }

    /// Adds `qty` of `sku` to the cart, as much as can be sold, telling
    /// the customer when it is sold out or only so many are left. The
    /// caller shows the cart afterwards.
    fn add(&mut self, sku: &str, qty: u32) -> bool {
        let Some(p) = self.products.iter().find(|p| p.sku == sku).cloned() else {
            let body = self.say.t(Key::NotInCatalog, &[]);
            self.reply(self.say.buttons(body, &[("menu", Key::BtnMenu)]));
            return false;
        };
        let in_cart = self.state.cart.qty_of(&p.sku);
        let wanted = in_cart.saturating_add(qty);
        let mut take = qty;
        if let Some(left) = p.saleable {
            let left = u32::try_from(left.max(0)).unwrap_or(u32::MAX);
            if left == 0 {
                let body = self.say.t(Key::SoldOut, &[("item", &p.name)]);
                self.reply(self.say.text(body));
                return false;
            }
            if wanted > left {
                let body = self.say.t(
                    Key::OnlyLeft,
                    &[("item", &p.name), ("count", &left.to_string())],
                );
                self.reply(self.say.text(body));
                take = left.saturating_sub(in_cart);
                if take == 0 {
                    return false;
                }
            }
        }
        let line = CartLine {
            sku: p.sku.clone(),
            name: p.name.clone(),
            qty: take,
            unit_price: p.price,
        };
        self.state.cart.add(line).is_ok()
    }

    fn cart_lines(&self) -> String {
        self.state
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
        if self.state.cart.is_empty() {
            let body = self.say.t(Key::CartEmpty, &[]);
            self.reply(self.say.buttons(body, &[("menu", Key::BtnMenu)]));
            return;
        }
        let lines = self.cart_lines();
        let subtotal = self.say.money(self.state.cart.subtotal());
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
        if self.state.cart.is_empty() {
            self.cart_summary();
            return;
        }
        let mut rows: Vec<_> = self
            .state
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
        self.state.finish_checkout();
        let body = self.say.t(Key::CartCleared, &[]);
        self.reply(self.say.buttons(body, &[("menu", Key::BtnMenu)]));
    }

    async fn unknown(&mut self, words: &str) -> anyhow::Result<()> {
        let body = self.say.t(Key::Unknown, &[]);
        let answer = if self.state.cart.is_empty() {
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
        if self.state.cart.is_empty() {
            self.state.step = Step::Idle;
            self.cart_summary();
            return Ok(());
        }
        if self.state.scheduled_for.is_some_and(|at| at <= self.now) {
            self.state.scheduled_for = None;
        }
        if self.state.scheduled_for.is_none()
            && let Availability::Closed { next_open } = self.availability()
        {
            let body = self.closed_text(next_open);
            if self.settings.accepts_scheduled && next_open.is_some() {
                self.state.step = Step::Schedule;
                self.reply(self.say.buttons(
                    body,
                    &[("schedule", Key::BtnSchedule), ("edit", Key::BtnEdit)],
                ));
            } else {
                self.state.step = Step::Idle;
                self.reply(self.say.text(body));
            }
            return Ok(());
        }
        if self.state.fulfilment.is_none() {
            match (self.settings.offers_delivery, self.settings.offers_pickup) {
                (true, true) => {
                    self.state.step = Step::Fulfilment;
                    let body = self.say.t(Key::AskFulfilment, &[]);
                    self.reply(self.say.buttons(
                        body,
                        &[
                            ("ful:delivery", Key::BtnDelivery),
                            ("ful:pickup", Key::BtnPickup),
                        ],
                    ));
                    return Ok(());
                }
                (true, false) => self.state.fulfilment = Some(Fulfilment::Delivery),
                _ => self.state.fulfilment = Some(Fulfilment::Pickup),
            }
        }
        let subtotal = self.state.cart.subtotal();
        if self.state.fulfilment == Some(Fulfilment::Delivery) {
            if self.state.zone.is_none() {
                let zones = store::zones::list(&mut *self.tx, self.tenant.id, true).await?;
                if !zones.is_empty() {
                    self.state.step = Step::Zone;
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
                    return Ok(());
                }
            }
            if let Some(zone) = &self.state.zone
                && let Some(missing) = shortfall(
                    subtotal,
                    &ZoneTerms {
                        fee: zone.fee,
                        min_order: zone.min_order,
                    },
                )
            {
                let body = self.say.t(
                    Key::BelowMinimum,
                    &[
                        ("zone", &zone.name),
                        ("min", &self.say.money(zone.min_order)),
                        ("missing", &self.say.money(missing)),
                    ],
                );
                self.state.zone = None;
                self.state.step = Step::Idle;
                let mut buttons = vec![("menu", Key::BtnKeepShopping)];
                if self.settings.offers_pickup {
                    buttons.push(("ful:pickup", Key::BtnPickup));
                }
                self.reply(self.say.buttons(body, &buttons));
                return Ok(());
            }
            if self.state.address.is_none() {
                self.state.step = Step::Address;
                let body = self.say.t(Key::AskAddress, &[]);
                self.reply(self.say.text(body));
                return Ok(());
            }
        }
        if self.state.payment.is_none() {
            let methods = self.settings.payment_methods.clone();
            match methods.as_slice() {
                [] => {}
                [only] => self.state.payment = Some(*only),
                many => {
                    self.state.step = Step::Payment;
                    let ids: Vec<String> =
                        many.iter().map(|m| format!("pay:{}", m.as_str())).collect();
                    let buttons: Vec<(&str, Key)> = many
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
                    return Ok(());
                }
            }
        }
        self.place().await
    }

    /// Creates the order, its lines and its stock reservation; if the
    /// stock is gone meanwhile, undoes all three and says what is missing.
    async fn place(&mut self) -> anyhow::Result<()> {
        let fee = match self.state.fulfilment {
            Some(Fulfilment::Delivery) => self.state.zone.as_ref().map_or(0, |z| z.fee),
            _ => 0,
        };
        let subtotal = self.state.cart.subtotal();
        let amount = total(subtotal, fee);
        let items: Vec<NewItem> = self
            .state
            .cart
            .lines
            .iter()
            .map(|l| NewItem {
                product_id: self.products.iter().find(|p| p.sku == l.sku).map(|p| p.id),
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
                quantity: i32::try_from(self.state.cart.item_count().max(1)).unwrap_or(i32::MAX),
                price: amount,
                currency: self.tenant.currency.code().to_string(),
                source: Source::Whatsapp,
                wa_thread_id: self.customer.wa_id.clone(),
                fulfilment: self.state.fulfilment,
                delivery_zone: self.state.zone.as_ref().map(|z| z.name.clone()),
                delivery_fee: fee,
                delivery_address: self.state.address.clone(),
                payment_method: self.state.payment.map(|m| m.as_str().to_string()),
                scheduled_for: self.state.scheduled_for,
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
                self.state.cart.set_qty(&sku, left);
                self.state.step = Step::Idle;
                self.cart_summary();
                return Ok(());
            }
            Err(e) => return Err(e).context("reserving stock"),
        }
        store::savepoint::release_savepoint(&mut *self.tx, "place_order").await?;
        self.confirm(order.id, &order.order_ref, fee, amount);
        self.request_payment(&order, amount).await?;
        self.state.finish_checkout();
        Ok(())
    }

    fn confirm(&mut self, order: OrderId, order_ref: &str, fee: i64, amount: i64) {
        let lines = self.cart_lines();
        let mut extra = String::new();
        if let Some(zone) = &self.state.zone
            && self.state.fulfilment == Some(Fulfilment::Delivery)
        {
            extra.push_str(&self.say.t(
                Key::FeeLine,
                &[("zone", &zone.name), ("fee", &self.say.money(fee))],
            ));
            extra.push('\n');
        }
        let mut fulfilment = match self.state.fulfilment {
            Some(Fulfilment::Delivery) => self.say.t(
                Key::FulfilDelivery,
                &[("address", self.state.address.as_deref().unwrap_or_default())],
            ),
            _ => self.say.t(
                Key::FulfilPickup,
                &[("business", &self.tenant.business_name)],
            ),
        };
        if let Some(at) = self.state.scheduled_for {
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
        let pay = match self.state.payment {
            Some(PaymentMethod::Transfer) => match self.settings.bank_details.as_deref() {
                Some(bank) if !bank.trim().is_empty() => self
                    .say
                    .t(Key::PayTransfer, &[("total", &total_text), ("bank", bank)]),
                _ => self.say.t(Key::PayTransferLater, &[]),
            },
            Some(PaymentMethod::Cash) => self.say.t(Key::PayCash, &[("total", &total_text)]),
            Some(PaymentMethod::Card | PaymentMethod::Mpesa) => {
                self.say.t(Key::PayLinkLater, &[("total", &total_text)])
            }
            None => return,
        };
        self.reply_for(self.say.text(pay), order);
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
        let provider = match self.state.payment {
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
