//! The one intent per message: what the business must act on. Rules are
//! ordered by precedence (nlu.md: an order that also carries measurements is
//! `new_order`; a greeting in front of an order is an order).

use crate::Intent;
use crate::text::{Text, phrases};

phrases!(OPT_OUT_SET = OPT_OUT);
phrases!(HANDOFF_SET = HANDOFF);
phrases!(CANCEL_SET = CANCEL);
phrases!(PAID_SET = PAID);
phrases!(STATUS_SET = STATUS);
phrases!(ORDER_VERBS_SET = ORDER_VERBS);
phrases!(NOT_ORDER_SET = NOT_ORDER);
phrases!(REUSE_SET = REUSE);
phrases!(MEASURE_PHRASES_SET = MEASURE_PHRASES);
phrases!(MENU_SET = MENU);
phrases!(GREETING_SET = GREETING);
phrases!(STRONG_STATUS_SET = STRONG_STATUS);
phrases!(WEAK_VERBS_SET = WEAK_VERBS);
phrases!(
    DONT_WANT = &[
        "don't want",
        "dont want",
        "do not want",
        "no want",
        "no longer"
    ]
);
phrases!(AGAIN = &["again", "anymore", "any more", "no more", "refund"]);
phrases!(
    ASKING = &[
        "i want to know",
        "quiero saber",
        "queria saber",
        "nataka kujua",
        "i wan know"
    ]
);
phrases!(
    NOT_PAID = &[
        "not paid",
        "haven't paid",
        "havent paid",
        "no pague",
        "sijalipa",
        "will pay",
        "i go pay"
    ]
);
phrases!(READY_WORDS = &["ready", "listo", "lista", "tayari"]);
phrases!(
    ORDER_NOUNS = &[
        "sew", "order", "pedir", "pedido", "agiza", "make", "encargar"
    ]
);
phrases!(QUESTION_MARK = &["?"]);

/// Which fields the extractors found: intent rules lean on them.
pub(crate) struct Found {
    pub items: bool,
    pub style: bool,
    pub measurements: bool,
    pub order_ref: bool,
    pub payment_ref: bool,
    pub quantity: bool,
    pub deadline: bool,
}

const OPT_OUT: &[&str] = &[
    "unsubscribe",
    "opt out",
    "optout",
    "opt-out",
    "stop sending",
    "stop messaging",
    "stop texting",
    "stop messages",
    "stop these messages",
    "stop this messages",
    "no more messages",
    "no more message",
    "don't message me",
    "dont message me",
    "don't text me",
    "dont text me",
    "do not message me",
    "do not text me",
    "remove me",
    "remove my number",
    "delete my number",
    "take me off",
    "stop dey message",
    "stop dey send",
    "no dey send me",
    "stop the messages",
    "stop all messages",
    "stop sending me",
    "no quiero mas mensajes",
    "no quiero recibir",
    "no me manden mas",
    "no me manden mensajes",
    "no me escriban mas",
    "dejen de mandarme",
    "dejen de escribirme",
    "darme de baja",
    "dar de baja",
    "me doy de baja",
    "denme de baja",
    "quiero la baja",
    "no me molesten",
    "borrame",
    "borren mi numero",
    "sacame de la lista",
    "acha kunitumia",
    "usinitumie",
    "msinitumie",
    "sitaki ujumbe",
    "sitaki messages",
    "acheni kunitumia",
    "stop kunitumia",
    "ondoa namba",
    "nitoe kwenye",
    "don't send me",
    "dont send me",
    "stop sending me messages",
];

