//! The grammar of staff commands: what the owner and staff type into their
//! own business's chat to run it ("orders today", "ready SEW-0042",
//! "paid SEW-0042 15,000 transfer", "stock sugar +20", "ventas semana",
//! "funga leo"). A pure parser: no database, no IO; the engine resolves refs,
//! products and phones and runs the command through the application services.
//!
//! The grammar is keyword first: the first word (or two or three: "sin
//! stock", "en camino", "out for delivery") names the command, in English,
//! Rioplatense Spanish or Swahili, forgiving of case, accents and one or two
//! letters off (keywords of four or five letters allow one, longer ones two,
//! shorter ones none). The arguments follow in a fixed shape per command. An
//! order ref may also come first ("SEW-0042 ready", "PED-0003 en camino").
//!
//! Where the line is drawn (see [`CommandParse`]):
//! - a message whose keyword and arguments fit is a [`Command`];
//! - a message whose first word is (or is near) a keyword but whose arguments
//!   do not fit is [`CommandParse::Unknown`] with the commands it resembles,
//!   unless it is longer than [`LONG`] words: staff chatting, not commanding;
//! - a message with no keyword is `Unknown` when it is short (at most four
//!   words) and carries an order ref, a phone number or a number, and
//!   [`CommandParse::NotACommand`] otherwise: greetings, thanks, questions,
//!   sentences, anything that opens like a customer's message.

use std::fmt;

use serde::{Serialize, Serializer};

use crate::PaymentMethod;
use crate::text::{Text, edit_distance};

/// More words than this, when the grammar does not fit, is a sentence.
pub const LONG: usize = 8;

/// The language a command's keyword is written in, so the reply can answer
/// in kind. `as_str` gives the catalog's language code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Language {
    En,
    Es,
    Sw,
}

impl Language {
    pub fn as_str(self) -> &'static str {
        match self {
            Language::En => "en",
            Language::Es => "es",
            Language::Sw => "sw",
        }
    }
}

/// A production stage; the names are those of `domain::order::Stage`.
/// Parsing never yields `SetStage` to `Cancelled`: cancelling is its own,
/// destructive command ([`Command::Cancel`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    Received,
    Cutting,
    Sewing,
    Fitting,
    Preparing,
    Packed,
    Ready,
    OutForDelivery,
    Delivered,
    Cancelled,
}

impl Stage {
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Received => "received",
            Stage::Cutting => "cutting",
            Stage::Sewing => "sewing",
            Stage::Fitting => "fitting",
            Stage::Preparing => "preparing",
            Stage::Packed => "packed",
            Stage::Ready => "ready",
            Stage::OutForDelivery => "out_for_delivery",
            Stage::Delivered => "delivered",
            Stage::Cancelled => "cancelled",
        }
    }
}

/// An order reference as typed: `SEW-0042`, `sew 42`, `sew42` (prefix and
/// number), or `#42`, `42` (number only: the engine applies the tenant's
/// prefix). Displayed and serialised as `SEW-0042` (the form of
/// `domain::order::order_ref`) or `#42`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct OrderRef {
    prefix: Option<String>,
    number: u32,
}

impl OrderRef {
    /// A ref from its parts; the prefix must be 2 to 6 ASCII letters (any
    /// case), the number at least 1.
    pub fn new(prefix: Option<&str>, number: u32) -> Option<OrderRef> {
        let prefix = match prefix {
            Some(p) if valid_prefix(p) => Some(p.to_ascii_uppercase()),
            Some(_) => return None,
            None => None,
        };
        (number >= 1).then_some(OrderRef { prefix, number })
    }

    /// The upper-case prefix, when the message gave one.
    pub fn prefix(&self) -> Option<&str> {
        self.prefix.as_deref()
    }

    pub fn number(&self) -> u32 {
        self.number
    }

    /// The full ref, with `default_prefix` when the message gave none.
    pub fn resolve(&self, default_prefix: &str) -> String {
        let prefix = self.prefix.as_deref().unwrap_or(default_prefix);
        format!("{prefix}-{:04}", self.number)
    }
}

impl fmt::Display for OrderRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.prefix {
            Some(p) => write!(f, "{p}-{:04}", self.number),
            None => write!(f, "#{}", self.number),
        }
    }
}

impl Serialize for OrderRef {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

fn valid_prefix(p: &str) -> bool {
    (2..=6).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphabetic())
}

/// Which orders a listing shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderFilter {
    /// Orders due or active today (also plain `orders`).
    Today,
    /// Orders whose deadline is at risk.
    Urgent,
    /// Orders with money still due.
    Unpaid,
}

/// The period of a sales summary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Period {
    Today,
    Week,
    Month,
}

/// What a stock command does to a product's stock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case", tag = "op", content = "qty")]
pub enum StockChange {
    /// `stock sugar +20`, `ongeza sukari 20`.
    Add(u32),
    /// `stock sugar -3`, `punguza sukari 3`.
    Remove(u32),
    /// `stock sukari 35`: the count is now this.
    Set(u32),
    /// `sin stock coca`, `out of stock coca`: none left (stock 0).
    Out,
}

/// One staff command. Products are free text (as typed, trimmed) that the
/// engine resolves against the catalog; phones are the digits, with a
/// leading `+` when one was typed; amounts are major currency units.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "command", rename_all = "snake_case")]
pub enum Command {
    /// `orders today`, `pedidos urgentes`, `hazijalipwa`.
    Orders { filter: OrderFilter },
    /// `SEW-0042`, `pedido PED-0003`.
    Order { order_ref: OrderRef },
    /// `ready SEW-0042`, `en camino PED-0003`, `stage SEW-0042 sewing`.
    SetStage { order_ref: OrderRef, stage: Stage },
    /// `cancel SEW-0042`: destructive.
    Cancel { order_ref: OrderRef },
    /// `paid SEW-0042 15,000 transfer`.
    Paid {
        order_ref: OrderRef,
        amount: i64,
        #[serde(skip_serializing_if = "Option::is_none")]
        method: Option<PaymentMethod>,
    },
    /// `remind SEW-0042`: send the customer a payment reminder.
    Remind { order_ref: OrderRef },
    /// `stock sugar +20`, `sin stock coca`.
    Stock {
        product: String,
        change: StockChange,
    },
    /// `snooze flan`, `pausar flan`: unavailable until unsnoozed.
    Snooze { product: String },
    /// `unsnooze flan`, `activar flan`.
    Unsnooze { product: String },
    /// `sales week`, `ventas mes`, `mauzo leo`.
    Sales { period: Period },
    /// `customer 0803 123 4567`.
    Customer { phone: String },
    /// `open`, `abrir`, `fungua`: open again today.
    Open,
    /// `close today`, `cerrar hoy`, `funga leo`: closed for the rest of today.
    Close,
    /// `pause 0803 123 4567`, `pausar bot …`: the bot stops answering that
    /// customer; staff answer by hand.
    PauseBot { phone: String },
    /// `resume 0803 123 4567`, `reanudar …`.
    ResumeBot { phone: String },
    /// `done`, `listo`: hand the customer being answered back to the bot.
    Done,
    /// `undo`: revert the last command.
    Undo,
    /// `help`, `ayuda`, `msaada` (any words after it are ignored).
    Help,
}

impl Command {
    /// The command's name: its English keyword, the name suggestions use.
    pub fn name(&self) -> &'static str {
        match self {
            Command::Orders { .. } => "orders",
            Command::Order { .. } => "order",
            Command::SetStage { .. } => "stage",
            Command::Cancel { .. } => "cancel",
            Command::Paid { .. } => "paid",
            Command::Remind { .. } => "remind",
            Command::Stock {
                change: StockChange::Out,
                ..
            } => "out_of_stock",
            Command::Stock { .. } => "stock",
            Command::Snooze { .. } => "snooze",
            Command::Unsnooze { .. } => "unsnooze",
            Command::Sales { .. } => "sales",
            Command::Customer { .. } => "customer",
            Command::Open => "open",
            Command::Close => "close",
            Command::PauseBot { .. } => "pause",
            Command::ResumeBot { .. } => "resume",
            Command::Done => "done",
            Command::Undo => "undo",
            Command::Help => "help",
        }
    }

    /// Does running it change anything? A viewer may run only the others.
    /// Reminding sends a message, and `done` changes who answers the chat.
    pub fn writes(&self) -> bool {
        !matches!(
            self,
            Command::Orders { .. }
                | Command::Order { .. }
                | Command::Sales { .. }
                | Command::Customer { .. }
                | Command::Help
        )
    }

    /// Is it destructive (to be confirmed, or refused to staff who may not)?
    pub fn destructive(&self) -> bool {
        matches!(self, Command::Cancel { .. })
    }
}

