//! The wizard's steps, in the seed's order. The seed has four numbered steps; the registration
//! form (登记表) needs more than its step 3 shows, so step 3 has three pages (报名信息, 学历与
//! 工作经历, 申报信息), each saved on its own.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Basic,
    Identity,
    Registration,
    History,
    Declaration,
    Documents,
    Review,
}

impl Section {
    pub const ALL: [Section; 7] = [
        Section::Basic,
        Section::Identity,
        Section::Registration,
        Section::History,
        Section::Declaration,
        Section::Documents,
        Section::Review,
    ];

    pub fn slug(self) -> &'static str {
        match self {
            Section::Basic => "basic",
            Section::Identity => "identity",
            Section::Registration => "registration",
            Section::History => "history",
            Section::Declaration => "declaration",
            Section::Documents => "documents",
            Section::Review => "review",
        }
    }

    pub fn parse(slug: &str) -> Option<Section> {
        Section::ALL.into_iter().find(|s| s.slug() == slug)
    }

    pub fn title(self) -> &'static str {
        match self {
            Section::Basic => "基础信息",
            Section::Identity => "身份选择",
            Section::Registration => "报名信息",
            Section::History => "学历与工作经历",
            Section::Declaration => "申报信息",
            Section::Documents => "证件信息上传",
            Section::Review => "确认提交",
        }
    }

    /// The seed's step number (1–4); the review page comes after step 4.
    pub fn step(self) -> u8 {
        match self {
            Section::Basic => 1,
            Section::Identity => 2,
            Section::Registration | Section::History | Section::Declaration => 3,
            Section::Documents | Section::Review => 4,
        }
    }

    /// Position in the wizard, from 1; what `step_reached` stores.
    pub fn position(self) -> u8 {
        Section::ALL
            .iter()
            .position(|s| *s == self)
            .map_or(0, |i| i as u8 + 1)
    }

    pub fn next(self) -> Option<Section> {
        Section::ALL.get(usize::from(self.position())).copied()
    }

    pub fn previous(self) -> Option<Section> {
        usize::from(self.position())
            .checked_sub(2)
            .and_then(|i| Section::ALL.get(i).copied())
    }

    /// Which section a form field belongs to (`work_history[2].end` → History).
    pub fn of_field(field: &str) -> Section {
        let head = field.split(['[', '.']).next().unwrap_or_default();
        match head {
            "identity" => Section::Identity,
            "work_history" | "degree" | "school" | "major" | "diploma_number"
            | "graduation_date" | "related_major" => Section::History,
            "kind"
            | "previous_certificate_number"
            | "previous_occupation"
            | "previous_level"
            | "previous_issued_on"
            | "claimed_rule"
            | "track"
            | "apprenticeship_completed"
            | "preparatory_technician_since" => Section::Declaration,
            "id_type" | "id_number" | "organization" | "years_of_work" | "enterprise_type"
            | "employer" | "hukou_type" => Section::Registration,
            f if f.starts_with("hukou_")
                || f.starts_with("residence_")
                || f.starts_with("employer_") =>
            {
                Section::Registration
            }
            _ => Section::Basic,
        }
    }
}

/// The seed's four numbered steps, for the step indicator.
pub const STEP_NAMES: [&str; 4] = ["基础信息", "身份选择", "报名信息", "证件信息上传"];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_follow_each_other_in_the_seed_order() {
        assert_eq!(Section::Basic.next(), Some(Section::Identity));
        assert_eq!(Section::Declaration.next(), Some(Section::Documents));
        assert_eq!(Section::Review.next(), None);
        assert_eq!(Section::Basic.previous(), None);
        assert_eq!(Section::Identity.previous(), Some(Section::Basic));
        for s in Section::ALL {
            assert_eq!(Section::parse(s.slug()), Some(s));
        }
    }

    #[test]
    fn every_field_belongs_to_its_page() {
        assert_eq!(Section::of_field("work_history[3].end"), Section::History);
        assert_eq!(Section::of_field("residence_city"), Section::Registration);
        assert_eq!(Section::of_field("employer_address"), Section::Registration);
        assert_eq!(Section::of_field("claimed_rule"), Section::Declaration);
        assert_eq!(Section::of_field("mobile"), Section::Basic);
    }
}
