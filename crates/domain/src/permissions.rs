//! What each staff role may do. The server checks a [`Permission`] for every staff page and API
//! call; a person may hold several roles, and holds a permission when any of them grants it.
//! Candidates hold no staff role: what they may do with their own applications is decided by
//! ownership and the application's state (`applications::state`), not here.

use crate::accounts::StaffRole;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Permission {
    /// The review queue, claiming, approving and rejecting (审核).
    ReviewApplications,
    /// Occupations, tracks, levels, eligibility alternatives, related occupations.
    ManageCatalogue,
    /// Plans: create, edit, open, close, capacity, sites, required documents.
    ManagePlans,
    /// The working-day calendar (holidays and make-up days).
    ManageCalendar,
    /// Code tables and the employer registry (imports included).
    ManageReferenceData,
    /// Staff accounts and their roles.
    ManageStaff,
    /// The append-only audit log.
    ViewAuditLog,
    /// SMS and in-app notification templates.
    EditNotificationTemplates,
    /// Answering candidates' feedback (意见反馈).
    AnswerFeedback,
    /// The dashboard and exports of queues.
    ViewDashboard,
    /// Exam rooms, seat allocation, admission tickets (考务).
    ManageExams,
    /// Recording a payment made offline (bank transfer, cash), and refunds.
    ManagePayments,
    /// Applications of the contact's own organization, read-only.
    ViewOrganizationApplications,
}

impl Permission {
    pub const ALL: [Permission; 13] = [
        Permission::ReviewApplications,
        Permission::ManageCatalogue,
        Permission::ManagePlans,
        Permission::ManageCalendar,
        Permission::ManageReferenceData,
        Permission::ManageStaff,
        Permission::ViewAuditLog,
        Permission::EditNotificationTemplates,
        Permission::AnswerFeedback,
        Permission::ViewDashboard,
        Permission::ManageExams,
        Permission::ManagePayments,
        Permission::ViewOrganizationApplications,
    ];

    /// For the 403 page: what the person lacks, in Chinese.
    pub fn label(&self) -> &'static str {
        match self {
            Permission::ReviewApplications => "审核报名",
            Permission::ManageCatalogue => "管理职业目录",
            Permission::ManagePlans => "管理认定计划",
            Permission::ManageCalendar => "管理工作日历",
            Permission::ManageReferenceData => "管理代码表与单位名录",
            Permission::ManageStaff => "管理工作人员账号",
            Permission::ViewAuditLog => "查看操作日志",
            Permission::EditNotificationTemplates => "编辑通知模板",
            Permission::AnswerFeedback => "回复意见反馈",
            Permission::ViewDashboard => "查看统计与导出",
            Permission::ManageExams => "管理考务",
            Permission::ManagePayments => "管理缴费与退款",
            Permission::ViewOrganizationApplications => "查看本单位报名",
        }
    }
}

impl StaffRole {
    /// The permissions this role grants.
    pub fn permissions(&self) -> &'static [Permission] {
        use Permission::*;
        match self {
            StaffRole::Administrator => &Permission::ALL,
            StaffRole::Reviewer => &[ReviewApplications, AnswerFeedback, ViewDashboard],
            StaffRole::ExamAdministrator => {
                &[ManagePlans, ManageCalendar, ManageExams, ViewDashboard]
            }
            StaffRole::OrganizationContact => &[ViewOrganizationApplications],
        }
    }
}

/// Whether someone holding `roles` may do what `permission` names.
pub fn allows(roles: &[StaffRole], permission: Permission) -> bool {
    roles
        .iter()
        .any(|role| role.permissions().contains(&permission))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_administrator_may_do_everything_and_nobody_without_a_role_anything() {
        for p in Permission::ALL {
            assert!(allows(&[StaffRole::Administrator], p), "{p:?}");
            assert!(!allows(&[], p), "{p:?}");
        }
    }

    #[test]
    fn reviewers_review_but_do_not_manage() {
        let reviewer = [StaffRole::Reviewer];
        assert!(allows(&reviewer, Permission::ReviewApplications));
        for p in [
            Permission::ManagePlans,
            Permission::ManageStaff,
            Permission::ViewAuditLog,
            Permission::ManagePayments,
        ] {
            assert!(!allows(&reviewer, p), "{p:?}");
        }
    }

    #[test]
    fn roles_add_up() {
        let both = [StaffRole::Reviewer, StaffRole::ExamAdministrator];
        assert!(allows(&both, Permission::ReviewApplications));
        assert!(allows(&both, Permission::ManageExams));
        assert!(!allows(&both, Permission::ManageStaff));
        assert!(!allows(
            &[StaffRole::ExamAdministrator],
            Permission::ReviewApplications
        ));
    }

    #[test]
    fn an_organization_contact_only_reads_their_organization() {
        let contact = [StaffRole::OrganizationContact];
        let granted: Vec<_> = Permission::ALL
            .into_iter()
            .filter(|p| allows(&contact, *p))
            .collect();
        assert_eq!(granted, vec![Permission::ViewOrganizationApplications]);
    }

    #[test]
    fn every_permission_has_a_chinese_label_and_some_role_short_of_admin_lacks_it() {
        for p in Permission::ALL {
            assert!(
                p.label()
                    .chars()
                    .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
            );
        }
        // Only the administrator manages staff and reads the audit log.
        for p in [Permission::ManageStaff, Permission::ViewAuditLog] {
            let holders: Vec<_> = StaffRole::ALL
                .into_iter()
                .filter(|r| r.permissions().contains(&p))
                .collect();
            assert_eq!(holders, vec![StaffRole::Administrator], "{p:?}");
        }
    }
}