/// The reading of one staff message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum CommandParse {
    /// A command, and the language its keyword is in when the keyword (or an
    /// argument word such as "hoy" or "wiki") tells.
    Command {
        #[serde(flatten)]
        command: Command,
        #[serde(skip_serializing_if = "Option::is_none")]
        language: Option<Language>,
    },
    /// An attempt at a command that does not parse: the closest command
    /// names ([`Command::name`], or a stage name for a stage keyword), never
    /// empty, best first.
    Unknown { suggestions: Vec<&'static str> },
    /// Plainly not a command (a greeting, a question, a sentence).
    NotACommand,
}

/// What the leading keyword says the command is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verb {
    Orders,
    Urgent,
    Unpaid,
    Stage(Stage),
    StageGeneric,
    Cancel,
    Paid,
    Remind,
    Stock,
    StockAdd,
    StockRemove,
    OutOfStock,
    Pause,
    Resume,
    Sales,
    Customer,
    Open,
    Close,
    Done,
    Undo,
    Help,
}

impl Verb {
    fn names(self) -> &'static [&'static str] {
        match self {
            Verb::Orders => &["orders", "order"],
            Verb::Urgent => &["urgent"],
            Verb::Unpaid => &["unpaid"],
            Verb::Stage(s) => match s {
                Stage::Received => &["received"],
                Stage::Cutting => &["cutting"],
                Stage::Sewing => &["sewing"],
                Stage::Fitting => &["fitting"],
                Stage::Preparing => &["preparing"],
                Stage::Packed => &["packed"],
                Stage::Ready => &["ready"],
                Stage::OutForDelivery => &["out_for_delivery"],
                Stage::Delivered => &["delivered"],
                Stage::Cancelled => &["cancel"],
            },
            Verb::StageGeneric => &["stage"],
            Verb::Cancel => &["cancel"],
            Verb::Paid => &["paid"],
            Verb::Remind => &["remind"],
            Verb::Stock | Verb::StockAdd | Verb::StockRemove => &["stock"],
            Verb::OutOfStock => &["out_of_stock"],
            Verb::Pause => &["snooze", "pause"],
            Verb::Resume => &["unsnooze", "resume"],
            Verb::Sales => &["sales"],
            Verb::Customer => &["customer"],
            Verb::Open => &["open"],
            Verb::Close => &["close"],
            Verb::Done => &["done"],
            Verb::Undo => &["undo"],
            Verb::Help => &["help"],
        }
    }

    /// Does the command take an order ref (so one may come first)?
    fn takes_ref(self) -> bool {
        matches!(
            self,
            Verb::Stage(_) | Verb::StageGeneric | Verb::Cancel | Verb::Paid | Verb::Remind
        )
    }
}

struct Kw {
    words: &'static [&'static str],
    verb: Verb,
    lang: Option<Language>,
}

const fn kw(words: &'static [&'static str], verb: Verb, lang: Option<Language>) -> Kw {
    Kw { words, verb, lang }
}

const EN: Option<Language> = Some(Language::En);
const ES: Option<Language> = Some(Language::Es);
const SW: Option<Language> = Some(Language::Sw);

