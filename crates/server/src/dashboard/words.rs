//! The dashboard's own words, in English and Rioplatense Spanish. Each page
//! module keeps its words in a `WORDS` table of `(key, en, es)`; this module
//! joins them. Templates and handlers name a key (`w.t("today.title")`) and
//! never write a sentence; a test checks every key they name exists.
//!
//! Arguments are named in braces (`{name}`) and filled by [`Words::f`].

use std::collections::HashMap;
use std::sync::OnceLock;

/// `(key, English, Spanish)`.
pub type Table = &'static [(&'static str, &'static str, &'static str)];

/// Every page's table.
pub const TABLES: &[Table] = &[
    COMMON,
    super::WHY,
    super::format::WORDS,
    super::today::WORDS,
    super::orders::WORDS,
    super::payments::WORDS,
    super::stock::WORDS,
    super::settings::WORDS,
    super::automation::WORDS,
    super::customers::WORDS,
    super::inbox::WORDS,
];

/// The layout's, sign-in's and errors' words.
pub const COMMON: Table = &[
    ("app.name", "Sokoni", "Sokoni"),
    ("nav.today", "Today", "Hoy"),
    ("nav.orders", "Orders", "Pedidos"),
    ("nav.kitchen", "Kitchen", "Cocina"),
    ("nav.customers", "Customers", "Clientes"),
    ("nav.payments", "Payments", "Pagos"),
    ("nav.stock", "Stock", "Stock"),
    ("nav.inbox", "Inbox", "Bandeja"),
    ("nav.automation", "Automation", "Automatización"),
    ("nav.reports", "Reports", "Reportes"),
    ("nav.settings", "Settings", "Ajustes"),
    ("nav.menu", "Menu", "Menú"),
    ("nav.logout", "Sign out", "Cerrar sesión"),
    ("nav.skip", "Skip to content", "Ir al contenido"),
    (
        "theme.toggle",
        "Switch light or dark",
        "Cambiar claro u oscuro",
    ),
    ("theme.auto", "Theme: system", "Tema: del sistema"),
    ("theme.dark", "Theme: dark", "Tema: oscuro"),
    ("theme.light", "Theme: light", "Tema: claro"),
    ("role.owner", "Owner", "Dueño"),
    ("role.staff", "Staff", "Equipo"),
    ("role.viewer", "Viewer (read only)", "Solo lectura"),
    ("common.save", "Save", "Guardar"),
    ("common.cancel", "Cancel", "Cancelar"),
    ("common.close", "Close", "Cerrar"),
    ("common.search", "Search", "Buscar"),
    ("common.filter", "Filter", "Filtrar"),
    ("common.clear", "Clear", "Limpiar"),
    ("common.none", "Nothing here yet.", "Todavía no hay nada."),
    ("common.back", "Back", "Volver"),
    ("common.more", "More", "Más"),
    ("common.live", "Updates live", "Se actualiza solo"),
    ("common.offline", "You are offline", "Estás sin conexión"),
    ("common.saved", "Saved.", "Guardado."),
    ("common.yes", "Yes", "Sí"),
    ("common.no", "No", "No"),
    ("login.title", "Sign in", "Ingresar"),
    (
        "login.intro",
        "Run your business from here and from WhatsApp.",
        "Manejá tu negocio desde acá y desde WhatsApp.",
    ),
    (
        "login.with_password",
        "Email and password",
        "Email y contraseña",
    ),
    (
        "login.with_phone",
        "Phone and WhatsApp code",
        "Teléfono y código por WhatsApp",
    ),
    ("login.email", "Email", "Email"),
    ("login.password", "Password", "Contraseña"),
    ("login.phone", "WhatsApp number", "Número de WhatsApp"),
    (
        "login.phone_hint",
        "International form, like +2348031234567",
        "En formato internacional, como +5491123456789",
    ),
    ("login.code", "Code", "Código"),
    (
        "login.code_hint",
        "The six digits we sent you on WhatsApp",
        "Los seis dígitos que te mandamos por WhatsApp",
    ),
    ("login.submit", "Sign in", "Ingresar"),
    ("login.send_code", "Send me a code", "Mandame un código"),
    (
        "login.code_sent",
        "If this number belongs to a team member, a code is on its way to WhatsApp. It lasts 10 minutes.",
        "Si el número es de alguien del equipo, le llega un código por WhatsApp. Dura 10 minutos.",
    ),
    ("login.business", "Business", "Negocio"),
    (
        "login.choose_business",
        "This phone runs several businesses: choose one.",
        "Este teléfono maneja varios negocios: elegí uno.",
    ),
    (
        "login.invalid",
        "The email or the password is wrong.",
        "El email o la contraseña no son correctos.",
    ),
    (
        "login.code_invalid",
        "The code is wrong or has expired.",
        "El código no es correcto o venció.",
    ),
    (
        "login.code_locked",
        "Too many wrong codes: ask for a new one.",
        "Demasiados códigos equivocados: pedí uno nuevo.",
    ),
    (
        "login.rate_limited",
        "Too many codes asked for: try again in a while.",
        "Pediste demasiados códigos: probá de nuevo en un rato.",
    ),
    (
        "login.inactive",
        "This account is not active.",
        "Esta cuenta no está activa.",
    ),
    (
        "login.phone_invalid",
        "Write the number in international form, like +2348031234567.",
        "Escribí el número en formato internacional, como +5491123456789.",
    ),
    ("login.required", "Fill this in.", "Completá este campo."),
    (
        "login.link_invalid",
        "This sign-in link has expired. Sign in below.",
        "Este enlace para ingresar venció. Ingresá abajo.",
    ),
    ("login.signed_out", "You signed out.", "Cerraste la sesión."),
    (
        "login.expired",
        "Your session ended. Sign in again.",
        "Tu sesión terminó. Ingresá de nuevo.",
    ),
    (
        "error.not_found",
        "This page does not exist, or is not yours.",
        "Esta página no existe, o no es tuya.",
    ),
    (
        "error.forbidden",
        "Your role can look but not change this.",
        "Tu rol puede mirar pero no cambiar esto.",
    ),
    (
        "error.csrf",
        "This form expired. Go back, reload the page and try again.",
        "Este formulario venció. Volvé, recargá la página y probá de nuevo.",
    ),
    (
        "error.internal",
        "Something went wrong on our side. Try again in a moment.",
        "Algo falló de nuestro lado. Probá de nuevo en un momento.",
    ),
    (
        "error.bad_request",
        "That request could not be read.",
        "No se pudo leer ese pedido.",
    ),
    ("error.title", "Sorry", "Perdón"),
    ("error.home", "Back to Today", "Volver a Hoy"),
    ("offline.title", "You are offline", "Estás sin conexión"),
    (
        "offline.body",
        "Sokoni needs the internet to show your orders. Your customers can still write to you on WhatsApp; the bot keeps answering.",
        "Sokoni necesita internet para mostrar tus pedidos. Tus clientes te pueden seguir escribiendo por WhatsApp; el bot sigue respondiendo.",
    ),
    ("offline.retry", "Try again", "Reintentar"),
];

