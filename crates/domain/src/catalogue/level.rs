//! 等级: the five skill levels. Level 1 is the highest (一级/高级技师), level 5 the entry level
//! (五级/初级工); a candidate climbs from 5 towards 1.

use serde::{Deserialize, Serialize};

/// A skill level 1..=5. Ordered by its number, so `Level 1 < Level 5` although level 1 is the
/// higher qualification; use [`Level::is_higher_than`] to compare rank.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "u8", into = "u8")]
pub struct Level(u8);

impl Level {
    /// All levels, ascending by number (一级 first).
    pub const ALL: [Level; 5] = [Level(1), Level(2), Level(3), Level(4), Level(5)];

    pub const fn new(n: u8) -> Option<Level> {
        if n >= 1 && n <= 5 {
            Some(Level(n))
        } else {
            None
        }
    }

    pub const fn get(self) -> u8 {
        self.0
    }

    /// "一" .. "五".
    pub fn numeral(self) -> &'static str {
        ["一", "二", "三", "四", "五"][self.index()]
    }

    /// "一级" .. "五级".
    pub fn short_name(self) -> &'static str {
        ["一级", "二级", "三级", "四级", "五级"][self.index()]
    }

    /// The traditional title: 高级技师, 技师, 高级工, 中级工, 初级工.
    pub fn title(self) -> &'static str {
        ["高级技师", "技师", "高级工", "中级工", "初级工"][self.index()]
    }

    /// "一级/高级技师" .. "五级/初级工", as the national standards write it.
    pub fn full_name(self) -> &'static str {
        [
            "一级/高级技师",
            "二级/技师",
            "三级/高级工",
            "四级/中级工",
            "五级/初级工",
        ][self.index()]
    }

    /// The level whose certificate normally leads to this one (一级 ← 二级, …, 四级 ← 五级);
    /// `None` for 五级, the entry level.
    pub fn next_lower(self) -> Option<Level> {
        Level::new(self.0 + 1)
    }

    /// The level this one's certificate normally leads to; `None` for 一级.
    pub fn next_higher(self) -> Option<Level> {
        Level::new(self.0 - 1)
    }

    /// Whether this is the higher qualification (smaller number).
    pub fn is_higher_than(self, other: Level) -> bool {
        self.0 < other.0
    }

    /// Whether a panel review (综合评审) is part of the exam: levels 2 and 1.
    pub fn has_panel_review(self) -> bool {
        self.0 <= 2
    }

    fn index(self) -> usize {
        usize::from(self.0 - 1)
    }
}

impl TryFrom<u8> for Level {
    type Error = String;

    fn try_from(n: u8) -> Result<Level, String> {
        Level::new(n).ok_or_else(|| format!("等级必须在 1 到 5 之间，收到 {n}"))
    }
}

impl From<Level> for u8 {
    fn from(level: Level) -> u8 {
        level.0
    }
}

impl std::fmt::Display for Level {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.full_name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_one_to_five_are_levels() {
        assert_eq!(Level::new(0), None);
        assert_eq!(Level::new(6), None);
        assert_eq!(Level::ALL.map(Level::get), [1, 2, 3, 4, 5]);
    }

    #[test]
    fn levels_have_their_national_names() {
        let one = Level::new(1).unwrap();
        let five = Level::new(5).unwrap();
        assert_eq!(one.numeral(), "一");
        assert_eq!(one.short_name(), "一级");
        assert_eq!(one.title(), "高级技师");
        assert_eq!(one.full_name(), "一级/高级技师");
        assert_eq!(five.full_name(), "五级/初级工");
        assert_eq!(Level::new(3).unwrap().to_string(), "三级/高级工");
    }

    #[test]
    fn each_level_but_five_is_reached_from_the_level_below() {
        let lower: Vec<Option<u8>> = Level::ALL
            .iter()
            .map(|l| l.next_lower().map(Level::get))
            .collect();
        assert_eq!(lower, [Some(2), Some(3), Some(4), Some(5), None]);
        assert_eq!(Level::new(1).unwrap().next_higher(), None);
        assert!(
            Level::new(1)
                .unwrap()
                .is_higher_than(Level::new(2).unwrap())
        );
    }

    #[test]
    fn panel_review_belongs_to_levels_two_and_one() {
        let with_panel: Vec<u8> = Level::ALL
            .into_iter()
            .filter(|l| l.has_panel_review())
            .map(Level::get)
            .collect();
        assert_eq!(with_panel, [1, 2]);
    }

    #[test]
    fn converting_from_a_number_refuses_anything_outside_one_to_five() {
        assert_eq!(Level::try_from(4).unwrap().get(), 4);
        assert!(Level::try_from(0).is_err());
        assert_eq!(u8::from(Level::new(2).unwrap()), 2);
    }
}