/// Every keyword, folded (lowercase, no accents). Entries sharing a word are
/// tried in this order: "listo PED-0003" is a stage, "listo" alone is done.
static KEYWORDS: &[Kw] = &[
    kw(&["orders"], Verb::Orders, EN),
    kw(&["order"], Verb::Orders, EN),
    kw(&["pedidos"], Verb::Orders, ES),
    kw(&["pedido"], Verb::Orders, ES),
    kw(&["ordenes"], Verb::Orders, ES),
    kw(&["orden"], Verb::Orders, ES),
    kw(&["oda"], Verb::Orders, SW),
    kw(&["urgent"], Verb::Urgent, EN),
    kw(&["urgentes"], Verb::Urgent, ES),
    kw(&["urgente"], Verb::Urgent, ES),
    kw(&["dharura"], Verb::Urgent, SW),
    kw(&["unpaid"], Verb::Unpaid, EN),
    kw(&["sin", "pagar"], Verb::Unpaid, ES),
    kw(&["sin", "cobrar"], Verb::Unpaid, ES),
    kw(&["no", "pagados"], Verb::Unpaid, ES),
    kw(&["impagos"], Verb::Unpaid, ES),
    kw(&["impagas"], Verb::Unpaid, ES),
    kw(&["hazijalipwa"], Verb::Unpaid, SW),
    kw(&["haijalipwa"], Verb::Unpaid, SW),
    kw(&["received"], Verb::Stage(Stage::Received), EN),
    kw(&["recibido"], Verb::Stage(Stage::Received), ES),
    kw(&["recibida"], Verb::Stage(Stage::Received), ES),
    kw(&["imepokelewa"], Verb::Stage(Stage::Received), SW),
    kw(&["cutting"], Verb::Stage(Stage::Cutting), EN),
    kw(&["en", "corte"], Verb::Stage(Stage::Cutting), ES),
    kw(&["corte"], Verb::Stage(Stage::Cutting), ES),
    kw(&["cortando"], Verb::Stage(Stage::Cutting), ES),
    kw(&["kukata"], Verb::Stage(Stage::Cutting), SW),
    kw(&["inakatwa"], Verb::Stage(Stage::Cutting), SW),
    kw(&["sewing"], Verb::Stage(Stage::Sewing), EN),
    kw(&["en", "costura"], Verb::Stage(Stage::Sewing), ES),
    kw(&["costura"], Verb::Stage(Stage::Sewing), ES),
    kw(&["cosiendo"], Verb::Stage(Stage::Sewing), ES),
    kw(&["kushona"], Verb::Stage(Stage::Sewing), SW),
    kw(&["inashonwa"], Verb::Stage(Stage::Sewing), SW),
    kw(&["fitting"], Verb::Stage(Stage::Fitting), EN),
    kw(&["en", "prueba"], Verb::Stage(Stage::Fitting), ES),
    kw(&["prueba"], Verb::Stage(Stage::Fitting), ES),
    kw(&["kupima"], Verb::Stage(Stage::Fitting), SW),
    kw(&["preparing"], Verb::Stage(Stage::Preparing), EN),
    kw(&["en", "preparacion"], Verb::Stage(Stage::Preparing), ES),
    kw(&["preparando"], Verb::Stage(Stage::Preparing), ES),
    kw(&["cocinando"], Verb::Stage(Stage::Preparing), ES),
    kw(&["inaandaliwa"], Verb::Stage(Stage::Preparing), SW),
    kw(&["packed"], Verb::Stage(Stage::Packed), EN),
    kw(&["empacado"], Verb::Stage(Stage::Packed), ES),
    kw(&["empaquetado"], Verb::Stage(Stage::Packed), ES),
    kw(&["embalado"], Verb::Stage(Stage::Packed), ES),
    kw(&["imepakiwa"], Verb::Stage(Stage::Packed), SW),
    kw(&["ready"], Verb::Stage(Stage::Ready), EN),
    kw(&["listo"], Verb::Stage(Stage::Ready), ES),
    kw(&["lista"], Verb::Stage(Stage::Ready), ES),
    kw(&["tayari"], Verb::Stage(Stage::Ready), SW),
    kw(
        &["out", "for", "delivery"],
        Verb::Stage(Stage::OutForDelivery),
        EN,
    ),
    kw(
        &["on", "the", "way"],
        Verb::Stage(Stage::OutForDelivery),
        EN,
    ),
    kw(&["dispatched"], Verb::Stage(Stage::OutForDelivery), EN),
    kw(&["en", "camino"], Verb::Stage(Stage::OutForDelivery), ES),
    kw(&["enviado"], Verb::Stage(Stage::OutForDelivery), ES),
    kw(&["despachado"], Verb::Stage(Stage::OutForDelivery), ES),
    kw(&["njiani"], Verb::Stage(Stage::OutForDelivery), SW),
    kw(&["imetumwa"], Verb::Stage(Stage::OutForDelivery), SW),
    kw(&["delivered"], Verb::Stage(Stage::Delivered), EN),
    kw(&["entregado"], Verb::Stage(Stage::Delivered), ES),
    kw(&["entregada"], Verb::Stage(Stage::Delivered), ES),
    kw(&["imefika"], Verb::Stage(Stage::Delivered), SW),
    kw(&["imekabidhiwa"], Verb::Stage(Stage::Delivered), SW),
    kw(&["stage"], Verb::StageGeneric, EN),
    kw(&["etapa"], Verb::StageGeneric, ES),
    kw(&["estado"], Verb::StageGeneric, ES),
    kw(&["hatua"], Verb::StageGeneric, SW),
    kw(&["cancel"], Verb::Cancel, EN),
    kw(&["cancelar"], Verb::Cancel, ES),
    kw(&["cancelado"], Verb::Cancel, ES),
    kw(&["anular"], Verb::Cancel, ES),
    kw(&["ghairi"], Verb::Cancel, SW),
    kw(&["paid"], Verb::Paid, EN),
    kw(&["pay"], Verb::Paid, EN),
    kw(&["payment"], Verb::Paid, EN),
    kw(&["cobrado"], Verb::Paid, ES),
    kw(&["cobre"], Verb::Paid, ES),
    kw(&["pagado"], Verb::Paid, ES),
    kw(&["pago"], Verb::Paid, ES),
    kw(&["lipwa"], Verb::Paid, SW),
    kw(&["imelipwa"], Verb::Paid, SW),
    kw(&["amelipa"], Verb::Paid, SW),
    kw(&["malipo"], Verb::Paid, SW),
    kw(&["remind"], Verb::Remind, EN),
    kw(&["reminder"], Verb::Remind, EN),
    kw(&["recordar"], Verb::Remind, ES),
    kw(&["recordatorio"], Verb::Remind, ES),
    kw(&["kumbusha"], Verb::Remind, SW),
    kw(&["stock"], Verb::Stock, None),
    kw(&["inventory"], Verb::Stock, EN),
    kw(&["inventario"], Verb::Stock, ES),
    kw(&["stoku"], Verb::Stock, SW),
    kw(&["stok"], Verb::Stock, SW),
    kw(&["add"], Verb::StockAdd, EN),
    kw(&["sumar"], Verb::StockAdd, ES),
    kw(&["agregar"], Verb::StockAdd, ES),
    kw(&["ongeza"], Verb::StockAdd, SW),
    kw(&["restar"], Verb::StockRemove, ES),
    kw(&["quitar"], Verb::StockRemove, ES),
    kw(&["punguza"], Verb::StockRemove, SW),
    kw(&["out", "of", "stock"], Verb::OutOfStock, EN),
    kw(&["sold", "out"], Verb::OutOfStock, EN),
    kw(&["sin", "stock"], Verb::OutOfStock, ES),
    kw(&["agotado"], Verb::OutOfStock, ES),
    kw(&["agotada"], Verb::OutOfStock, ES),
    kw(&["imeisha"], Verb::OutOfStock, SW),
    kw(&["zimeisha"], Verb::OutOfStock, SW),
    kw(&["snooze"], Verb::Pause, EN),
    kw(&["pause"], Verb::Pause, EN),
    kw(&["pausar"], Verb::Pause, ES),
    kw(&["pausa"], Verb::Pause, ES),
    kw(&["sitisha"], Verb::Pause, SW),
    kw(&["simamisha"], Verb::Pause, SW),
    kw(&["unsnooze"], Verb::Resume, EN),
    kw(&["resume"], Verb::Resume, EN),
    kw(&["unpause"], Verb::Resume, EN),
    kw(&["activar"], Verb::Resume, ES),
    kw(&["reactivar"], Verb::Resume, ES),
    kw(&["reanudar"], Verb::Resume, ES),
    kw(&["despausar"], Verb::Resume, ES),
    kw(&["rejesha"], Verb::Resume, SW),
    kw(&["endelea"], Verb::Resume, SW),
    kw(&["sales"], Verb::Sales, EN),
    kw(&["ventas"], Verb::Sales, ES),
    kw(&["mauzo"], Verb::Sales, SW),
    kw(&["customer"], Verb::Customer, EN),
    kw(&["client"], Verb::Customer, EN),
    kw(&["cliente"], Verb::Customer, ES),
    kw(&["clienta"], Verb::Customer, ES),
    kw(&["mteja"], Verb::Customer, SW),
    kw(&["open"], Verb::Open, EN),
    kw(&["abrir"], Verb::Open, ES),
    kw(&["abierto"], Verb::Open, ES),
    kw(&["abrimos"], Verb::Open, ES),
    kw(&["fungua"], Verb::Open, SW),
    kw(&["close"], Verb::Close, EN),
    kw(&["closed"], Verb::Close, EN),
    kw(&["cerrar"], Verb::Close, ES),
    kw(&["cerrado"], Verb::Close, ES),
    kw(&["cerramos"], Verb::Close, ES),
    kw(&["funga"], Verb::Close, SW),
    kw(&["done"], Verb::Done, EN),
    kw(&["finished"], Verb::Done, EN),
    kw(&["listo"], Verb::Done, ES),
    kw(&["hecho"], Verb::Done, ES),
    kw(&["termine"], Verb::Done, ES),
    kw(&["ya", "esta"], Verb::Done, ES),
    kw(&["nimemaliza"], Verb::Done, SW),
    kw(&["tumemaliza"], Verb::Done, SW),
    kw(&["undo"], Verb::Undo, EN),
    kw(&["deshacer"], Verb::Undo, ES),
    kw(&["tendua"], Verb::Undo, SW),
    kw(&["help"], Verb::Help, EN),
    kw(&["commands"], Verb::Help, EN),
    kw(&["ayuda"], Verb::Help, ES),
    kw(&["comandos"], Verb::Help, ES),
    kw(&["msaada"], Verb::Help, SW),
    kw(&["amri"], Verb::Help, SW),
];

/// Words that sit one letter from a keyword and mean something else.
fn never_fuzzy(w: &str) -> bool {
    matches!(
        w,
        "none" | "gone" | "said" | "pain" | "pasa" | "paso" | "pase" | "pasar" | "orden" | "lisa"
    )
}

/// Words that open a customer-style message, never a command.
fn opener(w: &str) -> bool {
    matches!(
        w,
        "hi" | "hello"
            | "hey"
            | "hallo"
            | "morning"
            | "good"
            | "gm"
            | "hola"
            | "buenas"
            | "buenos"
            | "buen"
            | "holis"
            | "habari"
            | "mambo"
            | "sasa"
            | "niaje"
            | "jambo"
            | "hujambo"
            | "shikamoo"
            | "salama"
            | "thanks"
            | "thank"
            | "thx"
            | "gracias"
            | "asante"
            | "ok"
            | "okay"
            | "okey"
            | "oki"
            | "dale"
            | "sawa"
            | "yes"
            | "no"
            | "si"
            | "ndio"
            | "ndiyo"
            | "hapana"
            | "please"
            | "pls"
            | "plis"
            | "por"
            | "tafadhali"
            | "i"
            | "i'm"
            | "im"
            | "we"
            | "my"
            | "can"
            | "could"
            | "do"
            | "does"
            | "is"
            | "are"
            | "what"
            | "when"
            | "where"
            | "how"
            | "why"
            | "who"
            | "que"
            | "cuando"
            | "donde"
            | "como"
            | "quiero"
            | "necesito"
            | "tienen"
            | "nataka"
            | "naomba"
            | "nina"
            | "je"
            | "the"
            | "a"
            | "el"
            | "la"
            | "me"
    )
}