const HANDOFF: &[&str] = &[
    "speak to a human",
    "speak with a human",
    "talk to a human",
    "talk to human",
    "real person",
    "human being",
    "a human",
    "talk to someone",
    "speak to someone",
    "talk to somebody",
    "speak to somebody",
    "talk to the owner",
    "speak to the owner",
    "speak with the owner",
    "talk to madam",
    "speak with madam",
    "speak to madam",
    "talk to oga",
    "talk to your oga",
    "talk to the manager",
    "speak to the manager",
    "speak to your manager",
    "customer care",
    "customer service",
    "an agent",
    "live agent",
    "call me",
    "give me a call",
    "make i talk to",
    "i wan talk to",
    "make una call me",
    "person wey",
    "not a bot",
    "no be bot",
    "are you a bot",
    "you be robot",
    "hablar con una persona",
    "hablar con alguien",
    "hablar con el dueno",
    "hablar con la duena",
    "hablar con el encargado",
    "hablar con un humano",
    "hablar con una persona real",
    "atencion al cliente",
    "persona real",
    "persona de verdad",
    "un humano",
    "llamame",
    "llamenme",
    "me llaman",
    "me pueden llamar",
    "me podes llamar",
    "nipigie",
    "nipigieni",
    "naomba kuongea na",
    "niongee na",
    "nataka kuongea na",
    "mtu halisi",
    "ongea na mtu",
    "kuongea na mtu",
    "not a robot",
    "sos un bot",
    "es un bot",
    "hablar con vos",
    "operator",
    "operador",
    "talk to a person",
    "speak to a person",
    "speak with a person",
    "is this a bot",
    "who can i talk to",
    "who can i speak to",
    "who do i talk to",
    "who do i speak to",
    "con quien hablo",
    "con quien puedo hablar",
];

const CANCEL: &[&str] = &[
    "cancel",
    "cancelled",
    "canceled",
    "cancelar",
    "cancela",
    "cancelo",
    "cancelame",
    "cancelalo",
    "cancelen",
    "cancelemos",
    "anular",
    "anula",
    "anulen",
    "anulalo",
    "ghairi",
    "nimeghairi",
    "ghairisha",
    "sitaki tena",
    "sihitaji tena",
    "don't want it again",
    "dont want it again",
    "don't want it anymore",
    "dont want it anymore",
    "no longer need",
    "no longer want",
    "i no want am again",
    "no need again",
    "forget the order",
    "forget about the order",
    "olvidate del pedido",
    "ya no quiero",
    "ya no lo quiero",
    "ya no las quiero",
    "no lo quiero mas",
    "call off",
    "stop the order",
    "stop my order",
    "cancel am",
    "no go sew am again",
    "not interested again",
    "i no dey do again",
    "wacha order",
    "acha order",
    "refund",
    "reembolso",
    "devuelvan la plata",
];

const PAID: &[&str] = &[
    "paid",
    "i have paid",
    "i've paid",
    "ive paid",
    "just paid",
    "payment made",
    "payment done",
    "made payment",
    "made the payment",
    "sent the money",
    "sent money",
    "sent the balance",
    "sent the deposit",
    "transferred",
    "transfered",
    "did the transfer",
    "done the transfer",
    "made a transfer",
    "made transfer",
    "transfer done",
    "transfer don",
    "don transfer",
    "i don pay",
    "don pay",
    "don send the money",
    "don send money",
    "don send am",
    "check your alert",
    "check ur alert",
    "check your account",
    "receive alert",
    "see alert",
    "the alert",
    "proof of payment",
    "payment receipt",
    "nimelipa",
    "nimeshalipa",
    "nimetuma",
    "nimekutumia",
    "nimelipia",
    "tumelipa",
    "nimeshatuma",
    "nimeweka",
    "nimekulipa",
    "tumetuma",
    "ya transferi",
    "ya te transferi",
    "te transferi",
    "transferi",
    "ya pague",
    "pague",
    "te pague",
    "ya te pague",
    "hice la transferencia",
    "te hice la transferencia",
    "te mande el comprobante",
    "comprobante",
    "ya abone",
    "abone",
    "te abone",
    "ya te gire",
    "te envie la plata",
    "ya esta pago",
    "esta pagado",
    "ya deposite",
    "te mande la plata",
    "ya te mande la plata",
    "te pase la plata",
    "ya te pase",
    "ahi te transferi",
    "listo el pago",
    "pago hecho",
    "ya hice el pago",
    "hice el pago",
    "te gire",
    "confirmed",
    "i have sent",
    "i've sent the",
    "just sent",
    "sent you",
    "i sent",
    "pagado",
    "llego la transferencia",
    "llego el pago",
    "te llego la transferencia",
    "made the transfer",
];

