//! The renderer: fonts and typst's standard library loaded once, shared by every render.

use std::fmt;
use std::path::PathBuf;

use typst::diag::SourceDiagnostic;
use typst::utils::LazyHash;
use typst::{Library, LibraryExt};
use typst_layout::PagedDocument;
use typst_pdf::PdfOptions;

use crate::coverage::{self, UnprintableText};
use crate::fonts::{FontError, FontSet};
use crate::registration_form::{self, RegistrationForm};
use crate::world::DocumentWorld;

/// How the renderer is set up.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RendererSettings {
    /// A folder of extra `.ttf`/`.otf`/`.ttc`/`.otc` files, for characters the embedded font
    /// lacks (e.g. a font with CJK Extension B for rare name characters).
    pub extra_font_dir: Option<PathBuf>,
}

/// A rendered PDF file.
#[derive(Clone, PartialEq, Eq)]
pub struct Pdf(pub Vec<u8>);

impl Pdf {
    pub fn into_bytes(self) -> Vec<u8> {
        self.0
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for Pdf {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Pdf({} bytes)", self.0.len())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// Some characters typed in the form have no glyph in any font: the document is not made,
    /// rather than printed with blanks. Every field concerned is listed, so that they can all be
    /// corrected at once (or a font added).
    #[error("characters no font can print: {}", list(.fields))]
    Unprintable { fields: Vec<UnprintableText> },
    /// The photo is neither JPEG nor PNG.
    #[error("the photo is neither JPEG nor PNG")]
    PhotoFormat,
    /// typst refused the document (a damaged photo, or a bug in the layout).
    #[error("typst could not lay out the document: {}", .0.join("; "))]
    Typst(Vec<String>),
}

fn list(fields: &[UnprintableText]) -> String {
    fields
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

impl RenderError {
    /// The fields with unprintable characters, when that is the error.
    pub fn unprintable(&self) -> Option<&[UnprintableText]> {
        match self {
            RenderError::Unprintable { fields } => Some(fields),
            _ => None,
        }
    }
}

/// Holds the fonts and typst's library; create one at startup and share it (it is `Send + Sync`).
///
/// Each render is synchronous CPU work: from async code, call it inside
/// `tokio::task::spawn_blocking`, and call [`crate::evict_cache`] periodically.
pub struct Renderer {
    fonts: FontSet,
    library: LazyHash<Library>,
}

impl fmt::Debug for Renderer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Renderer({} fonts)", self.fonts.len())
    }
}

impl Renderer {
    pub fn new(settings: &RendererSettings) -> Result<Renderer, FontError> {
        Ok(Renderer {
            fonts: FontSet::load(settings.extra_font_dir.as_deref())?,
            library: LazyHash::new(Library::default()),
        })
    }

    pub fn fonts(&self) -> &FontSet {
        &self.fonts
    }

    /// Every field of `form` with characters no font prints; empty when the form can be rendered.
    pub fn unprintable(&self, form: &RegistrationForm) -> Vec<UnprintableText> {
        coverage::unprintable(&self.fonts, form.user_text())
    }

    /// 职业技能等级认定登记表 as a PDF.
    pub fn render_registration_form(&self, form: &RegistrationForm) -> Result<Pdf, RenderError> {
        let fields = self.unprintable(form);
        if !fields.is_empty() {
            return Err(RenderError::Unprintable { fields });
        }
        let photo = match &form.photo {
            Some(bytes) => Some((photo_format(bytes)?, bytes.clone())),
            None => None,
        };
        let markup = registration_form::markup(form, photo.as_ref().map(|(f, _)| *f));
        let image = photo.map(|(_, bytes)| (registration_form::PHOTO_PATH, bytes));
        self.compile(markup, image)
    }

    fn compile(&self, markup: String, image: Option<(&str, Vec<u8>)>) -> Result<Pdf, RenderError> {
        let world = DocumentWorld::new(&self.library, &self.fonts, markup, image);
        let document: PagedDocument = typst::compile(&world).output.map_err(diagnostics)?;
        let options = PdfOptions {
            // A stable identifier and no creation time: the same form gives the same bytes.
            ident: typst::foundations::Smart::Custom("skillcert-registration-form".to_owned()),
            ..PdfOptions::default()
        };
        let bytes = typst_pdf::pdf(&document, &options).map_err(diagnostics)?;
        Ok(Pdf(bytes))
    }
}

/// JPEG and PNG are told apart by their signatures (the upload checks already refused anything
/// else; this keeps a stray file from reaching typst).
fn photo_format(bytes: &[u8]) -> Result<&'static str, RenderError> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Ok("jpg")
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Ok("png")
    } else {
        Err(RenderError::PhotoFormat)
    }
}

fn diagnostics(errors: impl IntoIterator<Item = SourceDiagnostic>) -> RenderError {
    RenderError::Typst(errors.into_iter().map(|d| d.message.to_string()).collect())
}
