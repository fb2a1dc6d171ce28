//! The fonts documents are set in: Noto Sans CJK SC, shipped inside the binary so that a fresh
//! machine prints Chinese without any system font, plus whatever a configured folder adds.
//!
//! The embedded faces are subsets (see `fonts/README.md`): Regular covers GBK, CJK Extension A,
//! Latin and the punctuation people type; Bold only the common hanzi of the form's own labels.

use std::path::Path;

use typst::foundations::Bytes;
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;

/// The family every document asks for first.
pub const FAMILY: &str = "Noto Sans CJK SC";

static REGULAR: &[u8] = include_bytes!("../fonts/NotoSansCJKsc-Regular-subset.otf");
static BOLD: &[u8] = include_bytes!("../fonts/NotoSansCJKsc-Bold-subset.otf");

/// A font file of the configured folder that could not be used.
#[derive(Debug, thiserror::Error)]
pub enum FontError {
    #[error("cannot read the font folder {path}: {source}")]
    Folder {
        path: String,
        source: std::io::Error,
    },
    #[error("cannot read the font file {path}: {source}")]
    File {
        path: String,
        source: std::io::Error,
    },
    /// A file named like a font that holds none: a configuration mistake, said at startup rather
    /// than found out when a document prints blanks.
    #[error("{path} is not a font typst can read")]
    NotAFont { path: String },
}

/// Every font a document can use, in typst's order: the embedded faces, then the folder's.
pub struct FontSet {
    fonts: Vec<Font>,
    /// Only the faces text typed by people is set in (not the bold used for labels): the
    /// coverage check asks these.
    text_faces: Vec<usize>,
    book: LazyHash<FontBook>,
}

impl FontSet {
    /// The embedded faces, and every `.ttf`, `.otf`, `.ttc` and `.otc` file directly inside
    /// `extra_dir` (sorted by name, so that the order does not depend on the file system).
    pub fn load(extra_dir: Option<&Path>) -> Result<FontSet, FontError> {
        let regular = Font::new(Bytes::new(REGULAR), 0).expect("the embedded regular face parses");
        let bold = Font::new(Bytes::new(BOLD), 0).expect("the embedded bold face parses");
        let mut fonts = vec![regular, bold];
        let mut text_faces = vec![0];
        if let Some(dir) = extra_dir {
            for font in read_folder(dir)? {
                text_faces.push(fonts.len());
                fonts.push(font);
            }
        }
        let book = LazyHash::new(FontBook::from_fonts(&fonts));
        Ok(FontSet {
            fonts,
            text_faces,
            book,
        })
    }

    pub fn book(&self) -> &LazyHash<FontBook> {
        &self.book
    }

    pub fn get(&self, index: usize) -> Option<Font> {
        self.fonts.get(index).cloned()
    }

    /// Whether some face that user text may be set in has a glyph for `c`. typst falls back
    /// through every font of the book for a character the first family lacks, so the union is
    /// what prints.
    pub fn prints(&self, c: char) -> bool {
        self.text_faces
            .iter()
            .any(|&i| self.fonts[i].info().coverage.contains(u32::from(c)))
    }

    /// Whether the bold face (labels and headings) has a glyph for `c`.
    pub fn bold_prints(&self, c: char) -> bool {
        self.fonts[1].info().coverage.contains(u32::from(c))
    }

    /// How many faces the set holds (the embedded two plus the folder's).
    pub fn len(&self) -> usize {
        self.fonts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.fonts.is_empty()
    }
}

fn read_folder(dir: &Path) -> Result<Vec<Font>, FontError> {
    let entries = std::fs::read_dir(dir).map_err(|source| FontError::Folder {
        path: dir.display().to_string(),
        source,
    })?;
    let mut paths = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|source| FontError::Folder {
            path: dir.display().to_string(),
            source,
        })?;
        let path = entry.path();
        let is_font = path.extension().and_then(|e| e.to_str()).is_some_and(|e| {
            matches!(
                e.to_ascii_lowercase().as_str(),
                "ttf" | "otf" | "ttc" | "otc"
            )
        });
        if is_font && path.is_file() {
            paths.push(path);
        }
    }
    paths.sort();
    let mut fonts = Vec::new();
    for path in paths {
        let data = std::fs::read(&path).map_err(|source| FontError::File {
            path: path.display().to_string(),
            source,
        })?;
        let found: Vec<Font> = Font::iter(Bytes::new(data)).collect();
        if found.is_empty() {
            return Err(FontError::NotAFont {
                path: path.display().to_string(),
            });
        }
        fonts.extend(found);
    }
    Ok(fonts)
}