/// How far a message word is from a keyword word, if near enough: exact
/// always; one edit for keywords of four or five letters, two for longer
/// ones; never for words of three letters or fewer, or [`never_fuzzy`] ones.
pub(crate) fn keyword_distance(word: &str, keyword: &str) -> Option<usize> {
    if word == keyword {
        return Some(0);
    }
    let max = match keyword.len() {
        0..=3 => return None,
        4..=5 => 1,
        _ => 2,
    };
    if word.len() < 4 || never_fuzzy(word) {
        return None;
    }
    let d = edit_distance(word, keyword, max);
    (d <= max).then_some(d)
}

/// The message's tokens that the grammar looks at: words, numbers and the
/// few symbols that carry meaning (signs, `#`, currency, `/=`).
struct Toks<'a> {
    t: Text<'a>,
    idx: Vec<usize>,
}

impl Toks<'_> {
    fn s(&self, k: usize) -> &str {
        self.idx.get(k).map_or("", |&i| self.t.s(i))
    }

    fn is_num(&self, k: usize) -> bool {
        self.idx.get(k).is_some_and(|&i| self.t.is_num(i))
    }

    fn is_word(&self, k: usize) -> bool {
        self.idx.get(k).is_some_and(|&i| self.t.is_word(i))
    }

    /// Does token `k` directly follow token `k - 1`, with nothing between?
    fn glued(&self, k: usize) -> bool {
        k > 0
            && match (self.idx.get(k - 1), self.idx.get(k)) {
                (Some(&a), Some(&b)) => b == a + 1 && self.t.glued(b),
                _ => false,
            }
    }

    /// Raw text of tokens `a..b`, trimmed of spaces and quotes.
    fn raw(&self, a: usize, b: usize) -> &str {
        if a >= b || b > self.idx.len() {
            return "";
        }
        self.t
            .raw_span(self.idx[a], self.idx[b - 1] + 1)
            .trim_matches(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | '“' | '”'))
    }

    fn words(&self, a: usize, b: usize) -> usize {
        (a..b)
            .filter(|&k| self.is_word(k) || self.is_num(k))
            .count()
    }

    /// Do `phrase`'s words match from `k` (fuzzily)? Total distance, end.
    fn phrase_at(&self, k: usize, phrase: &[&str]) -> Option<(usize, usize)> {
        let mut total = 0;
        for (j, w) in phrase.iter().enumerate() {
            if k + j >= self.idx.len() {
                return None;
            }
            total += keyword_distance(self.s(k + j), w)?;
        }
        Some((total, k + phrase.len()))
    }

    /// The best of `phrases` at `k`: longest exact, else nearest.
    fn best_of<T: Copy>(&self, k: usize, phrases: &[(&[&str], T)]) -> Option<(T, usize)> {
        phrases
            .iter()
            .filter_map(|(p, v)| self.phrase_at(k, p).map(|(d, e)| (d, e, *v)))
            .min_by_key(|&(d, e, _)| (d, usize::MAX - e))
            .map(|(_, e, v)| (v, e))
    }
}

fn keep(t: &Text<'_>, i: usize) -> bool {
    t.is_word(i) || t.is_num(i) || matches!(t.s(i), "+" | "-" | "#" | "$" | "₦" | "=" | "/")
}

/// Parses one staff message. Deterministic, never panics, no IO.
pub fn parse_command(text: &str) -> CommandParse {
    let t = Text::new(text);
    let mut idx: Vec<usize> = (0..t.len()).filter(|&i| keep(&t, i)).collect();
    // "/help", "-stock": a leading slash or dash is decoration.
    while idx.first().is_some_and(|&i| matches!(t.s(i), "/" | "-")) {
        idx.remove(0);
    }
    strip_courtesy(&t, &mut idx);
    let x = Toks { t, idx };
    if x.idx.is_empty() {
        return CommandParse::NotACommand;
    }
    let n = x.idx.len();
    let words = x.words(0, n);

    let (mut cands, exact) = candidates(&x, 0);
    if opener(x.s(0)) && !exact {
        // "habari" is two letters from "tayari" but a greeting all the same.
        cands.clear();
    }
    if !cands.is_empty() {
        let mut parsed = cands
            .iter()
            .filter_map(|kw| run(&x, kw.verb, kw.words.len(), n, None).map(|c| (c, kw.lang)));
        if let Some((c, lang)) = parsed.next() {
            // A typo as near to two commands ("fungu": fungua or funga?) is
            // neither; an exact keyword shared by two ("listo") is the first
            // whose arguments fit.
            if exact || parsed.all(|(d, _)| d.name() == c.name()) {
                return found(c, lang.or_else(|| hint(&x)));
            }
        }
        if words > LONG {
            return CommandParse::NotACommand;
        }
        return unknown(cands.iter().map(|k| k.verb));
    }

    let bare_phone = parse_phone(x.raw(0, n)).is_some();
    // A ref first: "SEW-0042", "sew 42", "PED-0003 en camino".
    if !opener(x.s(0))
        && !bare_phone
        && let Some((r, end)) = order_ref_at(&x, 0, true)
    {
        if end == n {
            return found(Command::Order { order_ref: r }, None);
        }
        let (rest, _) = candidates(&x, end);
        for kw in &rest {
            if kw.verb.takes_ref()
                && let Some(c) = run(&x, kw.verb, end + kw.words.len(), n, Some(r.clone()))
            {
                return found(c, kw.lang.or_else(|| hint(&x)));
            }
        }
        if words <= 4 {
            let mut s: Vec<Verb> = rest
                .iter()
                .map(|k| k.verb)
                .filter(|v| v.takes_ref())
                .collect();
            if s.is_empty() {
                s = vec![Verb::Orders, Verb::StageGeneric, Verb::Paid];
            }
            return unknown(s.into_iter());
        }
    }

    if opener(x.s(0)) || words > 4 {
        return CommandParse::NotACommand;
    }
    // Short, no keyword, but a ref, a phone or a number: an attempt.
    let digits: usize = (0..n)
        .filter(|&k| x.is_num(k))
        .map(|k| x.s(k).bytes().filter(u8::is_ascii_digit).count())
        .sum();
    if digits >= 7 || bare_phone {
        return CommandParse::Unknown {
            suggestions: vec!["customer", "pause"],
        };
    }
    if (0..n).any(|k| order_ref_at(&x, k, false).is_some_and(|(r, _)| r.prefix.is_some())) {
        return unknown([Verb::Orders, Verb::StageGeneric, Verb::Paid].into_iter());
    }
    if (0..n).any(|k| x.is_num(k)) {
        return unknown([Verb::Stock, Verb::Paid].into_iter());
    }
    CommandParse::NotACommand
}

/// Drops "please", "gracias", "tafadhali", "por favor" at either end
/// ("ready SEW-0042 please"), unless nothing else is left.
fn strip_courtesy(t: &Text<'_>, idx: &mut Vec<usize>) {
    let courtesy = |w: &str| {
        matches!(
            w,
            "please"
                | "pls"
                | "plis"
                | "plz"
                | "thanks"
                | "thx"
                | "porfa"
                | "favor"
                | "gracias"
                | "tafadhali"
                | "asante"
                | "sana"
        )
    };
    let mut b = idx.len();
    while b > 0 && courtesy(t.s(idx[b - 1])) {
        b -= 1;
        if b > 0 && t.s(idx[b]) == "favor" && t.s(idx[b - 1]) == "por" {
            b -= 1;
        }
    }
    let mut a = 0;
    while a < b && courtesy(t.s(idx[a])) {
        a += 1;
    }
    if a < b {
        idx.truncate(b);
        idx.drain(..a);
    }
}

