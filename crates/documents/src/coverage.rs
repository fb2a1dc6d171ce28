//! Refusing text the fonts cannot print.
//!
//! typst sets a character that no font has as an empty box or blank space, without an error: a
//! rare hanzi in a name would vanish from a document people sign. So every field a person typed
//! is checked against the fonts' character maps before rendering, and what would be lost is
//! reported by field, in the form's own words (姓名, 通信地址…).

use std::fmt;

use crate::fonts::FontSet;

/// The characters of one field that no font prints.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnprintableText {
    /// The field's name on the form, in Chinese (姓名, 工作单位（第 2 段）…).
    pub field: String,
    /// Each character once, in the order it first appears.
    pub characters: Vec<char>,
}

impl UnprintableText {
    /// The characters as a person can read them: the character itself with its code point, since
    /// the reader's own screen may not show it either (“𠮷（U+20BB7）”).
    pub fn characters_text(&self) -> String {
        self.characters
            .iter()
            .map(|c| format!("{c}（U+{:04X}）", u32::from(*c)))
            .collect::<Vec<_>>()
            .join("、")
    }
}

impl fmt::Display for UnprintableText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}：{}", self.field, self.characters_text())
    }
}

/// Every field with a character `fonts` lacks, in the order the fields are given. Whitespace and
/// control characters are not checked: the markup turns them into spaces.
pub fn unprintable<'a>(
    fonts: &FontSet,
    fields: impl IntoIterator<Item = (String, &'a str)>,
) -> Vec<UnprintableText> {
    let mut found = Vec::new();
    for (field, text) in fields {
        let mut characters: Vec<char> = Vec::new();
        for c in text.chars() {
            if c.is_whitespace() || c.is_control() || fonts.prints(c) {
                continue;
            }
            if !characters.contains(&c) {
                characters.push(c);
            }
        }
        if !characters.is_empty() {
            found.push(UnprintableText { field, characters });
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fonts() -> FontSet {
        FontSet::load(None).unwrap()
    }

    #[test]
    fn common_names_addresses_and_punctuation_print() {
        let fonts = fonts();
        let fields = [
            ("姓名".to_owned(), "欧阳娜娜"),
            ("姓名".to_owned(), "买买提·艾力"),
            (
                "通信地址".to_owned(),
                "北京市朝阳区建国路 88 号（A 座）1201 室，邮编 100022。",
            ),
            (
                "工作单位".to_owned(),
                "Lüneburg GmbH & Co. KG — “上海”分公司",
            ),
            ("证明人".to_owned(), "龔淑貞"),
            // CJK Extension A, which GB 18030 requires.
            ("姓名".to_owned(), "王䶮"),
        ];
        assert_eq!(unprintable(&fonts, fields), Vec::new());
    }

    #[test]
    fn extension_b_and_private_use_characters_are_reported_once_each() {
        let fonts = fonts();
        let found = unprintable(
            &fonts,
            [
                ("姓名".to_owned(), "吉田𠮷𠮷"),
                ("通信地址".to_owned(), "某路\u{E000}号"),
                ("联系电话".to_owned(), "13800138000"),
            ],
        );
        assert_eq!(
            found,
            vec![
                UnprintableText {
                    field: "姓名".to_owned(),
                    characters: vec!['𠮷'],
                },
                UnprintableText {
                    field: "通信地址".to_owned(),
                    characters: vec!['\u{E000}'],
                },
            ]
        );
        assert_eq!(found[0].to_string(), "姓名：𠮷（U+20BB7）");
    }

    #[test]
    fn line_breaks_are_not_reported() {
        let fonts = fonts();
        assert!(unprintable(&fonts, [("通信地址".to_owned(), "第一行\r\n第二行\t")]).is_empty());
    }
}