const STATUS: &[&str] = &[
    "how far with my",
    "how far with the",
    "how far with am",
    "how far my",
    "how far na my",
    "how far on my",
    "how far for my",
    "how my order",
    "is my order ready",
    "is it ready",
    "is my",
    "ready?",
    "e don ready",
    "e don finish",
    "you don finish",
    "una don finish",
    "is it done",
    "are you done",
    "have you finished",
    "when will it be ready",
    "when will my",
    "when will the",
    "when is it ready",
    "status",
    "update on my",
    "any update",
    "update on the",
    "where is my order",
    "where's my order",
    "wheres my order",
    "where is my",
    "hasn't arrived",
    "has not arrived",
    "not arrived",
    "not yet arrived",
    "still waiting",
    "how long",
    "eta",
    "track",
    "has it left",
    "on the way?",
    "dispatched?",
    "iko wapi",
    "imefika wapi",
    "bado haijafika",
    "haijafika",
    "itafika lini",
    "lini itafika",
    "mzigo wangu",
    "iko tayari",
    "imefika",
    "oda yangu",
    "order yangu",
    "itakuwa tayari lini",
    "lini itakuwa tayari",
    "bado",
    "donde esta mi pedido",
    "donde esta el pedido",
    "mi pedido",
    "el pedido?",
    "cuanto falta",
    "cuanto tarda",
    "cuanto demora",
    "ya salio",
    "ya sale",
    "sigue en camino",
    "en camino?",
    "esta listo",
    "estan listas",
    "esta lista",
    "estan listos",
    "todavia no llego",
    "no llego",
    "no llegaron",
    "demora",
    "tardan",
    "a que hora llega",
    "a que hora llegan",
    "llega?",
    "novedades",
    "ya lo hicieron",
    "ya estan",
    "when can i pick",
    "when can i come",
    "is the",
    "my cloth",
    "my clothes",
    "never see my",
    "wetin dey happen",
    "when una go finish",
    "una go finish",
    "when will you finish",
    "yuko wapi",
    "nimesubiri",
    "checking on",
    "following up",
    "follow up on",
];

const ORDER_VERBS: &[&str] = &[
    "i want",
    "i wan",
    "wan sew",
    "want to sew",
    "sew",
    "sew for me",
    "i need",
    "i'd like",
    "id like",
    "i would like",
    "can i get",
    "can i have",
    "could i get",
    "please send",
    "send me",
    "bring",
    "deliver",
    "i want to order",
    "i'd like to order",
    "id like to order",
    "can i order",
    "place an order",
    "place order",
    "make me",
    "get me",
    "add",
    "i go like",
    "help me sew",
    "help me make",
    "abeg make",
    "weka order",
    "please send",
    "pls send",
    "kindly send",
    "make for me",
    "nataka",
    "ninataka",
    "nishonee",
    "mnishonee",
    "nishonea",
    "kushonewa",
    "nishonewe",
    "nipe",
    "naomba",
    "niletee",
    "nitumie",
    "ningependa",
    "nahitaji",
    "tuletee",
    "leta",
    "agiza",
    "natakaa",
    "tunataka",
    "nikuagizie",
    "quiero",
    "queria",
    "quisiera",
    "mandame",
    "manda",
    "me mandas",
    "me manda",
    "me traes",
    "traeme",
    "pedir",
    "pido",
    "te pido",
    "me das",
    "dame",
    "encargar",
    "encargo",
    "anotame",
    "sumame",
    "agregame",
    "me preparas",
    "preparame",
    "hacer un pedido",
    "para llevar",
    "me haces",
    "me hacen",
    "haceme",
    "i'll take",
    "ill take",
    "i will take",
    "me llevo",
    "nitachukua",
    "necesito",
];

const NOT_ORDER: &[&str] = &[
    "i want to know",
    "i wan know",
    "quiero saber",
    "queria saber",
    "nataka kujua",
    "naomba kujua",
    "i need to know",
    "i want to ask",
    "i wan ask",
    "queria preguntar",
    "quiero preguntar",
    "naomba kuuliza",
    "nataka kuuliza",
    "my order",
    "the order",
    "mi pedido",
    "el pedido",
    "oda yangu",
    "order yangu",
];

