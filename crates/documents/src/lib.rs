//! skillcert's printable documents, rendered to PDF with typst used as a library.
//!
//! What this crate owns: the fonts that ship with the project ([`fonts`]), the typst `World` that
//! serves one generated document and its photo from memory ([`world`]), escaping of user text into
//! typst markup ([`markup`]), the check that every character a person typed can be printed
//! ([`coverage`]), and each document's layout (for now [`registration_form`]).
//!
//! What it does not own: business rules. A document is a plain struct of the strings to print;
//! the caller (the web crate) maps an application onto it, choosing labels and wording. That
//! keeps typst, the heaviest dependency of the workspace, out of every other crate's rebuilds.
//!
//! Nothing here touches the network: typst's package and font downloads live in `typst-kit`,
//! which this crate does not use; fonts are embedded with `include_bytes!` or read from a
//! configured folder.
//!
//! Rendering is CPU work of tens of milliseconds (seconds in an unoptimised build): call
//! [`Renderer`] from `tokio::task::spawn_blocking`, and call [`evict_cache`] now and then (after a
//! batch) so that typst's memoisation cache does not grow without bound.

pub mod coverage;
pub mod fonts;
pub mod markup;
#[cfg(test)]
mod pdf_text;
pub mod registration_form;
mod renderer;
mod world;

pub use coverage::UnprintableText;
pub use registration_form::RegistrationForm;
pub use renderer::{Pdf, RenderError, Renderer, RendererSettings};

/// Drops typst's memoised results not used in the last `max_age` compilations.
///
/// typst caches layout work across compilations (`comemo`); a long-running server renders many
/// different forms, so the cache must be trimmed. Call it after a batch of renders, or every few
/// renders; `evict_cache(10)` keeps what recent renders share (fonts, the fixed layout).
pub fn evict_cache(max_age: usize) {
    comemo::evict(max_age);
}
