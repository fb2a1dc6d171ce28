//! Turning text people typed into typst markup that prints it literally.
//!
//! User text is never spliced into markup as markup: `#`, `$`, `*`, `_`, `\`, `[`, `]`, `<`, `@`
//! and backquotes all mean something there. It goes in as a typst string literal instead, whose
//! only special characters are the backslash and the double quote; inside a string nothing else
//! is interpreted, and a string shown as content prints character for character.

/// `text` as a typst string expression for code positions (`table(…, "…")`, `text(…)[…]`
/// arguments): `"…"` with `\` and `"` escaped. Line breaks, tabs and other control characters
/// become spaces: a form's cell prints one flowing line, and a control character has no glyph.
pub fn string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// `text` for a markup position (inside `[…]`): the string expression behind a `#`, closed with
/// `;` so that markup right after it (`.foo`, `(…)`) cannot continue the expression.
pub fn inline(text: &str) -> String {
    format!("#{};", string(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_escape_only_backslash_and_quote() {
        assert_eq!(string(r#"a"b\c"#), r#""a\"b\\c""#);
        assert_eq!(string("#$*_[]<@`"), "\"#$*_[]<@`\"");
    }

    #[test]
    fn control_characters_become_spaces() {
        assert_eq!(string("北京\n朝阳\t区\r"), "\"北京 朝阳 区 \"");
    }

    #[test]
    fn a_trailing_backslash_cannot_end_the_string_early() {
        assert_eq!(inline("\\"), "#\"\\\\\";");
    }
}