const REUSE: &[&str] = &[
    "old measurement",
    "old measurements",
    "previous measurement",
    "previous measurements",
    "last measurement",
    "last measurements",
    "same measurement",
    "same measurements",
    "my measurement",
    "my measurements",
    "measurements you have",
    "measurement you have",
    "the one you have",
    "use the one",
    "you have my",
    "same size as last",
    "same sizes",
    "former measurement",
    "usual measurement",
    "usual size",
    "use my size",
    "same as last time",
    "vipimo vya zamani",
    "vipimo vyangu",
    "vipimo vile vile",
    "vipimo vilevile",
    "mismas medidas",
    "las medidas de la otra vez",
    "medidas de siempre",
    "mis medidas",
    "ya tenes mis medidas",
    "tenes mis medidas",
    "las de la otra vez",
    "same size",
    "measurement is with you",
    "measurements are with you",
    "use that one",
    "use the same",
    "use the measurement",
    "use the measurements",
    "measurement you took",
    "measurements you took",
    "no measure me again",
    "don't measure me again",
];

const MEASURE_PHRASES: &[&str] = &[
    "my measurement",
    "my measurements",
    "here are my",
    "vipimo",
    "medidas",
    "measurement",
    "measurements",
];

const MENU: &[&str] = &[
    "menu",
    "price list",
    "pricelist",
    "price",
    "prices",
    "how much",
    "cost",
    "what do you have",
    "what do you sell",
    "do you have",
    "do you sell",
    "do you deliver",
    "you deliver to",
    "where do you deliver",
    "catalogue",
    "catalog",
    "what styles",
    "wetin una get",
    "wetin una dey sell",
    "how much una",
    "una dey sell",
    "your rate",
    "your rates",
    "charge for",
    "bei",
    "bei gani",
    "pesa ngapi",
    "ni ngapi",
    "ngapi",
    "mna",
    "mnauza",
    "mnaleta",
    "mnafika",
    "mnapeleka",
    "mnadeliver",
    "orodha",
    "mko na",
    "mnapatikana wapi",
    "mko wapi",
    "carta",
    "precios",
    "precio",
    "cuanto sale",
    "cuanto salen",
    "cuanto esta",
    "cuanto estan",
    "a cuanto",
    "precio de",
    "cuanto cuesta",
    "cuanto cuestan",
    "que tienen",
    "que hay",
    "tienen",
    "hay de",
    "hay",
    "hacen envios",
    "hacen envio",
    "hacen delivery",
    "llegan a",
    "envian a",
    "zona",
    "que gustos",
    "gustos",
    "sabores",
    "que sabores",
    "cuanto es",
    "how much is",
    "is there",
    "do you do",
    "can you sew",
    "can you make",
    "what time",
    "a que hora abren",
    "hasta que hora",
    "abren",
    "open",
    "horario",
    "costo del envio",
    "cuanto cobran",
    "cobran",
    "en que zonas",
];

const GREETING: &[&str] = &[
    "hi",
    "hello",
    "hey",
    "helo",
    "hallo",
    "good morning",
    "good afternoon",
    "good evening",
    "good day",
    "gm",
    "morning",
    "hola",
    "buenas",
    "buen dia",
    "buenos dias",
    "buenas tardes",
    "buenas noches",
    "que tal",
    "habari",
    "habari yako",
    "mambo",
    "sasa",
    "niaje",
    "jambo",
    "hujambo",
    "salama",
    "how far",
    "how you dey",
    "wetin dey",
    "ekaaro",
    "e kaaro",
    "ekasan",
    "e kasan",
    "ekale",
    "good night",
    "compliments",
    "happy new year",
    "merry christmas",
    "shalom",
    "salaam",
    "salam",
    "holis",
    "hello ma",
    "hi ma",
    "hey there",
    "alo",
];

