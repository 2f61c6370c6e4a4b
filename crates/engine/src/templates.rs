//! Sokoni's standard WhatsApp message templates, and keeping a business's
//! template rows in step with Meta (protocols.md §1.9).
//!
//! - [`STANDARD`]: one template per purpose that may go outside the 24-hour
//!   window ([`Purpose::template`]), with its Meta category and parameters;
//!   [`body`] is the catalog of their bodies in `en`, `es` (Rioplatense) and
//!   `sw`: the only customer-facing text of this module.
//! - [`sync`]: every WhatsApp Business Account of the business's numbers is
//!   listed from Meta and its rows upserted.
//! - [`submit`]: the standard templates not stored yet, in each language the
//!   business speaks (its locale's and `en`), are submitted and stored
//!   `pending` (or what Meta answered). A sandbox account approves at once,
//!   without any HTTP.
//! - [`apply_status`]: a `message_template_status_update` webhook change.

use crate::services::{Services, TokenError};
use channels::inbound::TemplateStatus;
use channels::{NewTemplate, RemoteTemplate, Submitted, TemplateError};
use chrono::{DateTime, Utc};
use domain::TenantId;
use domain::outbound::{Category, Purpose};
use std::collections::{BTreeMap, HashSet};
use store::templates::Upsert;
use store::wa::Number;
use store::{Ex, StoreError, StoreResult};

/// The account id sandbox numbers without a `waba_id` share.
pub const SANDBOX_WABA: &str = "sandbox";

/// The languages the catalog has bodies in.
pub const LANGUAGES: [&str; 3] = ["en", "es", "sw"];

/// One standard template.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Standard {
    /// The purpose whose fallback it is.
    pub purpose: Purpose,
    pub name: &'static str,
    pub category: Category,
    /// What `{{1}}`, `{{2}}`… are, for Meta's review (`example.body_text`).
    pub examples: &'static [&'static str],
}

impl Standard {
    pub fn params(&self) -> usize {
        self.examples.len()
    }
}

/// The standard templates, one per purpose that declares one. The
/// parameters are the ones the senders give (`template_params`):
/// payment_reminder: order ref, amount, link; payment_receipt: amount, order
/// ref, balance; order_update: order ref, the notice; staff_alert: none;
/// reengagement and birthday_offer: customer, business; loyalty_offer:
/// customer, a suggestion, business.
pub const STANDARD: [Standard; 7] = [
    Standard {
        purpose: Purpose::PaymentReminder,
        name: "payment_reminder",
        category: Category::Utility,
        examples: &["SEW-0042", "₦15,000.00", "https://pay.example.com/abc"],
    },
    Standard {
        purpose: Purpose::Receipt,
        name: "payment_receipt",
        category: Category::Utility,
        examples: &["₦15,000.00", "SEW-0042", "₦5,000.00"],
    },
    Standard {
        purpose: Purpose::StageNotice,
        name: "order_update",
        category: Category::Utility,
        examples: &["SEW-0042", "Your order SEW-0042 is ready for pickup."],
    },
    Standard {
        purpose: Purpose::StaffAlert,
        name: "staff_alert",
        category: Category::Utility,
        examples: &[],
    },
    Standard {
        purpose: Purpose::Reengagement,
        name: "reengagement",
        category: Category::Marketing,
        examples: &["Ada", "Funmi Couture"],
    },
    Standard {
        purpose: Purpose::BirthdayOffer,
        name: "birthday_offer",
        category: Category::Marketing,
        examples: &["Ada", "Funmi Couture"],
    },
    Standard {
        purpose: Purpose::LoyaltyOffer,
        name: "loyalty_offer",
        category: Category::Marketing,
        examples: &["Ada", "an ankara wrap dress", "Funmi Couture"],
    },
];

