//! Rate limits on SMS sending and login failures, as data. Counting happens in the database
//! (several instances share it); this module only says what the limits are and how to word them.

use chrono::Duration;

/// At most `max` events per sliding window of length `per`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    pub max: u32,
    pub per: Duration,
}

impl Limit {
    pub const fn new(max: u32, per: Duration) -> Limit {
        Limit { max, per }
    }

    /// "每分钟最多 1 条", "每小时最多 5 条", "每天最多 10 条": the window in the largest unit that
    /// divides it exactly.
    pub fn describe(&self) -> String {
        self.describe_with("条")
    }

    /// As [`Limit::describe`] with another measure word: `describe_with("次")` for login attempts.
    pub fn describe_with(&self, measure: &str) -> String {
        format!("{}最多 {} {measure}", window_text(self.per), self.max)
    }
}

fn window_text(per: Duration) -> String {
    let seconds = per.num_seconds();
    let units = [(86_400, "天"), (3_600, "小时"), (60, "分钟"), (1, "秒")];
    for (size, name) in units {
        if seconds >= size && seconds % size == 0 {
            let n = seconds / size;
            // "每 1 分钟" reads wrongly in Chinese; one of a unit is "每分钟", "每天".
            return if n == 1 {
                format!("每{name}")
            } else {
                format!("每 {n} {name}")
            };
        }
    }
    format!("每 {seconds} 秒")
}

/// How many SMS codes may be sent to one phone and from one client address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendLimits {
    pub per_phone: Vec<Limit>,
    pub per_address: Vec<Limit>,
}

impl SendLimits {
    /// Per phone 1 a minute, 5 an hour, 10 a day; per address 30 an hour, 100 a day (a school
    /// signing up a class shares one address).
    pub fn standard() -> SendLimits {
        SendLimits {
            per_phone: vec![
                Limit::new(1, Duration::minutes(1)),
                Limit::new(5, Duration::hours(1)),
                Limit::new(10, Duration::days(1)),
            ],
            per_address: vec![
                Limit::new(30, Duration::hours(1)),
                Limit::new(100, Duration::days(1)),
            ],
        }
    }
}

/// How many failed logins are tolerated before further attempts wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoginThrottle {
    pub per_account: Limit,
    pub per_address: Limit,
}

impl LoginThrottle {
    /// 5 failures per 15 minutes per account, 30 per 15 minutes per client address.
    pub fn standard() -> LoginThrottle {
        LoginThrottle {
            per_account: Limit::new(5, Duration::minutes(15)),
            per_address: Limit::new(30, Duration::minutes(15)),
        }
    }
}

/// "请 30 秒后再试", "请 2 分钟后再试", "请 2 小时后再试", "请 1 天后再试": the wait rounded up
/// to a whole unit, so that trying again at the time shown always works.
pub fn retry_after_text(seconds: i64) -> String {
    if seconds <= 0 {
        return "请稍后再试".to_owned();
    }
    if seconds < 60 {
        return format!("请 {seconds} 秒后再试");
    }
    let minutes = ceil_div(seconds, 60);
    if minutes < 60 {
        return format!("请 {minutes} 分钟后再试");
    }
    let hours = ceil_div(seconds, 3_600);
    if hours < 24 {
        return format!("请 {hours} 小时后再试");
    }
    format!("请 {} 天后再试", ceil_div(seconds, 86_400))
}

fn ceil_div(a: i64, b: i64) -> i64 {
    (a + b - 1) / b
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_are_described_in_the_unit_of_their_window() {
        let standard = SendLimits::standard();
        let phone: Vec<String> = standard.per_phone.iter().map(Limit::describe).collect();
        assert_eq!(
            phone,
            ["每分钟最多 1 条", "每小时最多 5 条", "每天最多 10 条"]
        );
        let address: Vec<String> = standard.per_address.iter().map(Limit::describe).collect();
        assert_eq!(address, ["每小时最多 30 条", "每天最多 100 条"]);
        assert_eq!(
            LoginThrottle::standard().per_account.describe_with("次"),
            "每 15 分钟最多 5 次"
        );
        assert_eq!(
            Limit::new(3, Duration::seconds(90)).describe(),
            "每 90 秒最多 3 条"
        );
    }

    #[test]
    fn login_is_throttled_after_five_failures_per_account_in_fifteen_minutes() {
        let t = LoginThrottle::standard();
        assert_eq!(t.per_account, Limit::new(5, Duration::minutes(15)));
        assert_eq!(t.per_address, Limit::new(30, Duration::minutes(15)));
    }

    #[test]
    fn retry_wait_is_rounded_up_to_a_whole_unit() {
        assert_eq!(retry_after_text(0), "请稍后再试");
        assert_eq!(retry_after_text(1), "请 1 秒后再试");
        assert_eq!(retry_after_text(30), "请 30 秒后再试");
        assert_eq!(retry_after_text(59), "请 59 秒后再试");
        assert_eq!(retry_after_text(60), "请 1 分钟后再试");
        assert_eq!(retry_after_text(61), "请 2 分钟后再试");
        assert_eq!(retry_after_text(3_540), "请 59 分钟后再试");
        assert_eq!(retry_after_text(3_541), "请 1 小时后再试");
        assert_eq!(retry_after_text(3_601), "请 2 小时后再试");
        assert_eq!(retry_after_text(7_200), "请 2 小时后再试");
        assert_eq!(retry_after_text(86_399), "请 1 天后再试");
        assert_eq!(retry_after_text(86_401), "请 2 天后再试");
    }
}