fn is_opt_out(t: &Text<'_>) -> bool {
    // "STOP", "Stop.", "stop please", "BAJA": the whole message is the command.
    let words: Vec<&str> = t
        .content()
        .map(|i| t.s(i))
        .filter(|w| {
            !matches!(
                *w,
                "please"
                    | "pls"
                    | "plz"
                    | "abeg"
                    | "por"
                    | "favor"
                    | "tafadhali"
                    | "all"
                    | "now"
                    | "ya"
            )
        })
        .collect();
    if words.len() <= 2
        && words.first().is_some_and(|w| {
            matches!(
                *w,
                "stop" | "baja" | "unsubscribe" | "stopp" | "acha" | "basta"
            )
        })
    {
        return true;
    }
    OPT_OUT_SET.any(t)
}

const STRONG_STATUS: &[&str] = &[
    "is it ready",
    "ready?",
    "how far with my",
    "how far with the",
    "e don ready",
    "is my order ready",
    "when will it be ready",
    "iko wapi",
    "donde esta mi pedido",
    "esta listo",
    "estan listas",
    "esta lista",
    "estan listos",
    "cuanto falta",
];

/// Can you make / sew: an order only when it comes with a count or a date.
const WEAK_VERBS: &[&str] = &[
    "can you make",
    "can you sew",
    "can you do",
    "could you make",
    "could you sew",
    "mnaweza kushona",
    "me podes hacer",
    "pueden hacer",
];

/// The first order verb that is really an order ("I'll bring the fabric" and
/// "send me your price list" are not).
fn order_verb(t: &Text<'_>) -> bool {
    ORDER_VERBS_SET.matches(t).any(|(s, e)| {
        let errand = matches!(t.s(s), "bring" | "send") && crate::fields::customer_does(t, s);
        !errand && !crate::fields::info_object(t, e)
    })
}

fn dont_want_again(t: &Text<'_>) -> bool {
    DONT_WANT.any(t) && AGAIN.any(t)
}

pub(crate) fn classify(t: &Text<'_>, f: &Found) -> Intent {
    if t.len() == 0 {
        return Intent::Unknown;
    }
    if is_opt_out(t) {
        return Intent::OptOut;
    }
    if HANDOFF_SET.any(t) {
        return Intent::HumanHandoff;
    }
    if CANCEL_SET.any(t) || dont_want_again(t) {
        return Intent::CancelOrder;
    }
    let question_only = NOT_ORDER_SET.any(t);
    let asking = ASKING.any(t);
    let order_verb = order_verb(t) && !asking;
    let weak_verb = order_verb || WEAK_VERBS_SET.any(t);
    let content = f.items || f.style;
    let paid = PAID_SET.any(t) && !NOT_PAID.any(t);
    let strong_status = STRONG_STATUS_SET.any(t);
    // An order with a verb and something to make or sell.
    if order_verb && content && !question_only && !strong_status {
        return Intent::NewOrder;
    }
    if paid || (f.payment_ref && !content) {
        return Intent::PaymentNotice;
    }
    let status = STATUS_SET.any(t);
    let asks = MENU_SET.any(t);
    if status
        && (strong_status || !content || question_only || t.has("?") || f.order_ref || !order_verb)
        && !(asks && !f.order_ref && !NOT_ORDER_SET.any(t) && !READY_WORDS.any(t))
    {
        return Intent::OrderStatus;
    }
    if REUSE_SET.any(t) && !f.measurements {
        return Intent::ReuseMeasurements;
    }
    if asks && !(weak_verb && !asking && (f.quantity || f.deadline)) {
        return Intent::MenuRequest;
    }
    // Measurements without an order verb add to a garment already ordered
    // ("waist 70cm for the skirt", "Vipimo vya sketi: kiuno 27").
    if f.measurements && !order_verb && !f.items {
        return Intent::AddMeasurements;
    }
    if content || (weak_verb && !question_only && (f.quantity || f.deadline || f.measurements)) {
        return Intent::NewOrder;
    }
    if f.measurements {
        return Intent::AddMeasurements;
    }
    if f.order_ref {
        return Intent::OrderStatus;
    }
    if order_verb && !question_only && ORDER_NOUNS.any(t) {
        return Intent::NewOrder;
    }
    if MEASURE_PHRASES_SET.any(t) && !QUESTION_MARK.any(t) {
        return Intent::AddMeasurements;
    }
    if GREETING_SET.any(t) {
        return Intent::Greeting;
    }
    Intent::Unknown
}