/// The body of standard template `name` in `language` (the catalog).
pub fn body(name: &str, language: &str) -> Option<&'static str> {
    Some(match (name, language) {
        ("payment_reminder", "en") => {
            "Hello! Order {{1}} has {{2}} left to pay. You can pay securely here: {{3}} Thank you."
        }
        ("payment_reminder", "es") => {
            "¡Hola! Tu pedido {{1}} tiene {{2}} pendiente de pago. Podés pagar de forma segura acá: {{3}} ¡Gracias!"
        }
        ("payment_reminder", "sw") => {
            "Habari! Oda {{1}} ina {{2}} inayodaiwa. Unaweza kulipa kwa usalama hapa: {{3}} Asante."
        }
        ("payment_receipt", "en") => {
            "Payment received: {{1}} for order {{2}}. Balance still due: {{3}}. Thank you!"
        }
        ("payment_receipt", "es") => {
            "Recibimos tu pago de {{1}} para el pedido {{2}}. Saldo pendiente: {{3}}. ¡Gracias!"
        }
        ("payment_receipt", "sw") => {
            "Tumepokea malipo yako ya {{1}} kwa oda {{2}}. Salio linalodaiwa: {{3}}. Asante!"
        }
        ("order_update", "en") => "Update on your order {{1}}: {{2}} Thank you for your order.",
        ("order_update", "es") => "Novedades de tu pedido {{1}}: {{2}} ¡Gracias por tu compra!",
        ("order_update", "sw") => "Taarifa kuhusu oda yako {{1}}: {{2}} Asante kwa oda yako.",
        ("staff_alert", "en") => {
            "Something at your business needs your attention on Sokoni. Reply to this message or open your dashboard to see it."
        }
        ("staff_alert", "es") => {
            "Hay algo en tu negocio que necesita tu atención en Sokoni. Respondé este mensaje o entrá al panel para verlo."
        }
        ("staff_alert", "sw") => {
            "Kuna jambo katika biashara yako linalohitaji umakini wako kwenye Sokoni. Jibu ujumbe huu au fungua dashibodi yako kuliona."
        }
        ("reengagement", "en") => {
            "Hi {{1}}, we miss you at {{2}}! Reply to this message to see what is new or to place an order."
        }
        ("reengagement", "es") => {
            "¡Hola {{1}}! Te extrañamos en {{2}}. Respondé este mensaje para ver las novedades o hacer un pedido."
        }
        ("reengagement", "sw") => {
            "Habari {{1}}, tumekukumbuka hapa {{2}}! Jibu ujumbe huu kuona kilicho kipya au kuweka oda."
        }
        ("birthday_offer", "en") => {
            "Happy birthday, {{1}}! Everyone at {{2}} wishes you a wonderful day. Reply to this message to see your birthday offer."
        }
        ("birthday_offer", "es") => {
            "¡Feliz cumpleaños, {{1}}! Todo el equipo de {{2}} te desea un día hermoso. Respondé este mensaje para conocer tu regalo de cumpleaños."
        }
        ("birthday_offer", "sw") => {
            "Heri ya siku ya kuzaliwa, {{1}}! Sote hapa {{2}} tunakutakia siku njema. Jibu ujumbe huu kuona zawadi yako ya siku ya kuzaliwa."
        }
        ("loyalty_offer", "en") => {
            "Hi {{1}}, thank you for being a loyal customer! From your past orders we think you will love {{2}}. Reply to this message and the team at {{3}} will tell you more."
        }
        ("loyalty_offer", "es") => {
            "¡Hola {{1}}! Gracias por elegirnos siempre. Por tus pedidos anteriores, creemos que te va a encantar {{2}}. Respondé este mensaje y el equipo de {{3}} te cuenta más."
        }
        ("loyalty_offer", "sw") => {
            "Habari {{1}}, asante kwa kuwa mteja wetu mwaminifu! Kutokana na oda zako zilizopita, tunadhani utapenda {{2}}. Jibu ujumbe huu na timu ya {{3}} itakueleza zaidi."
        }
        _ => return None,
    })
}

/// The standard template of `purpose`, when it declares one.
pub fn standard_for(purpose: Purpose) -> Option<&'static Standard> {
    STANDARD.iter().find(|s| s.purpose == purpose)
}

