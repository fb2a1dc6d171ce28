//! An email address for notices and receipts. Deliberately stricter than RFC 5322: quoted local
//! parts, comments and IP-literal domains are legal but are, in practice, typing mistakes.

/// An email address whose domain part is lowercase (the local part keeps its case: a few mail
/// servers still treat it as case-sensitive).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Email(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EmailError {
    #[error("请输入邮箱")]
    Empty,
    #[error("邮箱格式不正确，例如 name@example.com")]
    Format,
}

impl EmailError {
    pub fn code(&self) -> &'static str {
        match self {
            EmailError::Empty => "email_empty",
            EmailError::Format => "email_format",
        }
    }
}

const MAX_LENGTH: usize = 254;
const MAX_LOCAL_LENGTH: usize = 64;

impl Email {
    pub fn parse(raw: &str) -> Result<Email, EmailError> {
        let s = raw.trim();
        if s.is_empty() {
            return Err(EmailError::Empty);
        }
        if s.len() > MAX_LENGTH {
            return Err(EmailError::Format);
        }
        let (local, domain) = s.split_once('@').ok_or(EmailError::Format)?;
        if !valid_local(local) || !valid_domain(domain) {
            return Err(EmailError::Format);
        }
        Ok(Email(format!("{local}@{}", domain.to_ascii_lowercase())))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Email {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

fn valid_local(local: &str) -> bool {
    const SPECIALS: &str = "!#$%&'*+/=?^_`{|}~-.";
    !local.is_empty()
        && local.len() <= MAX_LOCAL_LENGTH
        && local
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || SPECIALS.contains(c))
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
}

fn valid_domain(domain: &str) -> bool {
    let labels: Vec<&str> = domain.split('.').collect();
    labels.len() >= 2
        && labels.iter().all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && label
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-')
                && !label.starts_with('-')
                && !label.ends_with('-')
        })
        // A top-level domain is never all digits; "a@1.2" is a mistake.
        && labels
            .last()
            .is_some_and(|tld| tld.len() >= 2 && tld.chars().any(|c| c.is_ascii_alphabetic()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinary_addresses_parse_with_domain_lowercased() {
        assert_eq!(
            Email::parse("  Zhang.San@QQ.COM ").unwrap().as_str(),
            "Zhang.San@qq.com"
        );
        assert!(Email::parse("a+tag@mail.example.com.cn").is_ok());
        assert!(Email::parse("12345678@163.com").is_ok());
        assert!(Email::parse("x_y-z@sub-domain.example.org").is_ok());
    }

    #[test]
    fn typing_mistakes_are_refused() {
        assert_eq!(Email::parse(""), Err(EmailError::Empty));
        for raw in [
            "zhangsan",
            "zhangsan@qq",
            "@qq.com",
            "a@@qq.com",
            "a@b@qq.com",
            "zhang san@qq.com",
            "zhangsan@qq .com",
            "zhangsan@qq..com",
            "zhangsan@.qq.com",
            "zhangsan@qq.com.",
            ".zhangsan@qq.com",
            "zhang..san@qq.com",
            "张三@qq.com",
            "zhangsan@-qq.com",
            "zhangsan@qq.c",
            "a@1.23",
            "zhangsan@qq。com",
        ] {
            assert_eq!(Email::parse(raw), Err(EmailError::Format), "{raw}");
        }
    }

    #[test]
    fn addresses_longer_than_254_characters_are_refused() {
        let label = "b".repeat(60);
        let longest_ok = format!("aaaaaa@{label}.{label}.{label}.{label}.com");
        assert_eq!(longest_ok.len(), 254);
        assert!(Email::parse(&longest_ok).is_ok());
        let too_long = format!("a@{label}.{label}.{label}.{label}.{label}.com");
        assert!(too_long.len() > 254);
        assert_eq!(Email::parse(&too_long), Err(EmailError::Format));
    }
}