fn found(command: Command, language: Option<Language>) -> CommandParse {
    CommandParse::Command { command, language }
}

fn unknown(verbs: impl Iterator<Item = Verb>) -> CommandParse {
    let mut suggestions: Vec<&'static str> = Vec::new();
    for v in verbs {
        for name in v.names() {
            if !suggestions.contains(name) {
                suggestions.push(name);
            }
        }
    }
    if suggestions.is_empty() {
        suggestions.push("help");
    }
    CommandParse::Unknown { suggestions }
}

/// The keywords that match best at token `k`, in table order, and whether
/// they match exactly.
fn candidates(x: &Toks<'_>, k: usize) -> (Vec<&'static Kw>, bool) {
    let scored: Vec<(usize, usize, &'static Kw)> = KEYWORDS
        .iter()
        .filter_map(|kw| {
            x.phrase_at(k, kw.words)
                .map(|(d, _)| (d, kw.words.len(), kw))
        })
        .collect();
    let Some(best) = scored.iter().map(|&(d, l, _)| (d, usize::MAX - l)).min() else {
        return (Vec::new(), false);
    };
    let kws = scored
        .into_iter()
        .filter(|&(d, l, _)| (d, usize::MAX - l) == best)
        .map(|(_, _, kw)| kw)
        .collect();
    (kws, best.0 == 0)
}

/// The language told by an argument word, when the keyword did not tell.
fn hint(x: &Toks<'_>) -> Option<Language> {
    (0..x.idx.len()).find_map(|k| match x.s(k) {
        "today" | "week" | "month" | "cash" | "transfer" | "bot" | "the" | "for" => EN,
        "hoy" | "semana" | "mes" | "efectivo" | "transferencia" | "de" | "del" | "para" => ES,
        "leo" | "wiki" | "mwezi" | "taslimu" | "ya" | "za" | "hii" | "huu" | "kwa" => SW,
        _ => None,
    })
}

/// Runs the grammar of `verb` on tokens `a..b`; `pre` is a ref that came
/// before the keyword.
fn run(x: &Toks<'_>, verb: Verb, a: usize, b: usize, pre: Option<OrderRef>) -> Option<Command> {
    if pre.is_some() && !verb.takes_ref() {
        return None;
    }
    let only_ref = |a: usize| -> Option<OrderRef> {
        match pre.clone() {
            Some(r) => (a == b).then_some(r),
            None => order_ref_at(x, a, true).and_then(|(r, e)| (e == b).then_some(r)),
        }
    };
    match verb {
        Verb::Orders => {
            if a == b {
                return Some(Command::Orders {
                    filter: OrderFilter::Today,
                });
            }
            if let Some((r, e)) = order_ref_at(x, a, true)
                && e == b
            {
                return Some(Command::Order { order_ref: r });
            }
            list_filter(x, a, b, None).map(|filter| Command::Orders { filter })
        }
        Verb::Urgent => list_filter(x, a, b, Some(OrderFilter::Urgent))
            .filter(|f| *f == OrderFilter::Urgent)
            .map(|filter| Command::Orders { filter }),
        Verb::Unpaid => list_filter(x, a, b, Some(OrderFilter::Unpaid))
            .filter(|f| *f == OrderFilter::Unpaid)
            .map(|filter| Command::Orders { filter }),
        Verb::Stage(stage) => only_ref(a).map(|order_ref| set_stage(order_ref, stage)),
        Verb::StageGeneric => {
            let (r, k) = match pre.clone() {
                Some(r) => (Some(r), a),
                None => match order_ref_at(x, a, true) {
                    Some((r, e)) => (Some(r), e),
                    None => (None, a),
                },
            };
            if k == b {
                return r.map(|order_ref| Command::Order { order_ref });
            }
            let (stage, e) = stage_at(x, k)?;
            match r {
                Some(order_ref) => (e == b).then(|| set_stage(order_ref, stage)),
                None => only_ref(e).map(|order_ref| set_stage(order_ref, stage)),
            }
        }
        Verb::Cancel => only_ref(a).map(|order_ref| Command::Cancel { order_ref }),
        Verb::Remind => only_ref(a).map(|order_ref| Command::Remind { order_ref }),
        Verb::Paid => paid(x, a, b, pre),
        Verb::Stock | Verb::StockAdd | Verb::StockRemove => stock(x, verb, a, b),
        Verb::OutOfStock => {
            let product = product(x, a, b)?;
            Some(Command::Stock {
                product,
                change: StockChange::Out,
            })
        }
        Verb::Pause | Verb::Resume => pause(x, verb == Verb::Pause, a, b),
        Verb::Sales => sales(x, a, b).map(|period| Command::Sales { period }),
        Verb::Customer => {
            let k = skip(x, a, b, |w| {
                matches!(
                    w,
                    "with" | "con" | "number" | "numero" | "phone" | "tel" | "namba" | "ya" | "de"
                )
            });
            phone(x, k, b).map(|phone| Command::Customer { phone })
        }
        Verb::Open | Verb::Close => {
            let open = verb == Verb::Open;
            let k = skip(x, a, b, |w| {
                matches!(
                    w,
                    "today" | "hoy" | "leo" | "for" | "por" | "kwa" | "now" | "ahora" | "sasa"
                )
            });
            (k == b).then_some(if open { Command::Open } else { Command::Close })
        }
        Verb::Done => (a == b).then_some(Command::Done),
        Verb::Undo => (a == b).then_some(Command::Undo),
        // A topic may follow ("help stock"); more is a sentence.
        Verb::Help => (b - a <= 2).then_some(Command::Help),
    }
}

fn set_stage(order_ref: OrderRef, stage: Stage) -> Command {
    if stage == Stage::Cancelled {
        Command::Cancel { order_ref }
    } else {
        Command::SetStage { order_ref, stage }
    }
}

/// Skips tokens from `a` for which `filler` holds; the first other index.
fn skip(x: &Toks<'_>, a: usize, b: usize, mut filler: impl FnMut(&str) -> bool) -> usize {
    let mut k = a;
    while k < b && filler(x.s(k)) {
        k += 1;
    }
    k
}

/// A stage name or keyword at `k` ("sewing", "out_for_delivery", "listo").
fn stage_at(x: &Toks<'_>, k: usize) -> Option<(Stage, usize)> {
    const EXTRA: &[(&[&str], Stage)] = &[
        (&["cancelled"], Stage::Cancelled),
        (&["cancel"], Stage::Cancelled),
        (&["cancelado"], Stage::Cancelled),
        (&["cancelada"], Stage::Cancelled),
    ];
    let stages: Vec<(&[&str], Stage)> = KEYWORDS
        .iter()
        .filter_map(|kw| match kw.verb {
            Verb::Stage(s) => Some((kw.words, s)),
            _ => None,
        })
        .chain(EXTRA.iter().copied())
        .collect();
    x.best_of(k, &stages)
}

fn list_filter(
    x: &Toks<'_>,
    a: usize,
    b: usize,
    already: Option<OrderFilter>,
) -> Option<OrderFilter> {
    const FILTERS: &[(&[&str], OrderFilter)] = &[
        (&["today"], OrderFilter::Today),
        (&["hoy"], OrderFilter::Today),
        (&["leo"], OrderFilter::Today),
        (&["urgent"], OrderFilter::Urgent),
        (&["urgentes"], OrderFilter::Urgent),
        (&["urgente"], OrderFilter::Urgent),
        (&["dharura"], OrderFilter::Urgent),
        (&["unpaid"], OrderFilter::Unpaid),
        (&["sin", "pagar"], OrderFilter::Unpaid),
        (&["sin", "cobrar"], OrderFilter::Unpaid),
        (&["no", "pagados"], OrderFilter::Unpaid),
        (&["impagos"], OrderFilter::Unpaid),
        (&["impagas"], OrderFilter::Unpaid),
        (&["hazijalipwa"], OrderFilter::Unpaid),
        (&["haijalipwa"], OrderFilter::Unpaid),
        (&["zisizolipwa"], OrderFilter::Unpaid),
    ];
    let filler = |w: &str| {
        matches!(
            w,
            "orders"
                | "order"
                | "pedidos"
                | "pedido"
                | "oda"
                | "for"
                | "of"
                | "de"
                | "del"
                | "los"
                | "la"
                | "za"
                | "ya"
                | "ambazo"
                | "zote"
                | "all"
                | "todos"
        )
    };
    let mut filter = already;
    let mut k = a;
    while k < b {
        if filler(x.s(k)) {
            k += 1;
            continue;
        }
        let (f, e) = x.best_of(k, FILTERS)?;
        if e > b || filter.is_some_and(|g| g != f && already.is_none()) {
            return None;
        }
        if already.is_none() {
            filter = Some(f);
        }
        k = e;
    }
    Some(filter.unwrap_or(OrderFilter::Today))
}

fn sales(x: &Toks<'_>, a: usize, b: usize) -> Option<Period> {
    const PERIODS: &[(&[&str], Period)] = &[
        (&["today"], Period::Today),
        (&["hoy"], Period::Today),
        (&["leo"], Period::Today),
        (&["week"], Period::Week),
        (&["semana"], Period::Week),
        (&["wiki"], Period::Week),
        (&["month"], Period::Month),
        (&["mes"], Period::Month),
        (&["mwezi"], Period::Month),
    ];
    let filler = |w: &str| {
        matches!(
            w,
            "this"
                | "the"
                | "of"
                | "for"
                | "esta"
                | "este"
                | "la"
                | "el"
                | "de"
                | "del"
                | "ya"
                | "hii"
                | "huu"
                | "wa"
                | "za"
        )
    };
    let mut period = None;
    let mut k = a;
    while k < b {
        if filler(x.s(k)) {
            k += 1;
            continue;
        }
        let (p, e) = x.best_of(k, PERIODS)?;
        if period.is_some() || e > b {
            return None;
        }
        period = Some(p);
        k = e;
    }
    Some(period.unwrap_or(Period::Today))
}

/// Free text naming a product: tokens `a..b`, which must hold a word and
/// be neither an order ref ("resume SEW-0042") nor hold a signed count
/// ("stock sugar +20 +5").
fn product(x: &Toks<'_>, a: usize, b: usize) -> Option<String> {
    if !(a..b).any(|k| x.is_word(k)) {
        return None;
    }
    if order_ref_at(x, a, true).is_some_and(|(_, e)| e == b) {
        return None;
    }
    let signed = (a..b).any(|k| {
        x.s(k) == "+" || (x.s(k) == "-" && !x.glued(k) && x.is_num(k + 1) && x.glued(k + 1))
    });
    if signed {
        return None;
    }
    let p = x.raw(a, b);
    (!p.is_empty()).then(|| p.to_owned())
}

fn stock(x: &Toks<'_>, verb: Verb, a: usize, b: usize) -> Option<Command> {
    if b <= a + 1 {
        return None;
    }
    let sign_at = |k: usize| match x.s(k) {
        "+" => Some(true),
        "-" => Some(false),
        _ => None,
    };
    // The count last ("stock sugar +20") or first ("stock +20 sugar").
    let last = b - 1;
    let (sign, qty, pa, pb) = if x.is_num(last) && !(x.glued(last) && x.is_word(last - 1)) {
        match sign_at(last - 1).filter(|_| x.glued(last) && last > a) {
            Some(s) => (Some(s), last, a, last - 1),
            None => (None, last, a, last),
        }
    } else {
        match sign_at(a) {
            Some(s) if x.is_num(a + 1) && x.glued(a + 1) => (Some(s), a + 1, a + 2, b),
            _ if x.is_num(a) && !(x.is_word(a + 1) && x.glued(a + 1)) => (None, a, a + 1, b),
            _ => return None,
        }
    };
    let n = u32::try_from(major_units(x.s(qty), 1)?).ok()?;
    let product = product(x, pa, pb)?;
    let change = match (verb, sign) {
        (Verb::Stock, Some(true)) | (Verb::StockAdd, None | Some(true)) => StockChange::Add(n),
        (Verb::Stock, Some(false)) | (Verb::StockRemove, None | Some(false)) => {
            StockChange::Remove(n)
        }
        (Verb::Stock, None) => StockChange::Set(n),
        _ => return None,
    };
    Some(Command::Stock { product, change })
}

fn pause(x: &Toks<'_>, pause: bool, a: usize, b: usize) -> Option<Command> {
    let mut bot = false;
    let k = skip(x, a, b, |w| {
        bot |= w == "bot";
        matches!(
            w,
            "bot" | "the" | "for" | "para" | "al" | "a" | "el" | "la" | "kwa" | "ya" | "de" | "del"
        )
    });
    if let Some(phone) = phone(x, k, b) {
        return Some(if pause {
            Command::PauseBot { phone }
        } else {
            Command::ResumeBot { phone }
        });
    }
    if bot {
        return None;
    }
    let product = product(x, k, b)?;
    Some(if pause {
        Command::Snooze { product }
    } else {
        Command::Unsnooze { product }
    })
}

fn paid(x: &Toks<'_>, a: usize, b: usize, pre: Option<OrderRef>) -> Option<Command> {
    let (order_ref, mut k) = match pre {
        Some(r) => (r, a),
        None => order_ref_at(x, a, true)?,
    };
    let mut amount = None;
    let mut method = None;
    while k < b {
        if matches!(
            x.s(k),
            "by" | "via" | "in" | "en" | "por" | "con" | "kwa" | "with" | "de"
        ) {
            k += 1;
            continue;
        }
        if amount.is_none()
            && let Some((v, e)) = amount_at(x, k)
        {
            amount = Some(v);
            k = e;
            continue;
        }
        if method.is_none()
            && let Some((m, e)) = method_at(x, k)
        {
            method = Some(m);
            k = e;
            continue;
        }
        return None;
    }
    if k > b {
        return None;
    }
    Some(Command::Paid {
        order_ref,
        amount: amount?,
        method,
    })
}

fn method_at(x: &Toks<'_>, k: usize) -> Option<(PaymentMethod, usize)> {
    use PaymentMethod::*;
    const METHODS: &[(&[&str], PaymentMethod)] = &[
        (&["cash"], Cash),
        (&["efectivo"], Cash),
        (&["taslimu"], Cash),
        (&["pesa", "taslimu"], Cash),
        (&["transfer"], Transfer),
        (&["bank", "transfer"], Transfer),
        (&["bank"], Transfer),
        (&["transferencia"], Transfer),
        (&["transferencia", "bancaria"], Transfer),
        (&["transf"], Transfer),
        (&["trf"], Transfer),
        (&["banco"], Transfer),
        (&["benki"], Transfer),
        (&["uhamisho"], Transfer),
        (&["mpesa"], Mpesa),
        (&["m", "-", "pesa"], Mpesa),
        (&["m", "pesa"], Mpesa),
        (&["card"], Card),
        (&["tarjeta"], Card),
        (&["kadi"], Card),
    ];
    x.best_of(k, METHODS)
}

/// Currency words and symbols around an amount, dropped.
fn currency(w: &str) -> bool {
    matches!(
        w,
        "₦" | "$"
            | "n"
            | "ksh"
            | "kshs"
            | "kes"
            | "sh"
            | "shs"
            | "ngn"
            | "ars"
            | "tsh"
            | "naira"
            | "pesos"
            | "peso"
            | "bob"
            | "shillings"
            | "shilingi"
    )
}

/// An amount at `k`: `15000`, `15,000`, `15.000`, `15k`, `1.5k`, `15 mil`,
/// `15 lucas`, `elfu 15`, `₦15,000`, `ksh 500`, `500/=`, in major units.
fn amount_at(x: &Toks<'_>, k: usize) -> Option<(i64, usize)> {
    let mut k = k;
    let mut mult = 1;
    if currency(x.s(k)) && x.is_num(k + 1) {
        k += 1;
    } else if x.s(k) == "elfu" && x.is_num(k + 1) {
        mult = 1000;
        k += 1;
    }
    if !x.is_num(k) {
        return None;
    }
    let num = k;
    let mut e = k + 1;
    match x.s(e) {
        "k" if x.glued(e) => {
            mult = 1000;
            e += 1;
        }
        "m" if x.glued(e) && x.s(e + 1) != "-" && x.s(e + 1) != "pesa" => {
            mult = 1_000_000;
            e += 1;
        }
        "mil" | "lucas" | "luca" => {
            mult = 1000;
            e += 1;
        }
        _ => {}
    }
    if x.is_word(e) && x.glued(e) && !currency(x.s(e)) {
        return None;
    }
    if currency(x.s(e)) && x.s(e) != "n" {
        e += 1;
    } else if x.s(e) == "/" && x.s(e + 1) == "=" {
        e += 2;
    }
    let v = major_units(x.s(num), mult)?;
    (v >= 1).then_some((v, e))
}

/// The integer value of a number as typed, times `mult`, if it is whole:
/// "15,000" and "15.000" (groups of three) are 15000, "15000.00" is 15000,
/// "1.5" times 1000 is 1500; "1.5" alone, "2.500,50" or "1.2345k" are not
/// whole and give `None`, as does anything that overflows.
pub(crate) fn major_units(s: &str, mult: i64) -> Option<i64> {
    let (int, frac) = split_number(s)?;
    let mut v: i64 = 0;
    for b in int.bytes().filter(u8::is_ascii_digit) {
        v = v.checked_mul(10)?.checked_add(i64::from(b - b'0'))?;
    }
    v = v.checked_mul(mult)?;
    let frac = frac.trim_end_matches('0');
    if !frac.is_empty() {
        if frac.len() > 9 {
            return None;
        }
        let scale = 10i64.pow(frac.len() as u32);
        let f: i64 = frac.parse().ok()?;
        let m = f.checked_mul(mult)?;
        if m % scale != 0 {
            return None;
        }
        v = v.checked_add(m / scale)?;
    }
    Some(v)
}

/// Splits a number into its integer part (separators included) and its
/// decimal digits. `None` when it is neither well grouped nor decimal.
fn split_number(s: &str) -> Option<(&str, &str)> {
    if s.is_empty()
        || !s
            .bytes()
            .all(|b| b.is_ascii_digit() || b == b'.' || b == b',')
    {
        return None;
    }
    let Some(last) = s.rfind(['.', ',']) else {
        return Some((s, ""));
    };
    let sep = s.as_bytes()[last];
    if grouped(s, sep) {
        return Some((s, ""));
    }
    let (int, frac) = (&s[..last], &s[last + 1..]);
    if frac.is_empty() || frac.contains(['.', ',']) {
        return None;
    }
    let other = if sep == b'.' { b',' } else { b'.' };
    let int_ok =
        !int.bytes().any(|b| b == sep) && (!int.bytes().any(|b| b == other) || grouped(int, other));
    int_ok.then_some((int, frac))
}

/// "1,500,000": one to three digits, then groups of exactly three, all
/// separated by `sep` and nothing else.
fn grouped(s: &str, sep: u8) -> bool {
    let mut groups = s.split(sep as char);
    let first_ok = groups
        .next()
        .is_some_and(|g| (1..=3).contains(&g.len()) && g.bytes().all(|b| b.is_ascii_digit()));
    let mut rest = 0;
    let rest_ok = groups.all(|g| {
        rest += 1;
        g.len() == 3 && g.bytes().all(|b| b.is_ascii_digit())
    });
    first_ok && rest_ok && rest > 0
}

/// Words before a ref that say it is one: "order 42", "pedido nro 3".
fn is_ref_filler(w: &str) -> bool {
    matches!(
        w,
        "order" | "pedido" | "oda" | "orden" | "no" | "nro" | "number" | "numero" | "namba"
    )
}

/// Words that are never the prefix of a ref without its dash ("ksh 500",
/// "cash 100", "n15000"); "DE-0001" with its dash is a ref all the same.
fn not_a_prefix(w: &str) -> bool {
    is_ref_filler(w)
        || currency(w)
        || matches!(
            w,
            "no" | "nro"
                | "kg"
                | "k"
                | "m"
                | "mil"
                | "cash"
                | "bank"
                | "card"
                | "mpesa"
                | "elfu"
                | "the"
                | "for"
                | "de"
                | "del"
                | "ya"
                | "za"
                | "con"
                | "por"
                | "via"
                | "by"
                | "kwa"
                | "en"
                | "in"
        )
}

/// An order ref at `k`, and the index after it: `SEW-0042`, `sew42`,
/// `#42`, `42`, and with `spaced`, `sew 42`; optionally after "order",
/// "pedido", "oda", "no", "nro". The number has 1 to 6 digits.
fn order_ref_at(x: &Toks<'_>, k: usize, spaced: bool) -> Option<(OrderRef, usize)> {
    let mut k = k;
    while is_ref_filler(x.s(k)) && x.idx.get(k + 1).is_some() && !x.glued(k + 1) {
        k += 1;
    }
    let (prefix, num) = if x.s(k) == "#" && x.is_num(k + 1) && x.glued(k + 1) {
        (None, k + 1)
    } else if x.is_num(k) {
        (None, k)
    } else if x.is_word(k) && valid_prefix(x.s(k)) {
        if x.s(k + 1) == "-" && x.is_num(k + 2) && x.glued(k + 1) && x.glued(k + 2) {
            (Some(k), k + 2)
        } else if x.is_num(k + 1) && (spaced || x.glued(k + 1)) && !not_a_prefix(x.s(k)) {
            (Some(k), k + 1)
        } else {
            return None;
        }
    } else {
        return None;
    };
    let digits = x.s(num);
    if !(1..=6).contains(&digits.len()) || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    // "SEW-0042abc", "42kg": not a ref.
    if x.glued(num + 1) && x.is_word(num + 1) {
        return None;
    }
    let number: u32 = digits.parse().ok()?;
    let prefix = prefix.map(|p| x.s(p));
    OrderRef::new(prefix, number).map(|r| (r, num + 1))
}

/// A phone number filling tokens `a..b`: digits with spaces, dashes, dots
/// or brackets, 7 to 15 digits, a `+` only in front. The digits, with the
/// `+` kept.
fn phone(x: &Toks<'_>, a: usize, b: usize) -> Option<String> {
    let raw = x.raw(a, b);
    parse_phone(raw)
}

/// See [`phone`]; public to the crate for the tests.
pub(crate) fn parse_phone(raw: &str) -> Option<String> {
    let raw = raw.trim();
    let mut out = String::with_capacity(raw.len());
    for (i, c) in raw.char_indices() {
        match c {
            '0'..='9' => out.push(c),
            '+' if i == 0 => out.push(c),
            ' ' | '-' | '.' | '(' | ')' | '\u{a0}' => {}
            _ => return None,
        }
    }
    let digits = out.bytes().filter(u8::is_ascii_digit).count();
    (7..=15).contains(&digits).then_some(out)
}

/// What a staff member's product words name in the catalog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProductMatch {
    /// One product: its index in the list given.
    One(usize),
    /// Several fit equally well (best first, at most five): ask which.
    Several(Vec<usize>),
    None,
}