/// Our status for one Meta reports (`APPROVED` → `approved`, …); `None`
/// for a report that says nothing about whether it may be sent (`FLAGGED`,
/// `LOCKED`, `UNLOCKED`, `UNARCHIVED`, an event we do not know): the row
/// stays as it is until the next sync.
pub fn status_of(meta: &str) -> Option<&'static str> {
    Some(match meta.to_ascii_uppercase().as_str() {
        "APPROVED" | "REINSTATED" => "approved",
        "PENDING" => "pending",
        "REJECTED" => "rejected",
        "PAUSED" => "paused",
        "DISABLED" => "disabled",
        "IN_APPEAL" => "in_appeal",
        "DELETED" | "PENDING_DELETION" => "deleted",
        "LIMIT_EXCEEDED" => "limit_exceeded",
        "ARCHIVED" => "archived",
        _ => return None,
    })
}

/// Our category for one Meta reports.
fn category_of(meta: &str) -> Option<&'static str> {
    Some(match meta.to_ascii_uppercase().as_str() {
        "UTILITY" => "utility",
        "MARKETING" => "marketing",
        "AUTHENTICATION" => "authentication",
        _ => return None,
    })
}

/// What a sync or a submission did.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Report {
    /// The WhatsApp Business Accounts reached (`sandbox` for the sandbox's).
    pub accounts: Vec<String>,
    /// Rows inserted or updated.
    pub written: usize,
    /// Standard templates already stored, left as they are (submit), or
    /// listed templates we could not store (sync: an unknown status or
    /// category).
    pub unchanged: usize,
    /// Numbers on no account (a real number without a `waba_id`): nothing
    /// of theirs can be synced or submitted.
    pub numbers_without_account: usize,
}

#[derive(Debug, thiserror::Error)]
pub enum TemplatesError {
    /// The business has no number on a WhatsApp Business Account.
    #[error(
        "no WhatsApp Business Account: connect a number with its waba_id (or a sandbox number) first"
    )]
    NoAccount,
    #[error("WhatsApp Business Account {waba_id}: {source}")]
    Token {
        waba_id: String,
        #[source]
        source: TokenError,
    },
    #[error("WhatsApp Business Account {waba_id}: {source}")]
    Graph {
        waba_id: String,
        #[source]
        source: TemplateError,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// One account of the business: its id, whether it is the sandbox's, and
/// the number whose token reaches it.
struct Account<'a> {
    waba_id: String,
    sandbox: bool,
    number: &'a Number,
}

/// The distinct accounts of `numbers`, and how many are on none.
fn accounts(numbers: &[Number]) -> (Vec<Account<'_>>, usize) {
    let mut by_id: BTreeMap<String, Account<'_>> = BTreeMap::new();
    let mut without = 0;
    for n in numbers {
        let (id, sandbox) = match (&n.waba_id, n.sandbox) {
            (Some(w), s) if !w.trim().is_empty() => (w.trim().to_string(), s),
            (_, true) => (SANDBOX_WABA.to_string(), true),
            (_, false) => {
                without += 1;
                continue;
            }
        };
        let usable = |x: &Number| x.active && x.access_token_sealed.is_some();
        // Prefer an active number with a token to reach the account.
        let better = |a: &Account<'_>| !a.sandbox && !usable(a.number) && usable(n);
        match by_id.get_mut(&id) {
            Some(a) => {
                a.sandbox |= sandbox;
                if better(a) {
                    a.number = n;
                }
            }
            None => {
                by_id.insert(
                    id.clone(),
                    Account {
                        waba_id: id,
                        sandbox,
                        number: n,
                    },
                );
            }
        }
    }
    (by_id.into_values().collect(), without)
}

