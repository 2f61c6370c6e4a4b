//! Authentication: passwords, access and refresh tokens, the request
//! extractor that enforces roles.

pub mod extractor;
pub use engine::accounts::password;
pub mod tokens;

pub use extractor::Auth;
