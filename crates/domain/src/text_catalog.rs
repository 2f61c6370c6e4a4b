// The catalog itself, included by `text.rs`. Button titles stay within 20
// characters and list row titles within 24 (WhatsApp's limits); the tests in
// the engine check the rendered messages against them.
catalog! {
    WelcomeShop = "welcome_shop" {
        en: "{hello}! Welcome to {business}. Tap *Menu* to see what we have, or just type your order.",
        es: "¡{hello}! Bienvenido a {business}. Tocá *Ver menú* para ver lo que tenemos, o escribí tu pedido directamente.",
        sw: "{hello}! Karibu {business}. Bonyeza *Menu* kuona bidhaa zetu, au andika oda yako moja kwa moja.",
    },
    WelcomeTailor = "welcome_tailor" {
        en: "{hello}! Welcome to {business}. Tell us what you would like made and when you need it (for example: \"ankara midi dress for Dec 12, chest 38 waist 32\"), or ask about an order.",
        es: "¡{hello}! Bienvenido a {business}. Contanos qué prenda querés y para cuándo la necesitás (por ejemplo: \"vestido midi para el 12 de diciembre, pecho 96 cm cintura 80 cm\"), o preguntá por tu pedido.",
        sw: "{hello}! Karibu {business}. Tuambie ungependa tukushonee nini na unakihitaji lini, au uliza kuhusu oda yako.",
    },
    Hello = "hello" { en: "Hello {name}", es: "Hola {name}", sw: "Habari {name}" },
    HelloAnon = "hello_anon" { en: "Hello", es: "Hola", sw: "Habari" },

    BtnMenu = "btn_menu" { en: "Menu", es: "Ver menú", sw: "Menyu" },
    BtnMyOrder = "btn_my_order" { en: "My order", es: "Mi pedido" },
    BtnHuman = "btn_human" { en: "Talk to a person", es: "Hablar con alguien" },
    BtnCheckout = "btn_checkout" { en: "Place order", es: "Confirmar pedido" },
    BtnKeepShopping = "btn_keep_shopping" { en: "Add more", es: "Seguir comprando" },
    BtnEdit = "btn_edit" { en: "Edit", es: "Editar" },
    BtnDelivery = "btn_delivery" { en: "Delivery", es: "Envío a domicilio" },
    BtnPickup = "btn_pickup" { en: "Pickup", es: "Retiro en el local" },
    BtnSchedule = "btn_schedule" { en: "Schedule it", es: "Programar pedido" },
    BtnOrderStatus = "btn_order_status" { en: "Order status", es: "Estado del pedido" },
    BtnReuseMeasures = "btn_reuse_measures" { en: "Use saved", es: "Usar guardadas" },
    BtnPayTransfer = "btn_pay_transfer" { en: "Bank transfer", es: "Transferencia" },
    BtnPayCash = "btn_pay_cash" { en: "Cash", es: "Efectivo" },
    BtnPayCard = "btn_pay_card" { en: "Card", es: "Tarjeta" },
    BtnPayMpesa = "btn_pay_mpesa" { en: "M-PESA", es: "M-PESA" },

    MenuBody = "menu_body" {
        en: "What would you like? Choose a category.",
        es: "¿Qué se te antoja? Elegí una categoría.",
    },
    SectionMenu = "section_menu" { en: "Menu", es: "Menú" },
    SectionHelp = "section_help" { en: "Help", es: "Ayuda" },
    MenuButton = "menu_button" { en: "Categories", es: "Ver categorías" },
    MenuRowCount = "menu_row_count" { en: "{count} items", es: "{count} productos" },
    CategoryBody = "category_body" {
        en: "{category}: tap an item to add it to your order.",
        es: "{category}: tocá un producto para sumarlo a tu pedido.",
    },
    CategoryButton = "category_button" { en: "See items", es: "Ver productos" },
    RowMore = "row_more" { en: "More…", es: "Ver más…" },
    RowMoreDesc = "row_more_desc" { en: "Page {page}", es: "Página {page}" },
    MenuEmpty = "menu_empty" {
        en: "There is nothing on the menu right now. Please try again later.",
        es: "Por ahora no hay nada disponible en el menú. Probá más tarde.",
    },

    CartSummary = "cart_summary" {
        en: "Your order:\n{lines}\nSubtotal: {subtotal}",
        es: "Tu pedido:\n{lines}\nSubtotal: {subtotal}",
    },
    CartLine = "cart_line" { en: "{qty} × {item}: {amount}", es: "{qty} × {item}: {amount}" },
    CartEmpty = "cart_empty" {
        en: "Your order is empty. Tap *Menu* to add something.",
        es: "Tu pedido está vacío. Tocá *Ver menú* para sumar algo.",
    },
    CartCleared = "cart_cleared" {
        en: "Done, I emptied your order.",
        es: "Listo, vacié tu pedido.",
    },
    SoldOut = "sold_out" {
        en: "Sorry, {item} is sold out right now.",
        es: "Perdón, {item} está agotado por ahora.",
    },
    OnlyLeft = "only_left" {
        en: "Sorry, we only have {count} of {item} left.",
        es: "Perdón, de {item} nos quedan solo {count}.",
    },
    NotInCatalog = "not_in_catalog" {
        en: "I couldn't find that on our menu. Tap *Menu* to see what we have.",
        es: "No encontré eso en el menú. Tocá *Ver menú* para ver lo que tenemos.",
    },
    EditBody = "edit_body" { en: "What would you like to remove?", es: "¿Qué querés sacar?" },
    EditButton = "edit_button" { en: "Edit order", es: "Editar pedido" },
    RowRemoveDesc = "row_remove_desc" { en: "Tap to remove", es: "Tocá para sacarlo" },
    RowClear = "row_clear" { en: "Empty the order", es: "Vaciar el pedido" },

    AskFulfilment = "ask_fulfilment" { en: "Delivery or pickup?", es: "¿Te lo enviamos o lo retirás?" },
    ZonesBody = "zones_body" {
        en: "Where should we deliver? Choose your area.",
        es: "¿A qué zona te lo enviamos?",
    },
    ZonesButton = "zones_button" { en: "Areas", es: "Ver zonas" },
    ZoneRow = "zone_row" { en: "Delivery {fee}", es: "Envío {fee}" },
    ZoneRowMin = "zone_row_min" { en: "Delivery {fee} · minimum {min}", es: "Envío {fee} · mínimo {min}" },
    BelowMinimum = "below_minimum" {
        en: "The minimum order for {zone} is {min}. Add {missing} more, or choose pickup.",
        es: "El pedido mínimo para {zone} es {min}. Te faltan {missing}: sumá algo más o elegí retiro en el local.",
    },
    AskAddress = "ask_address" {
        en: "Please send the delivery address, or share your location 📍.",
        es: "Mandame la dirección de entrega o compartí tu ubicación 📍.",
    },
    AskPayment = "ask_payment" { en: "How would you like to pay?", es: "¿Cómo querés pagar?" },

    OrderPlaced = "order_placed" {
        en: "Done! Your order {ref} is confirmed.\n\n{lines}\n{extra}Total: {total}\n\n{fulfilment}",
        es: "¡Listo! Tu pedido {ref} está confirmado.\n\n{lines}\n{extra}Total: {total}\n\n{fulfilment}",
    },
    FeeLine = "fee_line" { en: "Delivery ({zone}): {fee}", es: "Envío ({zone}): {fee}" },
    FulfilDelivery = "fulfil_delivery" { en: "We'll deliver to: {address}", es: "Lo enviamos a: {address}" },
    FulfilPickup = "fulfil_pickup" { en: "Pick it up at {business}.", es: "Retiralo por {business}." },
    ScheduledFor = "scheduled_for" { en: "Scheduled for {when}.", es: "Programado para {when}." },
    PayTransfer = "pay_transfer" {
        en: "Please transfer {total} to:\n{bank}\nand send us the receipt here.",
        es: "Transferí {total} a:\n{bank}\ny mandanos el comprobante por acá.",
    },
    PayTransferLater = "pay_transfer_later" {
        en: "We'll send you the transfer details shortly.",
        es: "En un momento te pasamos los datos para transferir.",
    },
    PayCash = "pay_cash" {
        en: "You'll pay {total} in cash when you get it.",
        es: "Pagás {total} en efectivo al recibirlo.",
    },
    PayLinkLater = "pay_link_later" {
        en: "We'll send you the payment link for {total} shortly.",
        es: "En un momento te mandamos el link de pago por {total}.",
    },

    Closed = "closed" {
        en: "Sorry, we're closed right now. We open {when}.",
        es: "Perdón, ahora estamos cerrados. Abrimos {when}.",
    },
    ClosedSchedule = "closed_schedule" {
        en: "Sorry, we're closed right now. We open {when}. Would you like to schedule your order for then?",
        es: "Perdón, ahora estamos cerrados. Abrimos {when}. ¿Querés dejar tu pedido programado para esa hora?",
    },
    ClosedIndefinitely = "closed_indefinitely" {
        en: "Sorry, we're not taking orders at the moment.",
        es: "Perdón, por ahora no estamos tomando pedidos.",
    },
    WhenToday = "when_today" { en: "today at {time}", es: "hoy a las {time}" },
    WhenTomorrow = "when_tomorrow" { en: "tomorrow at {time}", es: "mañana a las {time}" },
    WhenWeekday = "when_weekday" { en: "on {day} at {time}", es: "el {day} a las {time}" },
    WhenDate = "when_date" { en: "on {date} at {time}", es: "el {date} a las {time}" },
    DayMon = "day_mon" { en: "Monday", es: "lunes" },
    DayTue = "day_tue" { en: "Tuesday", es: "martes" },
    DayWed = "day_wed" { en: "Wednesday", es: "miércoles" },
    DayThu = "day_thu" { en: "Thursday", es: "jueves" },
    DayFri = "day_fri" { en: "Friday", es: "viernes" },
    DaySat = "day_sat" { en: "Saturday", es: "sábado" },
    DaySun = "day_sun" { en: "Sunday", es: "domingo" },

    OptedOut = "opted_out" {
        en: "Done: {business} won't send you any more messages. Reply START if you change your mind.",
        es: "Listo: {business} no te va a mandar más mensajes. Si cambiás de idea, escribí ALTA.",
    },
    OptedIn = "opted_in" {
        en: "Welcome back! {business} will send you messages again.",
        es: "¡Bienvenido de nuevo! {business} te va a volver a mandar mensajes.",
    },
    Handoff = "handoff" {
        en: "Sure, a person from {business} will reply here soon.",
        es: "Dale, en breve te escribe una persona de {business} por acá.",
    },
    OtpCode = "otp_code" {
        en: "{code} is your {business} login code. It expires in {minutes} minutes. Never share it.",
        es: "{code} es tu código para entrar a {business}. Vence en {minutes} minutos. No lo compartas con nadie.",
        sw: "{code} ni nambari yako ya kuingia {business}. Itaisha baada ya dakika {minutes}. Usiishiriki na mtu.",
    },
    Unknown = "unknown" {
        en: "Sorry, I didn't understand that. Tap an option below, or type what you need.",
        es: "Perdón, no te entendí. Tocá una opción o escribí lo que necesitás.",
    },
    UnknownTailor = "unknown_tailor" {
        en: "Sorry, I didn't understand that. You can tell us what you would like made, send your measurements, or ask about your order.",
        es: "Perdón, no te entendí. Podés contarnos qué prenda querés, mandarnos tus medidas o preguntar por tu pedido.",
    },
    MediaReceived = "media_received" {
        en: "Thank you, we got it. A person from {business} will check it.",
        es: "¡Gracias, lo recibimos! Una persona de {business} lo va a revisar.",
    },
    DraftDiscarded = "draft_discarded" {
        en: "Done, I discarded the order we were putting together.",
        es: "Listo, descarté el pedido que estábamos armando.",
    },
    PaymentNoted = "payment_noted" {
        en: "Thank you! We'll check your payment and confirm shortly.",
        es: "¡Gracias! Revisamos el pago y te confirmamos en breve.",
    },

    NoActiveOrders = "no_active_orders" {
        en: "You have no open orders with us.",
        es: "No tenés pedidos en curso.",
    },
    StatusHeader = "status_header" { en: "Your orders:", es: "Tus pedidos:" },
    StatusLine = "status_line" {
        en: "{ref}: {stage}. Ready by {deadline}. Balance: {balance}.",
        es: "{ref}: {stage}. Listo para el {deadline}. Saldo: {balance}.",
    },
    StatusLineNoDeadline = "status_line_no_deadline" {
        en: "{ref}: {stage}. Balance: {balance}.",
        es: "{ref}: {stage}. Saldo: {balance}.",
    },
    StageReceived = "stage_received" { en: "received", es: "recibido" },
    StageCutting = "stage_cutting" { en: "being cut", es: "en corte" },
    StageSewing = "stage_sewing" { en: "being sewn", es: "en costura" },
    StageFitting = "stage_fitting" { en: "ready for fitting", es: "listo para la prueba" },
    StagePreparing = "stage_preparing" { en: "being prepared", es: "en preparación" },
    StagePacked = "stage_packed" { en: "packed", es: "empaquetado" },
    StageReady = "stage_ready" { en: "ready", es: "listo" },
    StageOutForDelivery = "stage_out_for_delivery" { en: "on its way", es: "en camino" },
    StageDelivered = "stage_delivered" { en: "delivered", es: "entregado" },
    StageCancelled = "stage_cancelled" { en: "cancelled", es: "cancelado" },
    OrderCancelled = "order_cancelled" {
        en: "Your order {ref} has been cancelled.",
        es: "Listo, cancelamos tu pedido {ref}.",
    },
    CancelNeedsPerson = "cancel_needs_person" {
        en: "Your order {ref} is already {stage}, so a person from {business} will contact you about cancelling it.",
        es: "Tu pedido {ref} ya está {stage}, así que una persona de {business} te va a escribir por la cancelación.",
    },
    NothingToCancel = "nothing_to_cancel" {
        en: "There is no open order to cancel.",
        es: "No hay ningún pedido en curso para cancelar.",
    },

    TailorAskStyle = "tailor_ask_style" {
        en: "What would you like us to make? (for example: agbada, ankara midi dress)",
        es: "¿Qué prenda querés que te hagamos? (por ejemplo: vestido midi, saco a medida)",
    },
    TailorAskDeadline = "tailor_ask_deadline" {
        en: "Noted: {style}. When do you need it?",
        es: "Anotado: {style}. ¿Para cuándo lo necesitás?",
    },
    TailorAskMeasures = "tailor_ask_measures" {
        en: "Please send your measurements (for example: chest 38, waist 32, hip 40).",
        es: "Mandanos tus medidas (por ejemplo: pecho 96 cm, cintura 80 cm, cadera 100 cm).",
    },
    TailorAskMeasuresSaved = "tailor_ask_measures_saved" {
        en: "Please send your measurements, or reply MEASURES to reuse your saved ones ({saved}).",
        es: "Mandanos tus medidas, o respondé MEDIDAS para usar las que tenemos guardadas ({saved}).",
    },
    MeasuresSaved = "measures_saved" {
        en: "Saved your measurements: {saved}.",
        es: "Guardamos tus medidas: {saved}.",
    },
    NoSavedMeasures = "no_saved_measures" {
        en: "We don't have your measurements yet. Please send them (for example: chest 38, waist 32).",
        es: "Todavía no tenemos tus medidas. Mandanoslas (por ejemplo: pecho 96 cm, cintura 80 cm).",
    },
    TailorConfirmed = "tailor_confirmed" {
        en: "Thank you! Your order {ref} is confirmed: {qty} × {style}, ready by {deadline}.\nMeasurements: {measures}\n{price}",
        es: "¡Gracias! Tu pedido {ref} está confirmado: {qty} × {style}, listo para el {deadline}.\nMedidas: {measures}\n{price}",
    },
    PriceDeposit = "price_deposit" {
        en: "Price: {price}. Deposit due: {deposit}; we'll send you the payment link.",
        es: "Precio: {price}. Seña: {deposit}; te mandamos el link de pago.",
    },
    PriceFull = "price_full" { en: "Price: {price}.", es: "Precio: {price}." },
    PriceToConfirm = "price_to_confirm" {
        en: "We'll confirm the price and deposit with you shortly.",
        es: "En breve te confirmamos el precio y la seña.",
    },
    MeasureChest = "measure_chest" { en: "chest", es: "pecho" },
    MeasureWaist = "measure_waist" { en: "waist", es: "cintura" },
    MeasureHip = "measure_hip" { en: "hip", es: "cadera" },
    MeasureShoulder = "measure_shoulder" { en: "shoulder", es: "hombros" },
    MeasureSleeve = "measure_sleeve" { en: "sleeve", es: "manga" },
    MeasureInseam = "measure_inseam" { en: "inseam", es: "entrepierna" },
    MeasureNeck = "measure_neck" { en: "neck", es: "cuello" },

    PayLink = "pay_link" {
        en: "{what} for {ref}: {amount}. Pay securely here: {url}",
        es: "{what} de {ref}: {amount}. Pagá seguro acá: {url}",
    },
    PayPush = "pay_push" {
        en: "We sent an M-PESA request for {amount} to your phone for {ref}. Enter your M-PESA PIN to pay.",
        es: "Te enviamos un pedido de pago M-PESA por {amount} para {ref}. Ingresá tu PIN para pagar.",
    },
    PayWhatDeposit = "pay_what_deposit" { en: "Deposit", es: "Seña" },
    PayWhatBalance = "pay_what_balance" { en: "Balance", es: "Saldo" },
    PayWhatFull = "pay_what_full" { en: "Payment", es: "Pago" },
    PaymentReceipt = "payment_receipt" {
        en: "Payment received: {amount} for {ref}. Balance left: {balance}. Thank you!",
        es: "¡Recibimos tu pago de {amount} para {ref}! Saldo pendiente: {balance}. ¡Gracias!",
    },
    OrderReady = "order_ready" {
        en: "Good news! Your order {ref} is ready.",
        es: "¡Buenas noticias! Tu pedido {ref} está listo.",
        sw: "Habari njema! Oda yako {ref} iko tayari.",
    },
    OrderReadyDue = "order_ready_due" {
        en: "Good news! Your order {ref} is ready. Balance to pay: {balance}.",
        es: "¡Buenas noticias! Tu pedido {ref} está listo. Saldo a pagar: {balance}.",
        sw: "Habari njema! Oda yako {ref} iko tayari. Salio la kulipa: {balance}.",
    },
    OrderReadyDueLink = "order_ready_due_link" {
        en: "Good news! Your order {ref} is ready. Balance to pay: {balance}. Pay here: {url}",
        es: "¡Buenas noticias! Tu pedido {ref} está listo. Saldo a pagar: {balance}. Podés pagar acá: {url}",
        sw: "Habari njema! Oda yako {ref} iko tayari. Salio la kulipa: {balance}. Lipa hapa: {url}",
    },
    OrderOnTheWay = "order_on_the_way" {
        en: "Your order {ref} is on its way!",
        es: "¡Tu pedido {ref} está en camino!",
        sw: "Oda yako {ref} iko njiani!",
    },
    OrderDelivered = "order_delivered" {
        en: "Your order {ref} was delivered. Thank you for choosing {business}!",
        es: "Tu pedido {ref} fue entregado. ¡Gracias por elegir {business}!",
        sw: "Oda yako {ref} imefikishwa. Asante kwa kuchagua {business}!",
    },
    PaymentReceiptOver = "payment_receipt_over" {
        en: "Payment received: {amount} for {ref}. That is {over} more than was due; {business} will contact you about the difference. Thank you!",
        es: "¡Recibimos tu pago de {amount} para {ref}! Son {over} más de lo que debías; {business} se va a comunicar con vos por la diferencia. ¡Gracias!",
    },
    PayReminder = "pay_reminder" {
        en: "A reminder: {what} for {ref} is {amount}. Pay here: {url}",
        es: "Te recordamos: {what} de {ref} es {amount}. Podés pagar acá: {url}",
    },
    PayFailedCancelled = "pay_failed_cancelled" {
        en: "You cancelled the M-PESA payment for {ref}. We'll send a new request when you're ready.",
        es: "Cancelaste el pago M-PESA de {ref}. Te mandamos un pedido nuevo cuando quieras.",
    },
    PayFailedPin = "pay_failed_pin" {
        en: "The M-PESA PIN was wrong, so the payment for {ref} did not go through.",
        es: "El PIN de M-PESA era incorrecto y el pago de {ref} no se hizo.",
    },
    PayFailedUnreachable = "pay_failed_unreachable" {
        en: "We couldn't reach your phone for the M-PESA payment for {ref}. Please check it is on and try again.",
        es: "No pudimos llegar a tu teléfono para el pago M-PESA de {ref}. Revisá que esté prendido y probá de nuevo.",
    },
    PayFailedFunds = "pay_failed_funds" {
        en: "The M-PESA payment for {ref} failed: not enough balance.",
        es: "El pago M-PESA de {ref} no se hizo: saldo insuficiente.",
    },
    PayFailedOther = "pay_failed_other" {
        en: "The payment for {ref} did not go through. A person from {business} will help you.",
        es: "El pago de {ref} no se hizo. Una persona de {business} te va a ayudar.",
    },

    // Staff-facing: alerts that a conversation needs a person, and the help
    // a staff member gets when writing to their own business's number.
    StaffNeedsPerson = "staff_needs_person" {
        en: "{customer} ({phone}) needs a person: {reason}. Last message: \"{text}\"",
        es: "{customer} ({phone}) necesita una persona: {reason}. Último mensaje: \"{text}\"",
        sw: "{customer} ({phone}) anahitaji mtu: {reason}. Ujumbe wa mwisho: \"{text}\"",
    },
    AttentionAskedForPerson = "attention_asked_for_person" {
        en: "asked to talk to a person",
        es: "pidió hablar con una persona",
        sw: "ameomba kuongea na mtu",
    },
    AttentionNotUnderstood = "attention_not_understood" {
        en: "the bot did not understand three messages in a row",
        es: "el bot no entendió tres mensajes seguidos",
        sw: "mfumo haukuelewa jumbe tatu mfululizo",
    },
    AttentionMedia = "attention_media" {
        en: "sent a voice note, photo or file the bot cannot read",
        es: "mandó un audio, una foto o un archivo que el bot no puede leer",
        sw: "ametuma sauti, picha au faili ambayo mfumo hauwezi kusoma",
    },
    AttentionPaymentClaimed = "attention_payment_claimed" {
        en: "says they have paid; please check and confirm",
        es: "dice que ya pagó; revisalo y confirmalo",
        sw: "anasema amelipa; tafadhali hakiki na uthibitishe",
    },
    AttentionTransferDetails = "attention_transfer_details" {
        en: "chose bank transfer, but the business has no bank details on file; send them",
        es: "eligió transferencia, pero no hay datos bancarios cargados; pasáselos",
        sw: "amechagua kulipa kwa benki, lakini hakuna maelezo ya benki; mtumie",
    },
    AttentionCancelRequest = "attention_cancel_request" {
        en: "wants to cancel an order that is already in progress",
        es: "quiere cancelar un pedido que ya está en curso",
        sw: "anataka kughairi oda ambayo tayari inaendelea",
    },
    AttentionBotFailed = "attention_bot_failed" {
        en: "wrote a message the bot could not answer",
        es: "mandó un mensaje que el bot no pudo responder",
        sw: "alituma ujumbe ambao roboti haikuweza kujibu",
    },
    AttentionPaymentDeclined = "attention_payment_declined" {
        en: "had a payment declined at checkout",
        es: "tuvo un pago rechazado al pagar",
        sw: "malipo yake yamekataliwa",
    },
    StaffHelp = "staff_help" {
        en: "Hello {name}! This is {business}'s WhatsApp number, and you are on its staff, so the bot does not treat you as a customer. Write *help* for the commands (orders today, ready SEW-0042, paid SEW-0042 15000…); the dashboard and the API do the rest, with the inbox of conversations waiting for a person.",
        es: "¡Hola {name}! Este es el número de WhatsApp de {business} y sos parte del equipo, así que el bot no te trata como cliente. Escribí *ayuda* para ver los comandos (pedidos hoy, listo PED-0003, cobrado PED-0003 5000…); el panel y la API hacen el resto, con las conversaciones que esperan a una persona.",
        sw: "Habari {name}! Hii ni nambari ya WhatsApp ya {business}, na wewe ni mfanyakazi wake, kwa hiyo mfumo haukuchukulii kama mteja. Andika *msaada* kuona amri (oda leo, tayari ORD-0003, lipwa ORD-0003 500…); dashibodi na API hufanya mengine, pamoja na mazungumzo yanayosubiri mtu.",
    },

    AutoInactive = "auto_inactive" {
        en: "Hi {name}, we miss you at {business}! It has been a while since your last order. Reply to this message whenever you would like something; we are happy to help.",
        es: "¡Hola {name}! Te extrañamos en {business}. Hace rato que no pedís nada. Respondé este mensaje cuando quieras algo y te ayudamos.",
        sw: "Habari {name}, tumekukumbuka {business}! Ni muda tangu oda yako ya mwisho. Jibu ujumbe huu wakati wowote ukihitaji kitu; tuko tayari kukusaidia.",
    },
    AutoReady = "auto_ready" {
        en: "Hi {name}, your order {ref} is ready and waiting for you. Balance due: {amount}. Pay here: {link}",
        es: "¡Hola {name}! Tu pedido {ref} está listo y te espera. Saldo a pagar: {amount}. Pagá acá: {link}",
        sw: "Habari {name}, oda yako {ref} iko tayari inakusubiri. Salio: {amount}. Lipa hapa: {link}",
    },
    AutoReadyNoLink = "auto_ready_no_link" {
        en: "Hi {name}, your order {ref} is ready and waiting for you. Balance due: {amount}, payable when you collect it.",
        es: "¡Hola {name}! Tu pedido {ref} está listo y te espera. Saldo a pagar: {amount}, al retirarlo.",
        sw: "Habari {name}, oda yako {ref} iko tayari inakusubiri. Salio: {amount}, utalipa unapoichukua.",
    },
    AutoUnpaidGentle = "auto_unpaid_gentle" {
        en: "Hi {name}, a friendly reminder: {amount} is still due for your order {ref}. You can pay here: {link}",
        es: "¡Hola {name}! Un recordatorio: quedan {amount} por pagar de tu pedido {ref}. Podés pagar acá: {link}",
        sw: "Habari {name}, ukumbusho: bado {amount} zinadaiwa kwa oda yako {ref}. Unaweza kulipa hapa: {link}",
    },
    AutoUnpaidFirm = "auto_unpaid_firm" {
        en: "Hi {name}, your payment of {amount} for order {ref} is overdue. Please pay today: {link}",
        es: "Hola {name}, el pago de {amount} de tu pedido {ref} está vencido. Por favor pagalo hoy: {link}",
        sw: "Habari {name}, malipo yako ya {amount} kwa oda {ref} yamechelewa. Tafadhali lipa leo: {link}",
    },
    AutoUnpaidFinal = "auto_unpaid_final" {
        en: "Final notice, {name}: {amount} for order {ref} is still unpaid. Please pay now ({link}) or reply to talk to us.",
        es: "Último aviso, {name}: el pedido {ref} sigue con {amount} sin pagar. Pagalo ahora ({link}) o respondé para hablar con nosotros.",
        sw: "Ilani ya mwisho, {name}: {amount} kwa oda {ref} bado hazijalipwa. Tafadhali lipa sasa ({link}) au jibu uzungumze nasi.",
    },
    AutoDeadline = "auto_deadline" {
        en: "Deadline at risk: {ref} for {customer} is due {deadline} and is still at {stage}.",
        es: "Entrega en riesgo: {ref} de {customer} vence {deadline} y sigue en {stage}.",
        sw: "Muda wa oda uko hatarini: {ref} ya {customer} inatakiwa {deadline} na bado iko {stage}.",
    },
    AutoBirthday = "auto_birthday" {
        en: "Hi {name}, your birthday is coming up! Everyone at {business} wishes you a wonderful day. Reply to this message for a birthday treat on your next order.",
        es: "¡Hola {name}! Se viene tu cumple y en {business} te deseamos un día hermoso. Respondé este mensaje y te damos un regalito en tu próximo pedido.",
        sw: "Habari {name}, siku yako ya kuzaliwa inakaribia! Sote {business} tunakutakia siku njema. Jibu ujumbe huu upate zawadi kwenye oda yako ijayo.",
    },
    AutoRepeat = "auto_repeat" {
        en: "Thank you for coming back to {business}, {name}! Would you like another {suggestion}? Reply and we will get it started.",
        es: "¡Gracias por volver a {business}, {name}! ¿Querés otra vez {suggestion}? Respondé y lo preparamos.",
        sw: "Asante kwa kurudi {business}, {name}! Ungependa {suggestion} tena? Jibu na tutaanza.",
    },
    AutoLowStock = "auto_low_stock" {
        en: "Low stock: {product} has {available} left (alert at {threshold}). Time to restock.",
        es: "Poco stock: quedan {available} de {product} (aviso en {threshold}). Hay que reponer.",
        sw: "Stoo inakaribia kwisha: {product} imebaki {available} (tahadhari ni {threshold}). Ni wakati wa kuongeza.",
    },
    AutoDailySummary = "auto_daily_summary" {
        en: "{business}, {date}: {orders} new orders, {due} due in the next two days, {unpaid_count} unpaid ({unpaid}), sales today {sales}.",
        es: "{business}, {date}: {orders} pedidos nuevos, {due} para entregar en los próximos dos días, {unpaid_count} sin pagar ({unpaid}), ventas de hoy {sales}.",
        sw: "{business}, {date}: oda mpya {orders}, {due} zinatakiwa ndani ya siku mbili, {unpaid_count} hazijalipwa ({unpaid}), mauzo ya leo {sales}.",
    },

    CmdOrdersToday = "cmd_orders_today" { en: "Due today or overdue", es: "Para hoy o atrasados", sw: "Za leo au zilizochelewa" },
    CmdOrdersUrgent = "cmd_orders_urgent" { en: "Urgent (due within 48 hours)", es: "Urgentes (vencen en 48 horas)", sw: "Za dharura (ndani ya saa 48)" },
    CmdOrdersUnpaid = "cmd_orders_unpaid" { en: "With money due", es: "Con saldo pendiente", sw: "Zenye deni" },
    CmdOrderList = "cmd_order_list" {
        en: "{title} ({count}):\n{lines}",
        es: "{title} ({count}):\n{lines}",
        sw: "{title} ({count}):\n{lines}",
    },
    CmdOrderLine = "cmd_order_line" {
        en: "{ref} · {customer} · {stage} · due {deadline} · owes {balance}",
        es: "{ref} · {customer} · {stage} · entrega {deadline} · debe {balance}",
        sw: "{ref} · {customer} · {stage} · inatakiwa {deadline} · deni {balance}",
    },
    CmdOrderNone = "cmd_order_none" { en: "{title}: none.", es: "{title}: ninguno.", sw: "{title}: hakuna." },
    CmdOrderDetail = "cmd_order_detail" {
        en: "{ref} for {customer}: {what}. Stage {stage}, due {deadline}. Price {price}, paid {paid}, owes {balance}.",
        es: "{ref} de {customer}: {what}. Etapa {stage}, entrega {deadline}. Precio {price}, pagado {paid}, debe {balance}.",
        sw: "{ref} ya {customer}: {what}. Hatua {stage}, inatakiwa {deadline}. Bei {price}, imelipwa {paid}, deni {balance}.",
    },
    CmdNoOrder = "cmd_no_order" { en: "There is no order {ref}.", es: "No hay ningún pedido {ref}.", sw: "Hakuna oda {ref}." },
    CmdStageMoved = "cmd_stage_moved" {
        en: "{ref} is now {stage}; the customer has been told.",
        es: "{ref} ahora está en {stage}; ya le avisamos al cliente.",
        sw: "{ref} sasa iko {stage}; mteja amearifiwa.",
    },
    CmdRefused = "cmd_refused" { en: "Not done: {reason}", es: "No se hizo: {reason}", sw: "Haikufanyika: {reason}" },
    CmdPaid = "cmd_paid" {
        en: "Recorded {amount} by {method} for {ref}; it now owes {balance}. The customer gets a receipt.",
        es: "Registré {amount} por {method} para {ref}; ahora debe {balance}. El cliente recibe el comprobante.",
        sw: "Nimerekodi {amount} kwa {method} kwa {ref}; deni sasa ni {balance}. Mteja atapata risiti.",
    },
    CmdMethodCash = "cmd_method_cash" { en: "cash", es: "efectivo", sw: "taslimu" },
    CmdMethodTransfer = "cmd_method_transfer" { en: "transfer", es: "transferencia", sw: "uhamisho" },
    CmdReminded = "cmd_reminded" {
        en: "Reminder sent to {customer} for {ref} ({amount}).",
        es: "Le mandé el recordatorio a {customer} por {ref} ({amount}).",
        sw: "Ukumbusho umetumwa kwa {customer} kwa {ref} ({amount}).",
    },
    CmdNothingToRemind = "cmd_nothing_to_remind" {
        en: "{ref} has no payment link waiting; send one with the dashboard or the API first.",
        es: "{ref} no tiene un link de pago pendiente; mandá uno primero desde el panel o la API.",
        sw: "{ref} haina kiungo cha malipo kinachosubiri; tuma kimoja kwanza kupitia dashibodi au API.",
    },
    CmdViewerOnly = "cmd_viewer_only" {
        en: "Your role can look but not change things; ask an owner or staff member.",
        es: "Tu rol puede mirar pero no cambiar nada; pedíselo a un dueño o a alguien del equipo.",
        sw: "Nafasi yako inaruhusu kuangalia tu, si kubadilisha; muombe mmiliki au mfanyakazi.",
    },
    CmdUnknown = "cmd_unknown" {
        en: "I did not understand that. Did you mean: {suggestions}? Write *help* for the list.",
        es: "No entendí. ¿Quisiste decir: {suggestions}? Escribí *ayuda* para ver la lista.",
        sw: "Sijaelewa. Ulimaanisha: {suggestions}? Andika *msaada* kuona orodha.",
    },
    CmdNotYet = "cmd_not_yet" {
        en: "*{command}* does not work over WhatsApp yet; use the dashboard or the API for it.",
        es: "*{command}* todavía no funciona por WhatsApp; usá el panel o la API.",
        sw: "*{command}* bado haifanyi kazi kupitia WhatsApp; tumia dashibodi au API.",
    },
    CmdHelp = "cmd_help" {
        en: "Commands:\n• orders today | urgent | unpaid\n• SEW-0042 (one order)\n• ready SEW-0042, stage SEW-0042 sewing\n• paid SEW-0042 15000 [cash|transfer]\n• remind SEW-0042\n• sales today | week | month\n• customer 0803 123 4567\n• pause | resume 0803 123 4567 (the bot, for one customer)\n• stock sugar +20 | -3 | 35, out of stock coca\n• snooze | unsnooze flan (off or on the menu)\n• close today, open\n• cancel SEW-0042 (asks first)\n• undo (within a minute)\n• done (hand the customer you answer back to the bot)\nReply to an alert to answer that customer.",
        es: "Comandos:\n• pedidos hoy | urgentes | sin pagar\n• PED-0003 (un pedido)\n• listo PED-0003, en camino PED-0003\n• cobrado PED-0003 5000 [efectivo|transferencia]\n• recordar PED-0003\n• ventas hoy | semana | mes\n• cliente 11 2345-6789\n• pausar | reanudar 11 2345-6789 (el bot, para un cliente)\n• stock coca +20 | -3 | 35, sin stock coca\n• pausar | activar flan (sacarlo o volverlo al menú)\n• cerrar hoy, abrir\n• cancelar PED-0003 (pregunta antes)\n• deshacer (dentro del minuto)\n• listo (devolver al bot el cliente que atendés)\nRespondé un aviso para contestarle a ese cliente.",
        sw: "Amri:\n• oda leo | dharura | hazijalipwa\n• ORD-0003 (oda moja)\n• tayari ORD-0003\n• lipwa ORD-0003 500 [taslimu|uhamisho]\n• kumbusha ORD-0003\n• mauzo leo | wiki | mwezi\n• mteja 0712 345 678\n• sitisha | endelea 0712 345 678 (roboti, kwa mteja mmoja)\n• stock sukari +20 | -3 | 35, imeisha soda\n• sitisha | rejesha chapati (toa au rudisha kwenye menyu)\n• funga leo, fungua\n• ghairi ORD-0003 (huuliza kwanza)\n• tendua (ndani ya dakika moja)\n• nimemaliza (mrudishe mteja unayemjibu kwa roboti)\nJibu ujumbe wa tahadhari kumjibu mteja huyo.",
    },
    CmdHelpViewer = "cmd_help_viewer" {
        en: "Commands:\n• orders today | urgent | unpaid\n• SEW-0042 (one order)\n• sales today | week | month\n• customer 0803 123 4567",
        es: "Comandos:\n• pedidos hoy | urgentes | sin pagar\n• PED-0003 (un pedido)\n• ventas hoy | semana | mes\n• cliente 11 2345-6789",
        sw: "Amri:\n• oda leo | dharura | hazijalipwa\n• ORD-0003 (oda moja)\n• mauzo leo | wiki | mwezi\n• mteja 0712 345 678",
    },
    CmdNoDeadline = "cmd_no_deadline" { en: "no date", es: "sin fecha", sw: "bila tarehe" },

    CmdSales = "cmd_sales" {
        en: "Sales {period}: {amount}; payments received: {count}.",
        es: "Ventas {period}: {amount}; pagos recibidos: {count}.",
        sw: "Mauzo {period}: {amount}; malipo yaliyopokelewa: {count}.",
    },
    CmdPeriodToday = "cmd_period_today" { en: "today", es: "de hoy", sw: "leo" },
    CmdPeriodWeek = "cmd_period_week" { en: "this week", es: "de la semana", sw: "wiki hii" },
    CmdPeriodMonth = "cmd_period_month" { en: "this month", es: "del mes", sw: "mwezi huu" },
    CmdCustomer = "cmd_customer" {
        en: "{name} ({phone}): {orders} orders, {spent} paid in all, last order {last}.",
        es: "{name} ({phone}): {orders} pedidos, {spent} pagados en total, último pedido {last}.",
        sw: "{name} ({phone}): oda {orders}, {spent} zimelipwa jumla, oda ya mwisho {last}.",
    },
    CmdNoCustomer = "cmd_no_customer" { en: "No customer has the number {phone}.", es: "Ningún cliente tiene el número {phone}.", sw: "Hakuna mteja mwenye nambari {phone}." },
    CmdPaused = "cmd_paused" {
        en: "The bot is quiet for {name} until {until}; answer them yourself. Write *resume* and their number to hand them back.",
        es: "El bot no le va a responder a {name} hasta {until}; respondele vos. Escribí *reanudar* y su número para devolverlo al bot.",
        sw: "Roboti imenyamaza kwa {name} hadi {until}; mjibu mwenyewe. Andika *endelea* na nambari yake kumrudisha.",
    },
    CmdResumed = "cmd_resumed" { en: "The bot answers {name} again.", es: "El bot le responde de nuevo a {name}.", sw: "Roboti inamjibu {name} tena." },

    // Staff commands: stock and the menu, opening today, undo, cancelling
    // with a yes, and answering customers by hand.
    CmdStock = "cmd_stock" {
        en: "{product}: {on_hand} in stock, {available} available to order.",
        es: "{product}: {on_hand} en stock, {available} disponibles para pedir.",
        sw: "{product}: {on_hand} ziko stoo, {available} zinapatikana kuagizwa.",
    },
    CmdStockSame = "cmd_stock_same" {
        en: "{product} already has {on_hand} in stock; nothing changed.",
        es: "{product} ya tiene {on_hand} en stock; no cambié nada.",
        sw: "{product} tayari ina {on_hand} stoo; hakuna kilichobadilika.",
    },
    CmdStockUntracked = "cmd_stock_untracked" {
        en: "{product} does not count stock. To stop offering it, write *snooze {product}*.",
        es: "{product} no lleva stock. Para dejar de ofrecerlo, escribí *pausar {product}*.",
        sw: "{product} haihesabu stoo. Kuacha kuiuza, andika *sitisha {product}*.",
    },
    CmdNoProduct = "cmd_no_product" {
        en: "No product is called \"{product}\".",
        es: "No hay ningún producto \"{product}\".",
        sw: "Hakuna bidhaa inayoitwa \"{product}\".",
    },
    CmdWhichProduct = "cmd_which_product" {
        en: "\"{product}\" could be: {options}. Write the command again with one of them.",
        es: "\"{product}\" puede ser: {options}. Escribí el comando de nuevo con uno de esos.",
        sw: "\"{product}\" inaweza kuwa: {options}. Andika amri tena ukitumia mojawapo.",
    },
    CmdSnoozed = "cmd_snoozed" {
        en: "{product} is off the menu until you write *unsnooze {product}*.",
        es: "{product} no se ofrece hasta que escribas *activar {product}*.",
        sw: "{product} haitauzwa hadi uandike *rejesha {product}*.",
    },
    CmdUnsnoozed = "cmd_unsnoozed" {
        en: "{product} is on the menu again.",
        es: "{product} se ofrece de nuevo.",
        sw: "{product} inauzwa tena.",
    },
    CmdClosedToday = "cmd_closed_today" {
        en: "Closed for the rest of today ({date}): the bot takes no orders until {next}. Write *open* to open again.",
        es: "Cerrado por hoy ({date}): el bot no toma pedidos hasta {next}. Escribí *abrir* para abrir de nuevo.",
        sw: "Imefungwa kwa siku nzima ya leo ({date}): roboti haipokei oda hadi {next}. Andika *fungua* kufungua tena.",
    },
    CmdAlreadyClosed = "cmd_already_closed" {
        en: "You were already closed today ({date}).",
        es: "Ya estabas cerrado hoy ({date}).",
        sw: "Tayari umefunga leo ({date}).",
    },
    CmdOpened = "cmd_opened" {
        en: "Open again today ({date}); today's hours apply.",
        es: "Abierto de nuevo hoy ({date}); rige el horario de hoy.",
        sw: "Imefunguliwa tena leo ({date}); saa za leo zinatumika.",
    },
    CmdNotClosed = "cmd_not_closed" {
        en: "Today ({date}) was not closed; today's hours apply. Change the hours in the dashboard or the API.",
        es: "Hoy ({date}) no estaba cerrado; rige el horario de hoy. Cambiá el horario desde el panel o la API.",
        sw: "Leo ({date}) haikufungwa; saa za leo zinatumika. Badilisha saa kupitia dashibodi au API.",
    },
    CmdNextOpenUnknown = "cmd_next_open_unknown" { en: "you open it again", es: "que vuelvas a abrir", sw: "utakapofungua tena" },
    CmdUndoHint = "cmd_undo_hint" {
        en: "(Write *undo* within a minute to take it back.)",
        es: "(Escribí *deshacer* dentro del minuto para volver atrás.)",
        sw: "(Andika *tendua* ndani ya dakika moja kurudisha.)",
    },
    CmdUndone = "cmd_undone" { en: "Taken back. {now}", es: "Listo, lo volví atrás. {now}", sw: "Imerudishwa. {now}" },
    CmdNothingToUndo = "cmd_nothing_to_undo" {
        en: "Nothing to undo. Undo works for a minute after a stock, menu, opening or pause change; stage moves and payments are not undone here, because the customer was already told.",
        es: "No hay nada para deshacer. Deshacer funciona durante un minuto después de un cambio de stock, de menú, de apertura o de pausa; las etapas y los pagos no se deshacen acá porque el cliente ya fue avisado.",
        sw: "Hakuna cha kutendua. Kutendua kunafanya kazi kwa dakika moja baada ya kubadilisha stoo, menyu, kufungua au kusitisha; hatua na malipo hayatenduliwi hapa kwa sababu mteja ameshaarifiwa.",
    },
    CmdCancelAsk = "cmd_cancel_ask" {
        en: "Cancel {ref} for {customer}? The customer will be told, and it cannot be undone.",
        es: "¿Cancelar {ref} de {customer}? Se le avisa al cliente y no se puede deshacer.",
        sw: "Ughairi {ref} ya {customer}? Mteja ataarifiwa, na haiwezi kutenduliwa.",
    },
    CmdYesCancel = "cmd_yes_cancel" { en: "Yes, cancel", es: "Sí, cancelar", sw: "Ndiyo, ghairi" },
    CmdNoKeep = "cmd_no_keep" { en: "No, keep it", es: "No, dejarlo", sw: "Hapana, acha" },
    CmdCancelled = "cmd_cancelled" {
        en: "{ref} is cancelled; the customer has been told.",
        es: "{ref} quedó cancelado; ya le avisamos al cliente.",
        sw: "{ref} imeghairiwa; mteja amearifiwa.",
    },
    CmdKept = "cmd_kept" { en: "{ref} stays as it is.", es: "{ref} queda como estaba.", sw: "{ref} inabaki kama ilivyo." },
    CmdConfirmExpired = "cmd_confirm_expired" {
        en: "That question expired; write the command again if you still want it.",
        es: "Esa pregunta venció; escribí el comando de nuevo si todavía lo querés.",
        sw: "Swali hilo limepitwa na muda; andika amri tena kama bado unaitaka.",
    },
    CmdNothingToConfirm = "cmd_nothing_to_confirm" {
        en: "Nothing is waiting for a yes.",
        es: "No hay nada esperando una confirmación.",
        sw: "Hakuna kinachosubiri uthibitisho.",
    },
    CmdDone = "cmd_done" { en: "{name} is back with the bot.", es: "{name} vuelve a hablar con el bot.", sw: "{name} amerudi kwa roboti." },
    CmdDoneNobody = "cmd_done_nobody" {
        en: "You are not answering anyone by hand. To answer a customer, reply to the alert about them.",
        es: "No estás respondiendo a nadie a mano. Para responderle a un cliente, respondé al aviso sobre él.",
        sw: "Hujibu mtu yeyote kwa mkono. Kumjibu mteja, jibu ujumbe wa tahadhari kumhusu.",
    },
    CmdReplying = "cmd_replying" {
        en: "Sent to {customer}. You are answering them now and the bot is quiet for them; write *done* to hand them back.",
        es: "Se lo mandé a {customer}. Ahora le respondés vos y el bot no le habla; escribí *listo* para devolverlo al bot.",
        sw: "Imetumwa kwa {customer}. Sasa unamjibu wewe na roboti imenyamaza; andika *nimemaliza* kumrudisha kwa roboti.",
    },
    CmdWindowClosed = "cmd_window_closed" {
        en: "{customer} last wrote more than 24 hours ago, so WhatsApp lets the business send them only an approved template. Nothing was sent.",
        es: "{customer} escribió por última vez hace más de 24 horas, así que WhatsApp solo deja mandarle una plantilla aprobada. No se mandó nada.",
        sw: "{customer} aliandika mara ya mwisho zaidi ya saa 24 zilizopita, kwa hiyo WhatsApp inaruhusu kiolezo kilichoidhinishwa tu. Hakuna kilichotumwa.",
    },
    CmdReplyTextOnly = "cmd_reply_text_only" {
        en: "Only text replies reach the customer from here; send photos and files from the business's own phone.",
        es: "Desde acá solo llegan respuestas de texto al cliente; las fotos y archivos mandalos desde el teléfono del negocio.",
        sw: "Majibu ya maandishi tu ndiyo humfikia mteja kutoka hapa; tuma picha na faili kwa simu ya biashara.",
    },
    CmdUnreachable = "cmd_unreachable" {
        en: "That customer has no WhatsApp number any more; nothing was sent.",
        es: "Ese cliente ya no tiene número de WhatsApp; no se mandó nada.",
        sw: "Mteja huyo hana tena nambari ya WhatsApp; hakuna kilichotumwa.",
    },
    CmdWhyDepositDue = "cmd_why_deposit_due" {
        en: "the deposit is not paid yet; record it first with *paid* and the order's ref and amount.",
        es: "la seña todavía no está pagada; registrala primero con *cobrado*, el pedido y el monto.",
        sw: "amana bado haijalipwa; irekodi kwanza kwa *lipwa*, namba ya oda na kiasi.",
    },
    CmdWhyBalanceDue = "cmd_why_balance_due" {
        en: "money is still due on this order; record the payment first with *paid*.",
        es: "este pedido todavía tiene saldo; registrá el pago primero con *cobrado*.",
        sw: "oda hii bado ina deni; rekodi malipo kwanza kwa *lipwa*.",
    },
    CmdWhyPickup = "cmd_why_pickup" {
        en: "the customer collects this order; it does not go out for delivery.",
        es: "el cliente retira este pedido; no sale a reparto.",
        sw: "mteja anachukua oda hii mwenyewe; haipelekwi.",
    },
    CmdWhyTransition = "cmd_why_transition" {
        en: "the order cannot move there from its stage now; write its ref to see where it is.",
        es: "el pedido no puede pasar a esa etapa desde donde está; escribí el número de pedido para ver en qué etapa va.",
        sw: "oda haiwezi kwenda hatua hiyo kutoka ilipo sasa; andika namba yake kuona iko wapi.",
    },
    CmdWhyChanged = "cmd_why_changed" {
        en: "someone changed the order meanwhile; try again.",
        es: "alguien cambió el pedido mientras tanto; probá de nuevo.",
        sw: "mtu amebadilisha oda wakati huo; jaribu tena.",
    },
    CmdWhyAlreadyPaid = "cmd_why_already_paid" {
        en: "that payment is already settled.",
        es: "ese pago ya está saldado.",
        sw: "malipo hayo tayari yamekamilika.",
    },
    StaffCustomerSays = "staff_customer_says" {
        en: "{customer}: \"{text}\"\n(Reply to this message to answer them; *done* hands them back to the bot.)",
        es: "{customer}: \"{text}\"\n(Respondé este mensaje para contestarle; *listo* lo devuelve al bot.)",
        sw: "{customer}: \"{text}\"\n(Jibu ujumbe huu kumjibu; *nimemaliza* humrudisha kwa roboti.)",
    },
    // ---- voice notes (speech to text): what the bot heard, said before it answers ----
    VoiceHeard = "voice_heard" {
        en: "🎤 I heard: \u{201c}{text}\u{201d}",
        es: "🎤 Escuché: \u{201c}{text}\u{201d}",
        sw: "🎤 Nimesikia: \u{201c}{text}\u{201d}",
    },

    // ---- Onboarding by invite code (engine::onboarding) -------------------
    // The platform's onboarding number talking to a prospective owner. Keep
    // this block contiguous to ease merging with other branches.
    OnbNeedCode = "onb_need_code" {
        en: "Hi! This is Sokoni. To open your business, send the invite code you were given, like: JOIN 7F3K-9QXM",
        es: "¡Hola! Acá Sokoni. Para abrir tu negocio, mandá el código de invitación que te dieron, por ejemplo: JOIN 7F3K-9QXM",
        sw: "Habari! Hapa ni Sokoni. Kufungua biashara yako, tuma msimbo wa mwaliko uliopewa, kwa mfano: JOIN 7F3K-9QXM",
    },
    OnbCodeUnknown = "onb_code_unknown" {
        en: "I don't know that code. Check it and send it again, like: JOIN 7F3K-9QXM",
        es: "No reconozco ese código. Revisalo y mandalo de nuevo, por ejemplo: JOIN 7F3K-9QXM",
        sw: "Sijui msimbo huo. Uhakiki na uutume tena, kwa mfano: JOIN 7F3K-9QXM",
    },
    OnbCodeUsed = "onb_code_used" {
        en: "That code has already been used. Ask for a new one to open another business.",
        es: "Ese código ya se usó. Pedí uno nuevo para abrir otro negocio.",
        sw: "Msimbo huo umeshatumika. Omba mpya kufungua biashara nyingine.",
    },
    OnbCodeExpired = "onb_code_expired" {
        en: "That code is no longer valid. Ask for a new one.",
        es: "Ese código ya no es válido. Pedí uno nuevo.",
        sw: "Msimbo huo haufanyi kazi tena. Omba mpya.",
    },
    OnbWelcome = "onb_welcome" {
        en: "Welcome to Sokoni! 👋 Let's set up your business: a few questions, one at a time. You can correct any answer later, for example by writing *change hours*.",
        es: "¡Bienvenido a Sokoni! 👋 Armemos tu negocio: unas pocas preguntas, de a una. Podés corregir cualquier respuesta después, por ejemplo escribiendo *cambiar horario*.",
        sw: "Karibu Sokoni! 👋 Tuandae biashara yako: maswali machache, moja baada ya jingine. Unaweza kusahihisha jibu lolote baadaye, kwa mfano kwa kuandika *badilisha saa*.",
    },
    OnbAskName = "onb_ask_name" {
        en: "What is your business called?",
        es: "¿Cómo se llama tu negocio?",
        sw: "Biashara yako inaitwaje?",
    },
    OnbNameInvalid = "onb_name_invalid" {
        en: "Please write the business name (2 to 60 characters).",
        es: "Escribí el nombre del negocio (de 2 a 60 caracteres).",
        sw: "Tafadhali andika jina la biashara (herufi 2 hadi 60).",
    },
    OnbAskVertical = "onb_ask_vertical" {
        en: "What kind of business is {business}?",
        es: "¿Qué tipo de negocio es {business}?",
        sw: "{business} ni biashara ya aina gani?",
    },
    OnbBtnRestaurant = "onb_btn_restaurant" { en: "Food / restaurant", es: "Comida", sw: "Chakula / mgahawa" },
    OnbBtnShop = "onb_btn_shop" { en: "Shop", es: "Tienda", sw: "Duka" },
    OnbBtnTailor = "onb_btn_tailor" { en: "Tailor", es: "Sastrería", sw: "Fundi cherehani" },
    OnbTapAButton = "onb_tap_a_button" {
        en: "Please tap one of the buttons.",
        es: "Tocá uno de los botones, por favor.",
        sw: "Tafadhali bonyeza moja ya vitufe.",
    },
    OnbTextPlease = "onb_text_please" {
        en: "I can only read text here.",
        es: "Acá solo puedo leer texto.",
        sw: "Hapa ninasoma maandishi tu.",
    },
    OnbAskCountry = "onb_ask_country" {
        en: "Your number is from {country}: prices in {currency}, times in {timezone}. Is that right?",
        es: "Tu número es de {country}: precios en {currency}, horarios de {timezone}. ¿Es correcto?",
        sw: "Nambari yako ni ya {country}: bei kwa {currency}, saa za {timezone}. Ni sawa?",
    },
    OnbBtnYes = "onb_btn_yes" { en: "Yes", es: "Sí", sw: "Ndiyo" },
    OnbBtnChange = "onb_btn_change" { en: "Change", es: "Cambiar", sw: "Badilisha" },
    OnbAskCountryPick = "onb_ask_country_pick" {
        en: "Where is the business? Choose its country.",
        es: "¿Dónde está el negocio? Elegí el país.",
        sw: "Biashara iko wapi? Chagua nchi.",
    },
    OnbCountryButton = "onb_country_button" { en: "Countries", es: "Países", sw: "Nchi" },
    OnbAskHours = "onb_ask_hours" {
        en: "When are you open? Write it in your own words, e.g. \"Mon to Fri 11 to 15 and 19 to 23, Sat 19 to 2\".",
        es: "¿Qué días y horarios abrís? Escribilo como te salga, por ejemplo: \"lun a vie de 11 a 15 y de 19 a 23, sáb de 19 a 2\".",
        sw: "Mnafungua lini? Andika kwa maneno yako, kwa mfano: \"Jumatatu hadi Ijumaa 8 hadi 18\".",
    },
    OnbHoursSaid = "onb_hours_said" { en: "✅ Hours: {hours}.", es: "✅ Horario: {hours}.", sw: "✅ Saa: {hours}." },
    OnbHoursUnread = "onb_hours_unread" {
        en: "I couldn't read those hours. Try like this: \"Mon to Sat 9 to 18\".",
        es: "No entendí ese horario. Probá así: \"lun a sáb de 9 a 18\".",
        sw: "Sikuelewa saa hizo. Jaribu hivi: \"Jumatatu hadi Jumamosi 9 hadi 18\".",
    },
    OnbAlwaysOpen = "onb_always_open" { en: "always open", es: "siempre abierto", sw: "wazi kila wakati" },
    OnbAnd = "onb_and" { en: "and", es: "y", sw: "na" },
    OnbDayMon = "onb_day_mon" { en: "Mon", es: "lun", sw: "Jtt" },
    OnbDayTue = "onb_day_tue" { en: "Tue", es: "mar", sw: "Jnn" },
    OnbDayWed = "onb_day_wed" { en: "Wed", es: "mié", sw: "Jtn" },
    OnbDayThu = "onb_day_thu" { en: "Thu", es: "jue", sw: "Alh" },
    OnbDayFri = "onb_day_fri" { en: "Fri", es: "vie", sw: "Iju" },
    OnbDaySat = "onb_day_sat" { en: "Sat", es: "sáb", sw: "Jms" },
    OnbDaySun = "onb_day_sun" { en: "Sun", es: "dom", sw: "Jpl" },
    OnbAskZones = "onb_ask_zones" {
        en: "Where do you deliver, and for how much? E.g. \"Lekki 1500, Ikeja 2000\". Or tap *Pickup only*.",
        es: "¿A qué zonas hacés envíos y a qué precio? Por ejemplo: \"Palermo 1500, Belgrano 2000\". O tocá *Solo retiro*.",
        sw: "Mnapeleka wapi, na kwa bei gani? Kwa mfano: \"Westlands 200, Kilimani 300\". Au bonyeza *Kuchukua tu*.",
    },
    OnbBtnPickupOnly = "onb_btn_pickup_only" { en: "Pickup only", es: "Solo retiro", sw: "Kuchukua tu" },
    OnbPickupOnly = "onb_pickup_only" { en: "pickup only", es: "solo retiro en el local", sw: "kuchukua dukani tu" },
    OnbPickupOnlySaid = "onb_pickup_only_said" {
        en: "✅ Pickup only, no delivery.",
        es: "✅ Solo retiro en el local, sin envíos.",
        sw: "✅ Kuchukua dukani tu, bila kupeleka.",
    },
    OnbZonesSaid = "onb_zones_said" { en: "✅ Delivery: {zones}.", es: "✅ Envíos: {zones}.", sw: "✅ Kupeleka: {zones}." },
    OnbZonesSkipped = "onb_zones_skipped" {
        en: "(I couldn't read: {unread}; write *change zones* to add them.)",
        es: "(No entendí: {unread}; escribí *cambiar zonas* para sumarlas.)",
        sw: "(Sikuelewa: {unread}; andika *badilisha maeneo* kuziongeza.)",
    },
    OnbZonesUnread = "onb_zones_unread" {
        en: "I couldn't read those zones. Write each with its fee, like: \"Lekki 1500, Ikeja 2000\", or tap *Pickup only*.",
        es: "No entendí esas zonas. Escribí cada una con su precio, así: \"Palermo 1500, Belgrano 2000\", o tocá *Solo retiro*.",
        sw: "Sikuelewa maeneo hayo. Andika kila moja na bei yake, hivi: \"Westlands 200, Kilimani 300\", au bonyeza *Kuchukua tu*.",
    },
    OnbAskProducts = "onb_ask_products" {
        en: "Now your products: paste your price list, one per line, e.g.\nJollof rice 2500\nChicken 3000",
        es: "Ahora tus productos: pegá tu lista de precios, uno por línea, por ejemplo:\nEmpanada de carne 900\nDocena 9.500",
        sw: "Sasa bidhaa zako: bandika orodha ya bei, moja kwa kila mstari, kwa mfano:\nUnga 2kg 180\nSukari 1kg 160",
    },
    OnbProductsSaid = "onb_products_said" {
        en: "✅ {count} products:\n{products}",
        es: "✅ {count} productos:\n{products}",
        sw: "✅ Bidhaa {count}:\n{products}",
    },
    OnbAndMore = "onb_and_more" { en: "…and {count} more", es: "…y {count} más", sw: "…na {count} zaidi" },
    OnbProductsUnread = "onb_products_unread" {
        en: "I couldn't find prices in that. Paste one product per line with its price, like: \"Jollof rice 2500\".",
        es: "No encontré precios ahí. Pegá un producto por línea con su precio, así: \"Empanada de carne 900\".",
        sw: "Sikupata bei hapo. Bandika bidhaa moja kwa kila mstari na bei yake, hivi: \"Unga 2kg 180\".",
    },
    OnbPhotoNeedsModel = "onb_photo_needs_model" {
        en: "Reading a photo of the menu needs a language model, which this server does not have. Please paste the price list as text.",
        es: "Para leer una foto del menú hace falta un modelo de lenguaje, y este servidor no tiene. Pegá la lista de precios como texto, por favor.",
        sw: "Kusoma picha ya menyu kunahitaji modeli ya lugha, ambayo seva hii haina. Tafadhali bandika orodha ya bei kama maandishi.",
    },
    OnbAskPayments = "onb_ask_payments" {
        en: "Last one: how do customers pay you? E.g. \"cash and transfer to GTBank 0123456789\", \"M-PESA till 123456\", \"Paystack\".",
        es: "Última: ¿cómo te pagan? Por ejemplo: \"efectivo y transferencia al alias EMPANADAS.MARTIN\", \"CBU 0000003100010000000001\".",
        sw: "La mwisho: wateja wanakulipa vipi? Kwa mfano: \"taslimu na M-PESA till 123456\", \"paybill 400200 akaunti 1234\".",
    },
    OnbPaymentsSaid = "onb_payments_said" { en: "✅ Payments: {payments}.", es: "✅ Pagos: {payments}.", sw: "✅ Malipo: {payments}." },
    OnbPaymentsUnread = "onb_payments_unread" {
        en: "I couldn't read how you get paid. Try: \"cash, transfer to GTBank 0123456789\" or \"M-PESA till 123456\".",
        es: "No entendí cómo cobrás. Probá: \"efectivo y transferencia al alias EMPANADAS.MARTIN\".",
        sw: "Sikuelewa unavyolipwa. Jaribu: \"taslimu, M-PESA till 123456\".",
    },
    OnbPayCash = "onb_pay_cash" { en: "cash", es: "efectivo", sw: "taslimu" },
    OnbPayTransfer = "onb_pay_transfer" { en: "bank transfer ({details})", es: "transferencia ({details})", sw: "uhamisho wa benki ({details})" },
    OnbPayTransferPlain = "onb_pay_transfer_plain" { en: "bank transfer", es: "transferencia", sw: "uhamisho wa benki" },
    OnbPayMpesaTill = "onb_pay_mpesa_till" { en: "M-PESA till {till}", es: "M-PESA till {till}", sw: "M-PESA till {till}" },
    OnbPayMpesaPaybill = "onb_pay_mpesa_paybill" {
        en: "M-PESA paybill {paybill}, account {account}",
        es: "M-PESA paybill {paybill}, cuenta {account}",
        sw: "M-PESA paybill {paybill}, akaunti {account}",
    },
    OnbPayMpesaPaybillOnly = "onb_pay_mpesa_paybill_only" { en: "M-PESA paybill {paybill}", es: "M-PESA paybill {paybill}", sw: "M-PESA paybill {paybill}" },
    OnbPayPaystack = "onb_pay_paystack" { en: "card (Paystack)", es: "tarjeta (Paystack)", sw: "kadi (Paystack)" },
    OnbSummary = "onb_summary" {
        en: "Here is your business:\n• {business} ({vertical})\n• {country}, {currency}, {timezone}\n• Hours: {hours}\n• Delivery: {zones}\n• {count} products\n• Payments: {payments}\nTap *Create* to open it, or write what to correct (e.g. *change zones*).",
        es: "Así queda tu negocio:\n• {business} ({vertical})\n• {country}, {currency}, {timezone}\n• Horario: {hours}\n• Envíos: {zones}\n• {count} productos\n• Pagos: {payments}\nTocá *Crear* para abrirlo, o escribí qué corregir (por ejemplo *cambiar zonas*).",
        sw: "Hii ndiyo biashara yako:\n• {business} ({vertical})\n• {country}, {currency}, {timezone}\n• Saa: {hours}\n• Kupeleka: {zones}\n• Bidhaa {count}\n• Malipo: {payments}\nBonyeza *Unda* kuifungua, au andika cha kusahihisha (kwa mfano *badilisha maeneo*).",
    },
    OnbBtnCreate = "onb_btn_create" { en: "Create", es: "Crear", sw: "Unda" },
    OnbDone = "onb_done" {
        en: "🎉 {business} is open!\n\nTry your own bot now: write \"hi\" to your test number {sandbox} from the simulator.\n\nYour dashboard: {link}\n(one-time code {code}, valid for {minutes} minutes; afterwards sign in with your phone number).",
        es: "🎉 ¡{business} ya está abierto!\n\nProbá tu propio bot ahora: escribile \"hola\" a tu número de prueba {sandbox} desde el simulador.\n\nTu panel: {link}\n(código de un solo uso {code}, vale {minutes} minutos; después entrás con tu número de teléfono).",
        sw: "🎉 {business} imefunguliwa!\n\nJaribu roboti yako sasa: andika \"habari\" kwa nambari yako ya majaribio {sandbox} kwenye kiigaji.\n\nDashibodi yako: {link}\n(msimbo wa mara moja {code}, unafanya kazi dakika {minutes}; baadaye ingia kwa nambari yako ya simu).",
    },
    OnbRealNumber = "onb_real_number" {
        en: "To take orders on your real WhatsApp number:\n1. In Meta's WhatsApp Manager, add the number to a WhatsApp Business Account.\n2. Create a system user token with whatsapp_business_messaging.\n3. In the dashboard, Settings → WhatsApp: enter the phone number id and the token.\n4. Point the webhook to this server; your standard templates are submitted for you.",
        es: "Para tomar pedidos en tu número real de WhatsApp:\n1. En el WhatsApp Manager de Meta, sumá el número a una cuenta de WhatsApp Business.\n2. Creá un token de usuario del sistema con whatsapp_business_messaging.\n3. En el panel, Configuración → WhatsApp: cargá el id del número y el token.\n4. Apuntá el webhook a este servidor; tus plantillas estándar se envían solas.",
        sw: "Kupokea oda kwenye nambari yako halisi ya WhatsApp:\n1. Kwenye WhatsApp Manager ya Meta, ongeza nambari kwenye akaunti ya WhatsApp Business.\n2. Tengeneza tokeni ya mtumiaji wa mfumo yenye whatsapp_business_messaging.\n3. Kwenye dashibodi, Mipangilio → WhatsApp: weka kitambulisho cha nambari na tokeni.\n4. Elekeza webhook kwenye seva hii; violezo vyako vya kawaida vinatumwa kwa niaba yako.",
    },
    OnbAlreadyDone = "onb_already_done" {
        en: "{business} is already set up. To open another business, send a new invite code.",
        es: "{business} ya está listo. Para abrir otro negocio, mandá un código de invitación nuevo.",
        sw: "{business} tayari imeandaliwa. Kufungua biashara nyingine, tuma msimbo mpya wa mwaliko.",
    },
    // ---- end of onboarding ------------------------------------------------
}
