//! The typst `World` of one render: the generated markup as `/main.typ`, at most one image at a
//! fixed path, the renderer's fonts and standard library. No file system, no packages, no
//! network: anything else a document asks for is "not found".

use std::sync::LazyLock;

use typst::diag::{FileError, FileResult};
use typst::foundations::{Bytes, Datetime, Duration};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, World};

use crate::fonts::FontSet;

/// The main file's id. Interned once: typst's interner keeps every id forever, and a fixed id
/// lets the memoisation cache recognise the same document across renders.
static MAIN: LazyLock<FileId> = LazyLock::new(|| file_id("/main.typ"));

fn file_id(path: &str) -> FileId {
    RootedPath::new(
        VirtualRoot::Project,
        VirtualPath::new(path).expect("a fixed absolute virtual path"),
    )
    .intern()
}

pub(crate) struct DocumentWorld<'a> {
    library: &'a LazyHash<Library>,
    fonts: &'a FontSet,
    source: Source,
    /// The image file's id and bytes.
    image: Option<(FileId, Bytes)>,
}

impl<'a> DocumentWorld<'a> {
    pub fn new(
        library: &'a LazyHash<Library>,
        fonts: &'a FontSet,
        markup: String,
        image: Option<(&str, Vec<u8>)>,
    ) -> DocumentWorld<'a> {
        DocumentWorld {
            library,
            fonts,
            source: Source::new(*MAIN, markup),
            image: image.map(|(path, bytes)| (file_id(path), Bytes::new(bytes))),
        }
    }
}

impl World for DocumentWorld<'_> {
    fn library(&self) -> &LazyHash<Library> {
        self.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        self.fonts.book()
    }

    fn main(&self) -> FileId {
        *MAIN
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == *MAIN {
            Ok(self.source.clone())
        } else {
            Err(not_found(id))
        }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        match &self.image {
            Some((image_id, bytes)) if *image_id == id => Ok(bytes.clone()),
            _ if id == *MAIN => Ok(Bytes::from_string(self.source.text().to_owned())),
            _ => Err(not_found(id)),
        }
    }

    fn font(&self, index: usize) -> Option<Font> {
        self.fonts.get(index)
    }

    /// Documents print the dates they are given; `datetime.today()` is not used, and answering
    /// `None` keeps a render a pure function of its input.
    fn today(&self, _offset: Option<Duration>) -> Option<Datetime> {
        None
    }
}

fn not_found(id: FileId) -> FileError {
    FileError::NotFound(id.get().vpath().get_without_slash().into())
}
