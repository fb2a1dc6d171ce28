//! The console's frame: who is signed in, the areas their roles open (the navigation shows only
//! those; the server checks again on every request), and the CSRF token for the sign-out form.

use domain::permissions::Permission;

use super::Staff;

/// The areas of the console, in the navigation's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConsoleSection {
    Home,
    Review,
    Dashboard,
    Plans,
    Catalogue,
    Calendar,
    ReferenceData,
    CodeTables,
    NotificationTemplates,
    Feedback,
    StaffAccounts,
    AuditLog,
    Organization,
    Payments,
}

impl ConsoleSection {
    pub const ALL: [ConsoleSection; 14] = [
        ConsoleSection::Home,
        ConsoleSection::Review,
        ConsoleSection::Dashboard,
        ConsoleSection::Plans,
        ConsoleSection::Catalogue,
        ConsoleSection::Calendar,
        ConsoleSection::ReferenceData,
        ConsoleSection::CodeTables,
        ConsoleSection::NotificationTemplates,
        ConsoleSection::Feedback,
        ConsoleSection::StaffAccounts,
        ConsoleSection::AuditLog,
        ConsoleSection::Organization,
        ConsoleSection::Payments,
    ];

    pub fn href(&self) -> &'static str {
        match self {
            ConsoleSection::Home => "/staff",
            ConsoleSection::Review => "/staff/review",
            ConsoleSection::Dashboard => "/staff/dashboard",
            ConsoleSection::Plans => "/staff/plans",
            ConsoleSection::Catalogue => "/staff/catalogue",
            ConsoleSection::Calendar => "/staff/calendar",
            ConsoleSection::ReferenceData => "/staff/employers",
            ConsoleSection::CodeTables => "/staff/code-tables",
            ConsoleSection::NotificationTemplates => "/staff/notification-templates",
            ConsoleSection::Feedback => "/staff/feedback",
            ConsoleSection::StaffAccounts => "/staff/accounts",
            ConsoleSection::AuditLog => "/staff/audit",
            ConsoleSection::Organization => "/staff/organization",
            ConsoleSection::Payments => "/staff/payments",
        }
    }

    pub fn label(&self) -> &'static str {
        match self {
            ConsoleSection::Home => "工作台",
            ConsoleSection::Review => "报名审核",
            ConsoleSection::Dashboard => "统计与导出",
            ConsoleSection::Plans => "认定计划",
            ConsoleSection::Catalogue => "职业目录",
            ConsoleSection::Calendar => "工作日历",
            ConsoleSection::ReferenceData => "单位名录",
            ConsoleSection::CodeTables => "代码表",
            ConsoleSection::NotificationTemplates => "通知模板",
            ConsoleSection::Feedback => "意见反馈",
            ConsoleSection::StaffAccounts => "工作人员",
            ConsoleSection::AuditLog => "操作日志",
            ConsoleSection::Organization => "本单位报名",
            ConsoleSection::Payments => "缴费管理",
        }
    }

    /// What the area needs; the home page needs only a staff role.
    pub fn permission(&self) -> Option<Permission> {
        match self {
            ConsoleSection::Home => None,
            ConsoleSection::Review => Some(Permission::ReviewApplications),
            ConsoleSection::Dashboard => Some(Permission::ViewDashboard),
            ConsoleSection::Plans => Some(Permission::ManagePlans),
            ConsoleSection::Catalogue => Some(Permission::ManageCatalogue),
            ConsoleSection::Calendar => Some(Permission::ManageCalendar),
            ConsoleSection::ReferenceData => Some(Permission::ManageReferenceData),
            ConsoleSection::CodeTables => Some(Permission::ManageReferenceData),
            ConsoleSection::NotificationTemplates => Some(Permission::EditNotificationTemplates),
            ConsoleSection::Feedback => Some(Permission::AnswerFeedback),
            ConsoleSection::StaffAccounts => Some(Permission::ManageStaff),
            ConsoleSection::AuditLog => Some(Permission::ViewAuditLog),
            ConsoleSection::Organization => Some(Permission::ViewOrganizationApplications),
            ConsoleSection::Payments => Some(Permission::ManagePayments),
        }
    }

    /// Whether the area's pages exist yet: the navigation links only to what is built.
    fn built(&self) -> bool {
        matches!(
            self,
            ConsoleSection::Home
                | ConsoleSection::Review
                | ConsoleSection::Organization
                | ConsoleSection::Dashboard
                | ConsoleSection::Feedback
                | ConsoleSection::NotificationTemplates
                | ConsoleSection::Catalogue
                | ConsoleSection::ReferenceData
                | ConsoleSection::CodeTables
                | ConsoleSection::Plans
                | ConsoleSection::Calendar
                | ConsoleSection::StaffAccounts
                | ConsoleSection::AuditLog
                | ConsoleSection::Payments
        )
    }
}

pub struct ConsoleLink {
    pub href: &'static str,
    pub label: &'static str,
    pub current: bool,
}

pub struct ConsoleLayout {
    pub name: String,
    /// The person's roles in Chinese, for the header.
    pub roles: String,
    pub csrf: Option<String>,
    pub links: Vec<ConsoleLink>,
}

impl ConsoleLayout {
    pub fn new(staff: &Staff, section: ConsoleSection) -> ConsoleLayout {
        ConsoleLayout {
            name: staff.account.real_name.clone(),
            roles: staff
                .account
                .roles
                .iter()
                .map(|r| r.label())
                .collect::<Vec<_>>()
                .join("、"),
            csrf: staff.session.existing_csrf(),
            links: ConsoleSection::ALL
                .into_iter()
                .filter(|s| s.built() && s.permission().is_none_or(|p| staff.may(p)))
                .map(|s| ConsoleLink {
                    href: s.href(),
                    label: s.label(),
                    current: s == section,
                })
                .collect(),
        }
    }
}