/// The languages `tenant` speaks: its locale's, then `en`.
async fn languages(ex: impl Into<Ex<'_>>, tenant: TenantId) -> StoreResult<Vec<&'static str>> {
    let t = store::tenants::get(ex, tenant).await?;
    let own = domain::text::language_of(&t.locale.to_string());
    let mut out = vec![own];
    if own != "en" {
        out.push("en");
    }
    Ok(out)
}

/// Lists every account of the business's numbers from Meta and upserts
/// its templates (statuses lowercased). A sandbox account has nothing to
/// list: its rows are what [`submit`] wrote.
pub async fn sync(svc: &Services, tenant: TenantId) -> Result<Report, TemplatesError> {
    let numbers = store::wa::numbers(&svc.db, tenant).await?;
    let (accounts, without) = accounts(&numbers);
    if accounts.is_empty() {
        return Err(TemplatesError::NoAccount);
    }
    let mut report = Report {
        numbers_without_account: without,
        ..Report::default()
    };
    for a in &accounts {
        report.accounts.push(a.waba_id.clone());
        if a.sandbox {
            continue;
        }
        let token = svc
            .access_token(a.number)
            .map_err(|source| TemplatesError::Token {
                waba_id: a.waba_id.clone(),
                source,
            })?;
        let listed = svc
            .templates
            .list_templates(&a.waba_id, &token)
            .await
            .map_err(|source| TemplatesError::Graph {
                waba_id: a.waba_id.clone(),
                source,
            })?;
        let now = svc.clock.now();
        let mut tx = svc.db.begin().await?;
        for t in &listed {
            if store_remote(&mut tx, tenant, &a.waba_id, t, now).await? {
                report.written += 1;
            } else {
                report.unchanged += 1;
            }
        }
        tx.commit().await?;
        tracing::info!(%tenant, waba_id = %a.waba_id, templates = listed.len(), "templates synced");
    }
    Ok(report)
}

/// Upserts one listed template; `false` when its status or category is not
/// one we store.
async fn store_remote(
    ex: impl Into<Ex<'_>>,
    tenant: TenantId,
    waba_id: &str,
    t: &RemoteTemplate,
    at: DateTime<Utc>,
) -> StoreResult<bool> {
    let (Some(status), Some(category)) = (status_of(&t.status), category_of(&t.category)) else {
        tracing::warn!(name = %t.name, status = %t.status, category = %t.category, "skipping a template with a status or category we do not know");
        return Ok(false);
    };
    store::templates::upsert(
        ex,
        tenant,
        &Upsert {
            waba_id,
            name: &t.name,
            language: &t.language,
            category,
            status,
            reason: t.reason.as_deref(),
            meta_id: t.id.as_deref(),
            body: &t.body,
            params: i32::try_from(t.params()).unwrap_or(i32::MAX),
            components: &t.components,
        },
        at,
    )
    .await?;
    Ok(true)
}

/// Submits each standard template the business does not have yet, in each
/// language it speaks, on every account of its numbers, and stores it as
/// Meta answered (`pending` unless Meta said otherwise; a name+language
/// Meta has already is stored `pending` and read on the next [`sync`]).
/// On a sandbox account every one is stored `approved` at once, without
/// HTTP. What was stored before a failure stays stored.
pub async fn submit(svc: &Services, tenant: TenantId) -> Result<Report, TemplatesError> {
    submit_to(svc, tenant, false).await
}

/// [`submit`] on the business's sandbox accounts only (what a new sandbox
/// number does, so a sandbox business can send outside the window as
/// before); its real numbers' accounts are left to the owner.
pub async fn submit_sandbox(svc: &Services, tenant: TenantId) -> Result<Report, TemplatesError> {
    submit_to(svc, tenant, true).await
}

async fn submit_to(
    svc: &Services,
    tenant: TenantId,
    sandbox_only: bool,
) -> Result<Report, TemplatesError> {
    let numbers = store::wa::numbers(&svc.db, tenant).await?;
    let (mut accounts, without) = accounts(&numbers);
    if sandbox_only {
        accounts.retain(|a| a.sandbox);
    }
    if accounts.is_empty() {
        return Err(TemplatesError::NoAccount);
    }
    let langs = languages(&svc.db, tenant).await?;
    let stored: HashSet<(String, String, String)> = store::templates::list(&svc.db, tenant)
        .await?
        .into_iter()
        .map(|t| (t.waba_id, t.name, t.language))
        .collect();
    let mut report = Report {
        numbers_without_account: without,
        ..Report::default()
    };
    for a in &accounts {
        report.accounts.push(a.waba_id.clone());
        let token = if a.sandbox {
            String::new()
        } else {
            svc.access_token(a.number)
                .map_err(|source| TemplatesError::Token {
                    waba_id: a.waba_id.clone(),
                    source,
                })?
        };
        for lang in &langs {
            for s in &STANDARD {
                let Some(text) = body(s.name, lang) else {
                    continue;
                };
                let key = (a.waba_id.clone(), s.name.to_string(), lang.to_string());
                if stored.contains(&key) {
                    report.unchanged += 1;
                    continue;
                }
                let new = NewTemplate {
                    name: s.name,
                    language: lang,
                    category: s.category.as_str(),
                    body: text,
                    examples: s.examples,
                };
                let (status, category, meta_id) = if a.sandbox {
                    ("approved", s.category.as_str(), None)
                } else {
                    match svc
                        .templates
                        .create_template(&a.waba_id, &token, &new)
                        .await
                    {
                        Ok(Submitted::Created {
                            id,
                            status,
                            category,
                        }) => (
                            status.as_deref().and_then(status_of).unwrap_or("pending"),
                            category
                                .as_deref()
                                .and_then(category_of)
                                .unwrap_or(s.category.as_str()),
                            id,
                        ),
                        Ok(Submitted::AlreadyExists) => ("pending", s.category.as_str(), None),
                        Err(source) => {
                            return Err(TemplatesError::Graph {
                                waba_id: a.waba_id.clone(),
                                source,
                            });
                        }
                    }
                };
                store::templates::upsert(
                    &svc.db,
                    tenant,
                    &Upsert {
                        waba_id: &a.waba_id,
                        name: s.name,
                        language: lang,
                        category,
                        status,
                        reason: None,
                        meta_id: meta_id.as_deref(),
                        body: text,
                        params: i32::try_from(s.params()).unwrap_or(i32::MAX),
                        components: &new.components(),
                    },
                    svc.clock.now(),
                )
                .await?;
                report.written += 1;
            }
        }
        tracing::info!(%tenant, waba_id = %a.waba_id, sandbox = a.sandbox, written = report.written, "standard templates submitted");
    }
    Ok(report)
}

/// Applies a template status webhook change to every business on its
/// account, as of `e.time` (or `now` when Meta gave none). Returns the rows
/// changed: 0 for a redelivery, a report older than the stored status, an
/// event that says nothing about sending, or a template we do not have.
pub async fn apply_status(
    ex: impl Into<Ex<'_>>,
    e: &TemplateStatus,
    now: DateTime<Utc>,
) -> StoreResult<u64> {
    let Some(status) = status_of(&e.status) else {
        tracing::info!(waba_id = %e.waba_id, event = %e.status, "template event that changes no status");
        return Ok(0);
    };
    let at = e.time.unwrap_or(now);
    let reason = e.reason.as_deref();
    let changed = match (&e.name, &e.language, &e.template_id) {
        (Some(name), Some(lang), _) => {
            store::templates::set_status(ex, &e.waba_id, name, lang, status, reason, at).await?
        }
        (_, _, Some(id)) => {
            store::templates::set_status_by_meta_id(ex, &e.waba_id, id, status, reason, at).await?
        }
        _ => 0,
    };
    tracing::info!(waba_id = %e.waba_id, name = ?e.name, language = ?e.language, status, changed, "template status");
    Ok(changed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_standard_template_has_a_body_in_every_language_with_its_parameters() {
        for s in &STANDARD {
            assert_eq!(s.purpose.template(), Some(s.name));
            assert_eq!(s.purpose.category(), s.category);
            for lang in LANGUAGES {
                let b = body(s.name, lang).unwrap_or_default();
                assert!(!b.is_empty(), "{} {lang}", s.name);
                assert_eq!(
                    channels::templates::body_params(b),
                    s.params(),
                    "{} {lang}",
                    s.name
                );
                for n in 1..=s.params() {
                    assert!(
                        b.contains(&format!("{{{{{n}}}}}")),
                        "{} {lang} lacks {{{{{n}}}}}",
                        s.name
                    );
                }
                assert!(
                    !b.trim_end().ends_with("}}"),
                    "Meta refuses a body ending in a parameter"
                );
                assert!(!b.starts_with("{{"), "nor one starting with one");
            }
        }
    }

    #[test]
    fn meta_events_map_to_stored_statuses() {
        assert_eq!(status_of("APPROVED"), Some("approved"));
        assert_eq!(status_of("rejected"), Some("rejected"));
        assert_eq!(status_of("PENDING_DELETION"), Some("deleted"));
        assert_eq!(status_of("FLAGGED"), None);
    }
}
