//! A person's legal name as on their ID card: Chinese characters, minority names whose parts are
//! joined by a middle dot (买买提·艾力), or a foreign name in latin letters.

/// A real name, trimmed, 2..=30 characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RealName(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RealNameError {
    #[error("请输入姓名")]
    Empty,
    #[error("姓名长度需为 2–30 个字")]
    Length,
    #[error("姓名只能包含汉字、间隔号“·”或英文字母，请与身份证件一致")]
    Characters,
}

impl RealNameError {
    pub fn code(&self) -> &'static str {
        match self {
            RealNameError::Empty => "real_name_empty",
            RealNameError::Length => "real_name_length",
            RealNameError::Characters => "real_name_characters",
        }
    }
}

const MIN_CHARS: usize = 2;
const MAX_CHARS: usize = 30;

impl RealName {
    pub fn parse(raw: &str) -> Result<RealName, RealNameError> {
        let s = raw.trim();
        if s.is_empty() {
            return Err(RealNameError::Empty);
        }
        let chars: Vec<char> = s.chars().collect();
        if !chars
            .iter()
            .all(|&c| is_cjk(c) || is_latin(c) || is_separator(c))
        {
            return Err(RealNameError::Characters);
        }
        // Separators (middle dots, spaces) only between parts: never first, last or doubled.
        let first_or_last_is_separator =
            is_separator(chars[0]) || is_separator(chars[chars.len() - 1]);
        let doubled = chars
            .windows(2)
            .any(|pair| is_separator(pair[0]) && is_separator(pair[1]));
        if first_or_last_is_separator || doubled {
            return Err(RealNameError::Characters);
        }
        if !(MIN_CHARS..=MAX_CHARS).contains(&chars.len()) {
            return Err(RealNameError::Length);
        }
        Ok(RealName(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for RealName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// CJK unified ideographs, including the extensions where rare characters of names live
/// (a name the public security system can print must not be refused here), and 〇.
fn is_cjk(c: char) -> bool {
    matches!(c,
        '\u{4E00}'..='\u{9FFF}'      // CJK Unified Ideographs
        | '\u{3400}'..='\u{4DBF}'    // Extension A
        | '\u{20000}'..='\u{2A6DF}'  // Extension B
        | '\u{2A700}'..='\u{2EBEF}'  // Extensions C, D, E, F
        | '\u{30000}'..='\u{3134F}'  // Extension G
        | '\u{F900}'..='\u{FAFF}'    // Compatibility Ideographs
        | '\u{3007}'                 // 〇
    )
}

fn is_latin(c: char) -> bool {
    c.is_ascii_alphabetic()
}

fn is_separator(c: char) -> bool {
    matches!(c, '·' | '•' | ' ')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_minority_and_foreign_names_are_accepted() {
        for name in [
            "张三",
            "欧阳娜娜",
            "买买提·艾力",
            "阿依古丽•买买提",
            "John Smith",
            "Mary Ann Lee",
            "㐀三",
            "𠀀伟",
            "王〇",
        ] {
            assert_eq!(RealName::parse(name).unwrap().as_str(), name);
        }
        assert_eq!(RealName::parse("  李四 ").unwrap().as_str(), "李四");
    }

    #[test]
    fn names_of_one_or_more_than_thirty_characters_are_refused() {
        assert_eq!(RealName::parse(""), Err(RealNameError::Empty));
        assert_eq!(RealName::parse("张"), Err(RealNameError::Length));
        assert!(RealName::parse(&"张".repeat(30)).is_ok());
        assert_eq!(
            RealName::parse(&"张".repeat(31)),
            Err(RealNameError::Length)
        );
    }

    #[test]
    fn digits_punctuation_and_misplaced_separators_are_refused() {
        for name in [
            "张三1",
            "张三!",
            "张-三",
            "·张三",
            "张三·",
            "买买提··艾力",
            "John  Smith",
            "买买提· 艾力",
            "张三😀",
            "ｚｈａｎｇ",
        ] {
            assert_eq!(
                RealName::parse(name),
                Err(RealNameError::Characters),
                "{name}"
            );
        }
    }
}
