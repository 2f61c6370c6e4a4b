//! Garment styles for tailors: "agbada", "iro and buba", "ankara midi dress",
//! "senator", "kitenge dress", "vestido largo"... The style is the garment
//! phrase (fabric and cut modifiers plus the garment), lowercase, singular.

use crate::Lang;
use crate::lexicon::number_word;
use crate::text::Text;

/// Garment nouns: (spelling, canonical form).
fn garment(w: &str) -> Option<&'static str> {
    Some(match w {
        "agbada" | "agbadas" => "agbada",
        "native" | "natives" => "native",
        "ebi" => "ebi",
        "buba" | "bubas" => "buba",
        "iro" => "iro",
        "sokoto" => "sokoto",
        "senator" | "senators" => "senator",
        "kaftan" | "kaftans" | "caftan" | "caftans" => "kaftan",
        "dashiki" | "danshiki" | "dansiki" => "dashiki",
        "kaba" => "kaba",
        "slit" => "slit",
        "boubou" | "bubu" => "boubou",
        "abaya" => "abaya",
        "jalabiya" => "jalabiya",
        "isiagu" => "isiagu",
        "gown" | "gowns" => "gown",
        "dress" | "dresses" => "dress",
        "skirt" | "skirts" => "skirt",
        "blouse" | "blouses" => "blouse",
        "shirt" | "shirts" => "shirt",
        "trouser" | "trousers" | "pant" | "pants" => "trousers",
        "suit" | "suits" => "suit",
        "jumpsuit" | "jumpsuits" => "jumpsuit",
        "wrapper" => "wrapper",
        "jacket" | "jackets" => "jacket",
        "blazer" => "blazer",
        "waistcoat" => "waistcoat",
        "palazzo" => "palazzo",
        "kimono" => "kimono",
        "top" | "tops" => "top",
        "uniform" | "uniforms" => "uniform",
        "sweater" | "sweaters" => "sweater",
        "sketi" => "sketi",
        "gauni" => "gauni",
        "suti" => "suti",
        "shati" => "shati",
        "suruali" => "suruali",
        "kanzu" => "kanzu",
        "kaptura" | "shorts" => "shorts",
        "blauzi" => "blouse",
        "vestido" | "vestidos" => "vestido",
        "pollera" | "polleras" => "pollera",
        "falda" => "falda",
        "blusa" | "blusas" => "blusa",
        "camisa" | "camisas" => "camisa",
        "pantalon" | "pantalones" => "pantalon",
        "traje" | "trajes" => "traje",
        "saco" => "saco",
        _ => return None,
    })
}

/// Fabric and cut words that belong to the style phrase before a garment.
fn modifier(w: &str) -> bool {
    matches!(
        w,
        "ankara"
            | "lace"
            | "adire"
            | "kente"
            | "aso"
            | "oke"
            | "asoebi"
            | "ebi"
            | "chiffon"
            | "silk"
            | "satin"
            | "velvet"
            | "kitenge"
            | "kitenge's"
            | "midi"
            | "maxi"
            | "mini"
            | "long"
            | "short"
            | "off"
            | "shoulder"
            | "mermaid"
            | "corset"
            | "flared"
            | "flare"
            | "fitted"
            | "peplum"
            | "pencil"
            | "bridal"
            | "wedding"
            | "native"
            | "piece"
            | "two"
            | "three"
            | "school"
            | "church"
            | "office"
            | "ball"
            | "evening"
            | "traditional"
            | "english"
            | "kampala"
            | "corporate"
            | "casual"
            | "plain"
    )
}

/// Spanish and Swahili put the modifiers after the garment.
fn post_modifier(w: &str) -> bool {
    matches!(
        w,
        "largo"
            | "corto"
            | "de"
            | "fiesta"
            | "novia"
            | "ya"
            | "shule"
            | "lino"
            | "gala"
            | "kitenge"
    )
}

