//! Onboarding by invite code. An operator issues codes ([`issue`]); a
//! prospective owner sends one to the platform's onboarding number and a
//! guided chat ([`flow`], a pure step machine) asks, one step at a time,
//! what the business needs; at the end the business exists with its owner
//! (whose phone the chat itself verified), zones, products, hours, payment
//! settings and a sandbox number, and the owner gets a sign-in link with a
//! one-time code.
//!
//! The onboarding number belongs to the platform's own business (slug
//! [`PLATFORM_SLUG`]): applicants are its customers, so the replies take
//! the ordinary outbound path (window rules, outbox, rate limits).
//!
//! Every turn runs in the inbound message's transaction: the session's
//! step and answers commit with the replies, so a restart continues where
//! the applicant was. One session per code and one business per session
//! are unique indexes; the code is consumed in the transaction that
//! creates the business, by a conditional update only one caller wins.

pub mod code;
pub mod flow;
mod read;

use crate::conversation::Turn;
use crate::delivery::{Outgoing, queue};
use crate::services::Services;
use channels::inbound::Content;
use channels::outbound::OutMessage;
use chrono::{DateTime, Duration, Utc};
use domain::tenant::{Locale, Plan, Vertical};
use domain::text::Key;
use domain::{CustomerId, E164, TenantId};
use flow::{Answers, Input, Step};
use std::sync::Arc;
use store::invites::{Invite, InviteStatus, NewInvite};
use store::{Db, StoreError, Tx};
use uuid::Uuid;

/// The platform's own business, which owns the onboarding number.
pub const PLATFORM_SLUG: &str = "sokoni-onboarding";
/// How long the sign-in code in the final message is valid.
pub const SIGN_IN_MINUTES: i64 = 60;

/// Hashes a one-time sign-in code as the server's OTP verification does
/// (keyed: the key never leaves the server).
pub type OtpHasher = Arc<dyn Fn(&str, &str) -> String + Send + Sync>;

/// The onboarding number and what the last message needs.
#[derive(Clone)]
pub struct OnboardingSettings {
    /// The Meta phone number id of the platform's onboarding number.
    pub phone_number_id: String,
    /// Where owners reach the dashboard.
    pub public_url: String,
    pub otp_hash: OtpHasher,
}