/// The words of a folded name: letters and digits.
fn name_words(s: &str) -> Vec<String> {
    crate::text::fold(s)
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Typos a word of this many letters may carry (the keywords' rule).
fn slack(len: usize) -> usize {
    match len {
        0..=3 => 0,
        4..=5 => 1,
        _ => 2,
    }
}

/// Finds the product a staff member named ("sugar", "sukari", "coca",
/// "SKU-12", "mandazi" for "Mandazi (dozen)"), among `names`: for each
/// product its name, then its aliases and SKU. In order of strength: the
/// whole name, an alias or the SKU as typed (case and accents aside); every
/// typed word is a word of the name or an alias ("coca" in "Coca-Cola
/// 500ml"); the same with a letter or two off ("sukary"). The strongest
/// kind that finds anything decides; more than one product of that kind is
/// [`ProductMatch::Several`].
pub fn find_product(typed: &str, names: &[Vec<&str>]) -> ProductMatch {
    let want = name_words(typed);
    if want.is_empty() {
        return ProductMatch::None;
    }
    let whole = want.join(" ");
    let words: Vec<Vec<Vec<String>>> = names
        .iter()
        .map(|ns| ns.iter().map(|n| name_words(n)).collect())
        .collect();
    let exact = |i: usize| words[i].iter().any(|n| n.join(" ") == whole);
    let contains = |i: usize, typos: bool| {
        words[i].iter().any(|n| {
            want.iter().all(|w| {
                n.iter().any(|x| {
                    x == w
                        || (typos && {
                            let max = slack(w.len().min(x.len()));
                            max > 0 && crate::text::edit_distance(w, x, max) <= max
                        })
                })
            })
        })
    };
    let tiers: [&dyn Fn(usize) -> bool; 3] =
        [&exact, &|i| contains(i, false), &|i| contains(i, true)];
    for tier in tiers {
        let hits: Vec<usize> = (0..names.len()).filter(|&i| tier(i)).collect();
        match hits.len() {
            0 => continue,
            1 => return ProductMatch::One(hits[0]),
            _ => return ProductMatch::Several(hits.into_iter().take(5).collect()),
        }
    }
    ProductMatch::None
}

/// A yes or a no to a question (`yes`, `sí`, `dale`, `ndiyo`; `no`,
/// `hapana`), or neither.
pub fn yes_no(text: &str) -> Option<bool> {
    const YES: &[&str] = &[
        "yes", "y", "yeah", "yep", "ok", "okay", "sure", "confirm", "si", "s", "dale", "claro",
        "confirmo", "ndiyo", "ndio", "sawa", "naam",
    ];
    const NO: &[&str] = &["no", "n", "nope", "cancel", "keep", "hapana", "la", "nah"];
    let words = name_words(text);
    let first = words.first()?;
    if words.len() > 3 {
        return None;
    }
    if YES.contains(&first.as_str()) {
        Some(true)
    } else if NO.contains(&first.as_str()) {
        Some(false)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn products_are_found_by_name_alias_sku_word_or_near_word() {
        let names = vec![
            vec!["Sugar 1kg", "sukari", "SUG-1"],
            vec!["Coca-Cola 500ml", "coca", "COKE"],
            vec!["Coca-Cola 1.5L", "COKE-15"],
            vec!["Empanada de carne", "carne", "EMP-C"],
            vec!["Empanada de pollo", "pollo", "EMP-P"],
            vec!["Flan casero", "FLAN"],
        ];
        let one = |t: &str| find_product(t, &names);
        assert_eq!(one("sugar"), ProductMatch::One(0));
        assert_eq!(one("SUKARI"), ProductMatch::One(0));
        assert_eq!(one("sug-1"), ProductMatch::One(0));
        assert_eq!(one("sukary"), ProductMatch::One(0), "one letter off");
        assert_eq!(one("flan"), ProductMatch::One(5));
        // The alias "coca" is the whole name of one product: it wins over
        // the word "coca" in both names.
        assert_eq!(one("coca"), ProductMatch::One(1));
        assert_eq!(one("coca cola"), ProductMatch::Several(vec![1, 2]));
        assert_eq!(one("empanada"), ProductMatch::Several(vec![3, 4]));
        assert_eq!(one("empanada pollo"), ProductMatch::One(4));
        assert_eq!(one("póllo"), ProductMatch::One(4), "accents aside");
        assert_eq!(one("pizza"), ProductMatch::None);
        assert_eq!(one("  "), ProductMatch::None);
        assert_eq!(find_product("sugar", &[]), ProductMatch::None);
    }

    #[test]
    fn yes_and_no_in_three_languages() {
        for y in ["yes", "Sí", "dale", "ndiyo", "OK!", "si, cancelalo"] {
            assert_eq!(yes_no(y), Some(true), "{y}");
        }
        for n in ["no", "No, keep it", "hapana"] {
            assert_eq!(yes_no(n), Some(false), "{n}");
        }
        for other in ["orders today", "", "yes I think we should do it later then"] {
            assert_eq!(yes_no(other), None, "{other}");
        }
    }

    fn cmd(text: &str) -> Command {
        match parse_command(text) {
            CommandParse::Command { command, .. } => command,
            other => panic!("{text:?} gave {other:?}"),
        }
    }

    #[test]
    fn amounts() {
        assert_eq!(major_units("15000", 1), Some(15000));
        assert_eq!(major_units("15,000", 1), Some(15000));
        assert_eq!(major_units("15.000", 1), Some(15000));
        assert_eq!(major_units("1,500,000", 1), Some(1_500_000));
        assert_eq!(major_units("1.500.000", 1), Some(1_500_000));
        assert_eq!(major_units("15000.00", 1), Some(15000));
        assert_eq!(major_units("15", 1000), Some(15000));
        assert_eq!(major_units("1.5", 1000), Some(1500));
        assert_eq!(major_units("2,25", 1000), Some(2250));
        assert_eq!(major_units("1.5", 1), None);
        assert_eq!(major_units("2.500,50", 1), None);
        assert_eq!(major_units("2.500,00", 1), Some(2500));
        assert_eq!(major_units("1.2345", 1000), None);
        assert_eq!(major_units("1,50,000", 1), None);
        assert_eq!(major_units("99999999999999999999", 1), None);
        assert_eq!(major_units("9223372036854775807", 1000), None);
    }

    #[test]
    fn refs() {
        let r = |s: &str| match cmd(s) {
            Command::Order { order_ref } => order_ref.to_string(),
            other => panic!("{s:?} gave {other:?}"),
        };
        assert_eq!(r("SEW-0042"), "SEW-0042");
        assert_eq!(r("sew 42"), "SEW-0042");
        assert_eq!(r("sew42"), "SEW-0042");
        assert_eq!(r("Ped-3"), "PED-0003");
        assert_eq!(r("pedido PED-0003"), "PED-0003");
        assert_eq!(r("order #42"), "#42");
        assert_eq!(r("PED-12345"), "PED-12345");
        let bare = OrderRef::new(None, 42);
        assert_eq!(bare.map(|b| b.resolve("ORD")), Some("ORD-0042".into()));
        assert_eq!(OrderRef::new(Some("TOOLONGX"), 1), None);
        assert_eq!(OrderRef::new(Some("SEW"), 0), None);
    }

    #[test]
    fn phones() {
        assert_eq!(parse_phone("0803 123 4567"), Some("08031234567".into()));
        assert_eq!(
            parse_phone("+54 9 11 2345-6789"),
            Some("+5491123456789".into())
        );
        assert_eq!(parse_phone("(011) 4567.8901"), Some("01145678901".into()));
        assert_eq!(parse_phone("12345"), None);
        assert_eq!(parse_phone("0803 + 123 4567"), None);
        assert_eq!(parse_phone("flan 0803 123 4567"), None);
    }

    #[test]
    fn fuzzy_keywords() {
        assert_eq!(keyword_distance("ordrs", "orders"), Some(1));
        assert_eq!(keyword_distance("pedidso", "pedidos"), Some(1));
        assert_eq!(keyword_distance("stcok", "stock"), Some(1));
        assert_eq!(keyword_distance("stcko", "stock"), None);
        assert_eq!(keyword_distance("oda", "oda"), Some(0));
        assert_eq!(keyword_distance("odo", "oda"), None);
        assert_eq!(keyword_distance("none", "done"), None);
        assert_eq!(keyword_distance("kumbsha", "kumbusha"), Some(1));
    }

    #[test]
    fn flags() {
        assert!(!cmd("orders today").writes());
        assert!(!cmd("sales week").writes());
        assert!(cmd("ready SEW-0042").writes());
        assert!(cmd("cancel SEW-0042").destructive());
        assert!(!cmd("ready SEW-0042").destructive());
        assert_eq!(cmd("sin stock coca").name(), "out_of_stock");
    }
}
