//! Word lists shared by several extractors. All entries are folded
//! (lowercase, no accents), as the tokeniser produces them.

use chrono::Weekday;

use crate::Lang;

/// A number written as a word, in the message's language. English and Swahili
/// share one list because Nairobi customers mix them in one sentence; Spanish
/// is separate because "once" (11) and "one" must not collide.
pub(crate) fn number_word(w: &str, lang: Lang) -> Option<u32> {
    let n = match lang {
        Lang::En => match w {
            "one" | "moja" | "mmoja" | "kimoja" | "single" => 1,
            "two" | "mbili" | "wawili" | "viwili" | "couple" => 2,
            "three" | "tatu" | "watatu" | "vitatu" => 3,
            "four" | "nne" | "wanne" | "vinne" => 4,
            "five" | "tano" | "watano" | "vitano" => 5,
            "six" | "sita" => 6,
            "seven" | "saba" => 7,
            "eight" | "nane" => 8,
            "nine" | "tisa" => 9,
            "ten" | "kumi" => 10,
            "eleven" => 11,
            "twelve" | "dozen" | "dazeni" => 12,
            "fifteen" => 15,
            "twenty" | "ishirini" => 20,
            _ => return None,
        },
        Lang::Es => match w {
            "un" | "una" | "uno" => 1,
            "dos" => 2,
            "tres" => 3,
            "cuatro" => 4,
            "cinco" => 5,
            "seis" => 6,
            "siete" => 7,
            "ocho" => 8,
            "nueve" => 9,
            "diez" => 10,
            "once" => 11,
            "doce" | "docena" => 12,
            "quince" => 15,
            "veinte" => 20,
            "treinta" => 30,
            _ => return None,
        },
    };
    Some(n)
}

pub(crate) fn is_dozen(w: &str) -> bool {
    matches!(w, "dozen" | "dozens" | "docena" | "docenas" | "dazeni")
}

pub(crate) fn weekday(w: &str) -> Option<Weekday> {
    use Weekday::*;
    Some(match w {
        "monday" | "mon" | "lunes" | "jumatatu" => Mon,
        "tuesday" | "tue" | "tues" | "martes" | "jumanne" => Tue,
        "wednesday" | "wed" | "miercoles" | "jumatano" => Wed,
        "thursday" | "thu" | "thur" | "thurs" | "jueves" | "alhamisi" => Thu,
        "friday" | "fri" | "viernes" | "ijumaa" => Fri,
        "saturday" | "sat" | "sabado" | "jumamosi" => Sat,
        "sunday" | "domingo" | "jumapili" => Sun,
        _ => return None,
    })
}

/// Month number; `strict` excludes words that are common outside dates
/// ("may", "mar", "mei").
pub(crate) fn month(w: &str, strict: bool) -> Option<u32> {
    let m = match w {
        "january" | "jan" | "enero" | "januari" => 1,
        "february" | "feb" | "febrero" | "februari" => 2,
        "march" | "marzo" | "machi" => 3,
        "april" | "apr" | "abril" | "aprili" => 4,
        "june" | "jun" | "junio" | "juni" => 6,
        "july" | "jul" | "julio" | "julai" => 7,
        "august" | "aug" | "agosto" | "agosti" => 8,
        "september" | "sep" | "sept" | "septiembre" | "setiembre" | "septemba" => 9,
        "october" | "oct" | "octubre" | "oktoba" => 10,
        "november" | "nov" | "noviembre" | "novemba" => 11,
        "december" | "dec" | "diciembre" | "dic" | "desemba" => 12,
        "may" | "mayo" | "mei" if !strict => 5,
        "mar" if !strict => 3,
        _ => return None,
    };
    Some(m)
}

/// Words that are never fuzzily matched to a catalog entry: short function
/// words in our three languages that sit one typo away from product names.
pub(crate) fn never_fuzzy(w: &str) -> bool {
    matches!(
        w,
        "cosa"
            | "casa"
            | "para"
            | "pero"
            | "como"
            | "esta"
            | "este"
            | "todo"
            | "toda"
            | "carta"
            | "cuanto"
            | "quiero"
            | "queria"
            | "mandame"
            | "pasado"
            | "manana"
            | "tarde"
            | "noche"
            | "viernes"
            | "sabado"
            | "domingo"
            | "envio"
            | "retiro"
            | "mismo"
            | "misma"
            | "favor"
            | "gracias"
            | "when"
            | "what"
            | "that"
            | "this"
            | "with"
            | "have"
            | "will"
            | "please"
            | "plis"
            | "send"
            | "sent"
            | "bring"
            | "deliver"
            | "tomorrow"
            | "today"
            | "order"
            | "money"
            | "paid"
            | "kesho"
            | "nataka"
            | "naomba"
            | "niletee"
            | "tafadhali"
            | "asante"
            | "sasa"
            | "pesa"
            | "mpesa"
            | "delivery"
            | "pickup"
            | "hola"
            | "buenas"
            | "habari"
            | "docena"
            | "media"
            | "dozen"
            | "mbili"
            | "tatu"
            | "nane"
            | "tano"
            | "sita"
            | "saba"
            | "tisa"
            | "kumi"
            | "moja"
            | "dos"
            | "tres"
            | "cuatro"
            | "cinco"
            | "seis"
            | "siete"
            | "ocho"
            | "nueve"
            | "diez"
    )
}