impl std::fmt::Debug for OnboardingSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OnboardingSettings")
            .field("phone_number_id", &self.phone_number_id)
            .field("public_url", &self.public_url)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum InviteError {
    #[error("no such invite code")]
    NotFound,
    #[error("the code was used or is already revoked")]
    NotRevocable,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A code just issued: the only time it is seen in clear.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Issued {
    /// `7F3K-9QXM`: hand it to the owner; it is not stored.
    pub code: String,
    #[serde(flatten)]
    pub invite: Invite,
}

/// Issues `count` codes for `plan`, valid until `expires_at`.
pub async fn issue(
    db: &Db,
    plan: Plan,
    count: usize,
    expires_at: DateTime<Utc>,
) -> Result<Vec<Issued>, InviteError> {
    let mut tx = db.begin().await?;
    let mut out = Vec::with_capacity(count);
    for _ in 0..count {
        let shown = code::generate();
        let normal = code::normalise(&shown).unwrap_or_else(|| shown.replace('-', ""));
        let invite = store::invites::insert(
            &mut tx,
            &NewInvite {
                code_hash: &code::hash(&normal),
                hint: &code::hint(&normal),
                plan,
                expires_at,
            },
        )
        .await?;
        out.push(Issued {
            code: shown,
            invite,
        });
    }
    tx.commit().await?;
    Ok(out)
}

/// An invite by id, or by the code itself.
pub async fn find_invite(db: &Db, code_or_id: &str) -> Result<Invite, InviteError> {
    if let Ok(id) = code_or_id.trim().parse::<Uuid>() {
        return match store::invites::get(db, id).await {
            Ok(i) => Ok(i),
            Err(StoreError::NotFound) => Err(InviteError::NotFound),
            Err(e) => Err(e.into()),
        };
    }
    let normal = code::find(code_or_id).ok_or(InviteError::NotFound)?;
    store::invites::by_hash(db, &code::hash(&normal))
        .await?
        .ok_or(InviteError::NotFound)
}

/// Revokes a code not yet used.
pub async fn revoke(db: &Db, id: Uuid) -> Result<Invite, InviteError> {
    if !store::invites::revoke(db, id).await? {
        return match store::invites::get(db, id).await {
            Ok(_) => Err(InviteError::NotRevocable),
            Err(StoreError::NotFound) => Err(InviteError::NotFound),
            Err(e) => Err(e.into()),
        };
    }
    Ok(store::invites::get(db, id).await?)
}

/// Creates the platform's business and its onboarding number if they do
/// not exist yet (the demo's sandbox onboarding number; a real one is added
/// with `sokoni number add --tenant sokoni-onboarding`).
pub async fn install_number(
    db: &Db,
    phone_number_id: &str,
    display: &str,
    sandbox: bool,
) -> anyhow::Result<store::wa::Number> {
    let mut tx = db.begin().await?;
    let tenant = match store::tenants::get_by_slug(&mut tx, PLATFORM_SLUG).await {
        Ok(t) => t,
        Err(StoreError::NotFound) => {
            store::tenants::insert(
                &mut tx,
                &store::tenants::NewTenant {
                    business_name: "Sokoni".into(),
                    slug: PLATFORM_SLUG.into(),
                    phone: None,
                    vertical: Vertical::Shop,
                    currency: domain::money::Currency::USD,
                    timezone: "UTC".into(),
                    locale: Locale::parse("en")?,
                    country: "US".into(),
                    order_prefix: "ONB".into(),
                },
            )
            .await?
        }
        Err(e) => return Err(e.into()),
    };
    let number = match store::wa::number_by_phone_number_id(&mut tx, phone_number_id).await? {
        Some(n) => n,
        None => {
            store::wa::insert_number(
                &mut tx,
                tenant.id,
                &store::wa::NewNumber {
                    phone_number_id: phone_number_id.into(),
                    display_phone_number: display.into(),
                    waba_id: None,
                    access_token_sealed: None,
                    sandbox,
                },
            )
            .await?
        }
    };
    tx.commit().await?;
    Ok(number)
}

/// Reads a pasted price list into products (prices in minor units): the
/// configured language model (`SOKONI_LLM_*`, within its time budget), or
/// the built-in reader, which also answers whenever the model fails.
pub async fn products_from_text(
    svc: &Services,
    text: &str,
    currency: domain::Currency,
) -> Vec<nlu::ExtractedProduct> {
    let answer = svc.models.extract_price_list(text, currency).await;
    tracing::debug!(provider = %answer.provider, products = answer.products.len(), "price list read");
    answer.products
}

/// What a turn did: the business it created, if any (its sandbox number's
/// templates are submitted once the turn has committed).
#[derive(Debug, Default)]
pub struct TurnResult {
    pub created: Option<TenantId>,
}

/// One applicant's message to the onboarding number, in the inbound
/// transaction. `customer` is the applicant as the platform business's
/// customer (their window on the onboarding number).
pub async fn on_message(
    svc: &Services,
    settings: &OnboardingSettings,
    tx: &mut Tx,
    turn: &Turn<'_>,
    customer: CustomerId,
) -> anyhow::Result<TurnResult> {
    // One turn per applicant at a time, whichever worker.
    store::customers::lock(&mut *tx, turn.tenant, customer).await?;
    let now = svc.clock.now();
    let phone = turn.phone.as_str();
    let input = input_of(&turn.message.content);
    let text = match &input {
        Input::Text(t) => Some(t.as_str()),
        _ => None,
    };
    let current = store::onboarding::latest(&mut *tx, phone).await?;
    let mut result = TurnResult::default();
    let code = text.and_then(code::find);
    let replies: Vec<OutMessage> = match (code, current) {
        // A code: a new session, or the one this code already opened.
        (Some(normal), current) => {
            let lang = current
                .as_ref()
                .and_then(|s| serde_json::from_value::<Answers>(s.answers.0.clone()).ok())
                .map_or_else(
                    || flow::language(text.unwrap_or_default(), phone).to_string(),
                    |a| a.lang,
                );
            match store::invites::by_hash(&mut *tx, &code::hash(&normal)).await? {
                None => vec![flow::notice(&lang, Key::OnbCodeUnknown, &[])],
                Some(invite) => {
                    match store::onboarding::by_invite(&mut *tx, invite.id).await? {
                        Some(s) if s.phone == phone => {
                            // The same code again: continue, never a second business.
                            continue_session(svc, settings, tx, turn, s, None, &mut result).await?
                        }
                        Some(_) => vec![flow::notice(&lang, Key::OnbCodeUsed, &[])],
                        None => match invite.status(now) {
                            InviteStatus::Open => {
                                start_session(tx, phone, &invite, text.unwrap_or_default(), &lang)
                                    .await?
                            }
                            InviteStatus::Used => vec![flow::notice(&lang, Key::OnbCodeUsed, &[])],
                            InviteStatus::Expired | InviteStatus::Revoked => {
                                vec![flow::notice(&lang, Key::OnbCodeExpired, &[])]
                            }
                        },
                    }
                }
            }
        }
        (None, Some(s)) if s.finished_at.is_none() => {
            continue_session(svc, settings, tx, turn, s, Some(input), &mut result).await?
        }
        (None, Some(s)) => {
            let a: Answers = serde_json::from_value(s.answers.0.clone()).unwrap_or_default();
            flow::ask(Step::Done, &a)
        }
        (None, None) => {
            let lang = flow::language(text.unwrap_or_default(), phone);
            vec![flow::notice(lang, Key::OnbNeedCode, &[])]
        }
    };
    for message in &replies {
        queue(
            &mut *tx,
            &Outgoing {
                tenant: turn.tenant,
                number: turn.number,
                customer: Some(customer),
                order: None,
                to: turn.phone,
                message,
                fallback: None,
                purpose: domain::outbound::Purpose::Reply,
                bulk: false,
            },
        )
        .await?;
    }
    metrics::counter!("sokoni_onboarding_messages_total").increment(1);
    Ok(result)
}

fn input_of(content: &Content) -> Input {
    match content {
        Content::Text { body } => Input::Text(body.clone()),
        Content::ButtonReply { id, .. } | Content::ListReply { id, .. } => Input::Tap(id.clone()),
        Content::TemplateButton { payload, .. } => Input::Tap(payload.clone()),
        Content::Media { kind, caption, .. } => {
            if matches!(kind, channels::inbound::MediaKind::Image) {
                Input::Photo
            } else {
                caption.clone().map_or(Input::Other, Input::Text)
            }
        }
        _ => Input::Other,
    }
}

/// Opens the session of a code; a code another phone took at the same
/// moment loses on the unique index and is told so.
async fn start_session(
    tx: &mut Tx,
    phone: &str,
    invite: &Invite,
    first: &str,
    lang: &str,
) -> anyhow::Result<Vec<OutMessage>> {
    let answers = Answers {
        lang: flow::language(first, phone).to_string(),
        proposed: flow::region_of_phone(phone),
        ..Answers::default()
    };
    let out = flow::start(&answers);
    store::savepoint::savepoint(tx, "onboarding_start").await?;
    match store::onboarding::start(
        &mut *tx,
        phone,
        invite.id,
        out.step.as_str(),
        &serde_json::to_value(&answers)?,
    )
    .await
    {
        Ok(_) => {
            store::savepoint::release_savepoint(tx, "onboarding_start").await?;
            Ok(out.replies)
        }
        Err(StoreError::Unique(_)) => {
            store::savepoint::rollback_to(tx, "onboarding_start").await?;
            Ok(vec![flow::notice(lang, Key::OnbCodeUsed, &[])])
        }
        Err(e) => Err(e.into()),
    }
}

/// One message of a running session (`None`: the code again, answered with
/// the current question).
async fn continue_session(
    svc: &Services,
    settings: &OnboardingSettings,
    tx: &mut Tx,
    turn: &Turn<'_>,
    session: store::onboarding::Session,
    input: Option<Input>,
    result: &mut TurnResult,
) -> anyhow::Result<Vec<OutMessage>> {
    store::onboarding::lock(&mut *tx, session.id).await?;
    let mut answers: Answers = serde_json::from_value(session.answers.0.clone())
        .unwrap_or_else(|e| {
            tracing::warn!(error = %e, "onboarding answers unreadable; starting the questions again");
            Answers::default()
        });
    let step = Step::parse(&session.step).unwrap_or(Step::Name);
    let Some(input) = input else {
        return Ok(flow::ask(step, &answers));
    };
    let products = match (&input, step) {
        (Input::Text(t), Step::Products) if flow::correction(t).is_none() => {
            Some(products_from_text(svc, t, answers.currency()).await)
        }
        _ => None,
    };
    let out = flow::advance(step, &mut answers, &input, products);
    let mut replies = out.replies;
    let mut step = out.step;
    if out.create {
        match create(svc, settings, tx, turn, &session, &answers).await? {
            Ok(created) => {
                replies.extend(created.1);
                result.created = Some(created.0);
            }
            Err(key) => {
                step = Step::Review;
                replies.push(flow::notice(&answers.lang, key, &[]));
            }
        }
    }
    store::onboarding::save(
        &mut *tx,
        session.id,
        step.as_str(),
        &serde_json::to_value(&answers)?,
    )
    .await?;
    Ok(replies)
}

/// A slug for the name, free on this server (`empanadas-lola`, then
/// `empanadas-lola-2`, ...).
async fn free_slug(tx: &mut Tx, name: &str) -> anyhow::Result<String> {
    let base = {
        let s = flow::sku_of(name).to_ascii_lowercase();
        let s: String = s.chars().take(40).collect();
        let s = s.trim_matches('-').to_string();
        if s.len() < 3 { format!("biz-{s}") } else { s }
    };
    for n in 1..1000 {
        let slug = if n == 1 {
            base.clone()
        } else {
            format!("{base}-{n}")
        };
        if !domain::tenant::valid_slug(&slug) {
            continue;
        }
        match store::tenants::get_by_slug(&mut *tx, &slug).await {
            Err(StoreError::NotFound) => return Ok(slug),
            Err(e) => return Err(e.into()),
            Ok(_) => {}
        }
    }
    anyhow::bail!("no free slug for {name:?}")
}

fn random_digits(n: usize) -> String {
    let mut b = vec![0u8; n];
    if let Err(e) = getrandom::fill(&mut b) {
        panic!("the operating system's random source failed: {e}");
    }
    b.iter().map(|x| char::from(b'0' + x % 10)).collect()
}

/// The business, in the turn's transaction; `Err(key)` when the code can
/// no longer open it (revoked or expired meanwhile), nothing created.
async fn create(
    svc: &Services,
    settings: &OnboardingSettings,
    tx: &mut Tx,
    turn: &Turn<'_>,
    session: &store::onboarding::Session,
    a: &Answers,
) -> anyhow::Result<Result<(TenantId, Vec<OutMessage>), Key>> {
    let now = svc.clock.now();
    let invite = store::invites::get(&mut *tx, session.invite_id).await?;
    match invite.status(now) {
        InviteStatus::Open => {}
        InviteStatus::Used => return Ok(Err(Key::OnbCodeUsed)),
        InviteStatus::Expired | InviteStatus::Revoked => return Ok(Err(Key::OnbCodeExpired)),
    }
    let (Some(name), Some(vertical), Some(region)) = (&a.name, a.vertical, &a.region) else {
        anyhow::bail!("onboarding reached create without name, vertical or country");
    };
    let currency = domain::money::Currency::parse(&region.currency)?;
    let slug = free_slug(tx, name).await?;
    store::savepoint::savepoint(tx, "onboarding_create").await?;
    let owner_name = turn
        .message
        .profile_name
        .clone()
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| name.clone());
    let (tenant, owner) = crate::accounts::register_in(
        tx,
        &store::tenants::NewTenant {
            business_name: name.clone(),
            slug: slug.clone(),
            phone: Some(turn.phone.as_str().to_string()),
            vertical,
            currency,
            timezone: region.timezone.clone(),
            locale: Locale::parse(&a.locale())?,
            country: region.country.clone(),
            order_prefix: vertical.default_order_prefix().to_string(),
        },
        crate::accounts::Person {
            name: owner_name,
            // Owners sign in by phone; the address only has to be unique.
            email: format!("{}+{slug}@owners.sokoni.invalid", turn.phone.wa_id()),
            phone: Some(turn.phone.as_str().to_string()),
            password: code::generate() + &code::generate(),
        },
    )
    .await
    .map_err(|e| anyhow::anyhow!("registering the business: {e}"))?;
    if !store::invites::consume(&mut *tx, invite.id, tenant.id, now).await?
        || !store::onboarding::finish(&mut *tx, session.id, tenant.id).await?
    {
        store::savepoint::rollback_to(tx, "onboarding_create").await?;
        return Ok(Err(Key::OnbCodeUsed));
    }
    store::onboarding::set_plan(&mut *tx, tenant.id, invite.plan).await?;
    let pickup_only = a.zones.as_ref().is_none_or(Vec::is_empty);
    let methods = a.payment_methods();
    store::business::update(
        &mut *tx,
        tenant.id,
        &store::business::SettingsPatch {
            hours: a.hours.clone(),
            offers_delivery: Some(!pickup_only),
            offers_pickup: Some(true),
            payment_methods: (!methods.is_empty()).then_some(methods),
            bank_details: Some(a.transfer_details()),
            ..store::business::SettingsPatch::default()
        },
    )
    .await?;
    for (i, z) in a.zones.iter().flatten().enumerate() {
        store::zones::insert(
            &mut *tx,
            tenant.id,
            &store::zones::NewZone {
                name: z.name.clone(),
                fee: z.fee,
                min_order: 0,
                is_active: true,
                sort_order: i32::try_from(i).unwrap_or(i32::MAX),
            },
        )
        .await?;
    }
    for (i, p) in a.products.iter().flatten().enumerate() {
        store::products::insert(
            &mut *tx,
            tenant.id,
            &store::products::NewProduct {
                sku: p.sku.clone(),
                name: p.name.clone(),
                aliases: p.aliases.clone(),
                price: p.price,
                currency: currency.code().to_string(),
                sort_order: i32::try_from(i).unwrap_or(i32::MAX),
                ..store::products::NewProduct::default()
            },
            Some(owner.id),
        )
        .await?;
    }
    // A sandbox number of its own, so the owner tries the bot at once.
    let digits = random_digits(7);
    let sandbox = store::wa::insert_number(
        &mut *tx,
        tenant.id,
        &store::wa::NewNumber {
            phone_number_id: format!("sbx{}{}", now.timestamp_millis(), &digits[..3]),
            display_phone_number: format!("+1 555 {} {}", &digits[..3], &digits[3..]),
            waba_id: None,
            access_token_sealed: None,
            sandbox: true,
        },
    )
    .await?;
    // The chat proved the phone: a one-time code signs them in.
    let otp = random_digits(6);
    store::users::insert_otp(
        &mut *tx,
        &store::users::NewOtp {
            tenant_id: Some(tenant.id),
            user_id: Some(owner.id),
            phone: turn.phone.as_str(),
            ip: "onboarding",
            code_hash: &(settings.otp_hash)(turn.phone.as_str(), &otp),
            ttl: Duration::minutes(SIGN_IN_MINUTES),
        },
    )
    .await?;
    store::savepoint::release_savepoint(tx, "onboarding_create").await?;
    let link = sign_in_link(&settings.public_url, turn.phone, &otp);
    let replies = flow::done(
        a,
        &flow::Created {
            sandbox_display: &sandbox.display_phone_number,
            link: &link,
            code: &otp,
            minutes: SIGN_IN_MINUTES,
        },
    );
    metrics::counter!("sokoni_onboarding_businesses_total").increment(1);
    Ok(Ok((tenant.id, replies)))
}

/// The dashboard's sign-in with the phone and the one-time code filled in.
pub fn sign_in_link(public_url: &str, phone: &E164, code: &str) -> String {
    format!(
        "{}/login?phone=%2B{}&code={code}",
        public_url.trim_end_matches('/'),
        phone.wa_id()
    )
}

/// After the turn that created `tenant` committed: its sandbox number's
/// standard templates, approved at once.
pub async fn after_commit(svc: &Services, result: &TurnResult) {
    if let Some(tenant) = result.created
        && let Err(e) = crate::templates::submit_sandbox(svc, tenant).await
    {
        tracing::warn!(%tenant, "the new business's sandbox templates: {e}");
    }
}