fn table() -> &'static HashMap<&'static str, (&'static str, &'static str)> {
    static T: OnceLock<HashMap<&'static str, (&'static str, &'static str)>> = OnceLock::new();
    T.get_or_init(|| {
        TABLES
            .iter()
            .flat_map(|t| t.iter())
            .map(|(k, en, es)| (*k, (*en, *es)))
            .collect()
    })
}

/// The dashboard's words in one language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Words {
    spanish: bool,
}

impl Words {
    /// The words for a language tag (`es`, `es-AR`; anything else is English).
    pub fn for_lang(lang: &str) -> Self {
        Words {
            spanish: lang.starts_with("es"),
        }
    }

    /// The tag pages declare (`<html lang>`), and money formatting reads.
    pub fn lang(&self) -> &'static str {
        if self.spanish { "es" } else { "en" }
    }

    /// The text of `key`; the key itself when it is missing (a test keeps
    /// that from shipping).
    pub fn t(&self, key: &str) -> &'static str {
        match table().get(key) {
            Some((en, es)) => {
                if self.spanish {
                    es
                } else {
                    en
                }
            }
            None => {
                tracing::warn!(key, "dashboard word missing");
                // Only literal keys reach here; leak nothing dynamic.
                "?"
            }
        }
    }

    /// The text of `key` with `{name}` arguments filled.
    pub fn f(&self, key: &str, args: &[(&str, &str)]) -> String {
        let mut out = self.t(key).to_string();
        for (name, value) in args {
            out = out.replace(&format!("{{{name}}}"), value);
        }
        out
    }

    pub fn has(key: &str) -> bool {
        table().contains_key(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn keys_are_unique_and_both_languages_are_written() {
        let mut seen = HashSet::new();
        for (k, en, es) in TABLES.iter().flat_map(|t| t.iter()) {
            assert!(seen.insert(*k), "duplicate key {k}");
            assert!(
                !en.trim().is_empty() && !es.trim().is_empty(),
                "{k} is empty"
            );
            let args = |s: &str| {
                s.split('{')
                    .skip(1)
                    .filter_map(|p| p.split_once('}').map(|(a, _)| a.to_string()))
                    .collect::<HashSet<_>>()
            };
            assert_eq!(
                args(en),
                args(es),
                "{k}: the languages take different arguments"
            );
        }
    }

    #[test]
    fn spanish_is_chosen_by_tag_and_arguments_are_filled() {
        let es = Words::for_lang("es-AR");
        assert_eq!(es.t("nav.orders"), "Pedidos");
        assert_eq!(Words::for_lang("sw").t("nav.orders"), "Orders");
        assert_eq!(Words::for_lang("en").t("no.such.key"), "?");
    }

    /// Every key a template or a page module names is in the tables.
    #[test]
    fn every_key_used_exists() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut missing = Vec::new();
        let mut files = Vec::new();
        for dir in ["templates/dashboard", "src/dashboard"] {
            for e in std::fs::read_dir(root.join(dir))
                .into_iter()
                .flatten()
                .flatten()
            {
                files.push(e.path());
            }
        }
        assert!(files.len() > 3, "found the templates and modules");
        // This file's own tests name a missing key on purpose.
        for path in files.into_iter().filter(|p| !p.ends_with("words.rs")) {
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            for pat in [".t(\"", ".f(\""] {
                for part in text.split(pat).skip(1) {
                    let key = part.split('"').next().unwrap_or_default();
                    if !Words::has(key) {
                        missing.push(format!("{}: {key}", path.display()));
                    }
                }
            }
        }
        assert!(missing.is_empty(), "words missing: {missing:#?}");
    }
}