/// Style and (when it has one) the count of garments.
/// Returns the style, its count, and whether it is referred to as an existing
/// garment ("the skirt", "my gown") rather than a new one.
pub(crate) fn extract(
    t: &Text<'_>,
    used: &mut [bool],
    lang: Lang,
) -> (Option<String>, Option<u32>, bool) {
    let Some(h) =
        (0..t.len()).find(|&i| !used[i] && garment(t.s(i)).is_some() && !false_garment(t, i))
    else {
        return (None, None, false);
    };
    // Expand left over modifiers.
    let mut start = h;
    while start > 0 && !used[start - 1] {
        let w = t.s(start - 1);
        if modifier(w)
            || (w == "-" && start >= 2 && modifier(t.s(start - 2)))
            || (w == "2" || w == "3") && t.s(start) == "piece"
        {
            start -= 1;
        } else {
            break;
        }
    }
    let mut parts: Vec<String> = Vec::new();
    for i in start..h {
        let w = t.s(i);
        if w != "-" {
            parts.push(w.to_owned());
        }
    }
    let mut end = h + 1;
    let mut head = garment(t.s(h)).unwrap_or("");
    parts.push(head.to_owned());
    loop {
        let w = t.s(end);
        // "iro and buba", "skirt & blouse", "kaba and slit"
        if matches!(w, "and" | "&" | "y" | "na")
            && let Some(g) = garment(t.s(end + 1))
        {
            parts.push("and".to_owned());
            parts.push(g.to_owned());
            head = g;
            end += 2;
            continue;
        }
        // "senator suit", "kaftan dress"
        if let Some(g) = garment(w)
            && g != head
            && !used[end]
        {
            parts.push(g.to_owned());
            head = g;
            end += 1;
            continue;
        }
        // "vestido de fiesta", "sketi ya shule", "vestido largo"
        if post_modifier(w) && !matches!(w, "de" | "ya") {
            parts.push(w.to_owned());
            end += 1;
            continue;
        }
        if matches!(w, "de" | "ya")
            && post_modifier(t.s(end + 1))
            && !matches!(t.s(end + 1), "de" | "ya")
        {
            parts.push(w.to_owned());
            parts.push(t.s(end + 1).to_owned());
            end += 2;
            continue;
        }
        break;
    }
    for u in &mut used[start..end] {
        *u = true;
    }
    // Count: "2 agbada", "two senators", "3x kaftan", or Swahili "sketi mbili".
    let mut qty = None;
    if start > 0 && !used[start - 1] {
        let p = start - 1;
        let p = if t.s(p) == "x" && p > 0 { p - 1 } else { p };
        if let Some(n) = count(t, p, lang) {
            qty = Some(n);
            used[p] = true;
        }
    }
    if qty.is_none() && end < t.len() && !used[end] {
        let k = if t.s(end) == "x" { end + 1 } else { end };
        if let Some(n) = count(t, k, lang)
            && (t.s(end) == "x"
                || matches!(lang, Lang::En) && number_word(t.s(k), lang).is_some() && !t.is_num(k))
        {
            qty = Some(n);
            used[k] = true;
        }
    }
    let definite = start > 0
        && matches!(
            t.s(start - 1),
            "the" | "my" | "her" | "his" | "that" | "el" | "la" | "mi"
        );
    (Some(parts.join(" ")), qty, definite)
}

fn count(t: &Text<'_>, i: usize, lang: Lang) -> Option<u32> {
    if t.is_num(i) && t.digits(i) <= 2 && !t.s(i).contains(['.', ',']) {
        let v = t.value(i) as u32;
        return (v > 0).then_some(v);
    }
    number_word(t.s(i), lang).filter(|_| !matches!(t.s(i), "dozen"))
}

/// Garment words used in another sense: "on top of", "top up", "suit you",
/// "the saco" is fine but "saco" = "I take out" in "saco turno".
fn false_garment(t: &Text<'_>, i: usize) -> bool {
    let w = t.s(i);
    let next = t.s(i + 1);
    let prev = if i > 0 { t.s(i - 1) } else { "" };
    match w {
        "top" => matches!(next, "up" | "of") || matches!(prev, "on" | "at"),
        "suit" | "suits" => matches!(next, "you" | "me" | "them" | "her" | "him"),
        "saco" => matches!(next, "turno" | "la" | "el"),
        "pants" | "pant" => false,
        _ => false,
    }
}
