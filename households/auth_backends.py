"""Permissions follow the user's role, and nothing else.

Every role's permissions are listed here model by model (no wildcards: a new model grants nothing
until it is added on purpose). Per-user permissions and groups are not used and grant nothing, so
no stale assignment in the database can widen a role. A few permissions also depend on the user's
scope: rule versions apply to the whole city, so only city-wide supervisors save them, and
supervisors below the city propose instead (DOMAIN.md).

Region scope is separate: these say *what kind* of rows a role may view or change; scoping
(`households.scoping`) says *which* rows.
"""

from django.contrib.auth.backends import ModelBackend

from households.models import Role

ROLE_PERMISSIONS: dict[str, dict[str, frozenset[str]]] = {
    # Accounts, their roles and scopes, and the administrative divisions; no personal data.
    Role.SYSTEM_ADMIN: {
        "households.user": frozenset({"view", "add", "change"}),
        "households.region": frozenset({"view", "add", "change"}),
        "imports.department": frozenset({"view"}),
        # sign-in failures and logs (django-axes): unlocking an account deletes its failures
        "axes.accessattempt": frozenset({"view", "delete"}),
        "axes.accesslog": frozenset({"view"}),
        "axes.accessfailurelog": frozenset({"view"}),
    },
    # Department feeds: uploads, batch reports, the records they brought; reads the registry it
    # feeds and the dashboard's feed health; reads the rules, never edits them.
    Role.DATA_ADMIN: {
        "households.region": frozenset({"view"}),
        "households.household": frozenset({"view", "change"}),
        "households.person": frozenset({"view", "change"}),
        "monitoring.monitoringrecord": frozenset({"view"}),
        "imports.department": frozenset({"view", "add", "change"}),
        "imports.importbatch": frozenset({"view", "add"}),
        "imports.rejectedrow": frozenset({"view"}),
        "imports.namemismatch": frozenset({"view"}),
        "imports.feedrecordchange": frozenset({"view"}),
        "imports.rosterentry": frozenset({"view"}),
        "imports.medicalsettlement": frozenset({"view"}),
        "imports.diagnosis": frozenset({"view"}),
        "imports.disabilitycertificate": frozenset({"view"}),
        "imports.unemploymentregistration": frozenset({"view"}),
        "imports.paymentreturn": frozenset({"view"}),
        "alerts.ruleversion": frozenset({"view"}),
        "alerts.monitoringrun": frozenset({"view"}),
        "alerts.dashboardsummary": frozenset({"view"}),
        # the monthly list to medical insurance: produced, downloaded (full IDs), sent, acknowledged
        "assistance.medicalinsurancelist": frozenset({"view", "add", "change"}),
    },
    # County or city: the region's alerts and figures, re-assignment, who receives new alerts, the
    # rules (saved by city-wide supervisors, proposed by the others: see SCOPE_CONDITIONS).
    Role.SUPERVISOR: {
        "households.region": frozenset({"view"}),
        "households.household": frozenset({"view"}),
        "households.person": frozenset({"view"}),
        "monitoring.monitoringrecord": frozenset({"view"}),
        "imports.importbatch": frozenset({"view"}),
        "alerts.alert": frozenset({"view", "change"}),
        "alerts.alertevent": frozenset({"view"}),
        "alerts.homevisit": frozenset({"view"}),
        "alerts.responsibility": frozenset({"view", "add", "change", "delete"}),
        "alerts.ruleversion": frozenset({"view", "add"}),
        "alerts.ruleproposal": frozenset({"view", "add", "change"}),
        "alerts.monitoringrun": frozenset({"view"}),
        "alerts.dashboardsummary": frozenset({"view"}),
        # who looked at a household of their region (on the household's page; not the admin's log)
        "readlog.readlogentry": frozenset({"view"}),
        # the holiday calendar behind every working-day time limit: kept by city supervisors only
        # (it moves every county's due dates), read by every supervisor
        "households.calendarday": frozenset({"view", "add", "change", "delete"}),
        # assistance programmes, their approval templates and standards: city-wide supervisors
        # change them (see SCOPE_CONDITIONS); standards and steps are added, never edited
        "assistance.program": frozenset({"view", "change"}),
        "assistance.approvalstep": frozenset({"view", "add"}),
        "assistance.standard": frozenset({"view", "add"}),
        # applications of their region: county-level steps (审核确认) are theirs (assistance.services)
        "assistance.application": frozenset({"view", "add", "change"}),
        "assistance.referral": frozenset({"view", "add", "change"}),
        "assistance.notice": frozenset({"view", "add"}),
        "assistance.objection": frozenset({"view", "add", "change"}),
        "assistance.grant": frozenset({"view"}),
        # payment rolls of their county: reviewed and locked by county or city supervisors
        # (assistance.services.rolls), with the bank's return file; accounts, corrections
        "assistance.paymentroll": frozenset({"view", "change"}),
        "assistance.paymentline": frozenset({"view"}),
        "assistance.paymentaccount": frozenset({"view", "add", "change"}),
        "assistance.paymentadjustment": frozenset({"view", "add"}),
        # reviews, exits and follow-ups of their region
        "assistance.review": frozenset({"view", "change"}),
        "assistance.grantexit": frozenset({"view", "add"}),
        "assistance.followup": frozenset({"view", "change"}),
    },
    # Town or village: the alert inbox of their area and its households, in the app (not the admin).
    Role.CASEWORKER: {
        "households.household": frozenset({"view"}),
        "households.person": frozenset({"view"}),
        "monitoring.monitoringrecord": frozenset({"view"}),
        "alerts.alert": frozenset({"view", "change"}),
        "alerts.alertevent": frozenset({"view"}),
        "alerts.homevisit": frozenset({"view", "add"}),
        # applications of their area through the town-level steps; notices of their villages
        "assistance.application": frozenset({"view", "add", "change"}),
        "assistance.referral": frozenset({"view", "add", "change"}),
        "assistance.notice": frozenset({"view", "add"}),
        "assistance.objection": frozenset({"view", "add", "change"}),
        "assistance.grant": frozenset({"view"}),
        # the payments of their area's grants (on the household page), the recipients' accounts;
        # reviews, exits and follow-ups of their area
        "assistance.paymentline": frozenset({"view"}),
        "assistance.paymentaccount": frozenset({"view", "add", "change"}),
        "assistance.review": frozenset({"view", "change"}),
        "assistance.grantexit": frozenset({"view", "add"}),
        "assistance.followup": frozenset({"view", "change"}),
    },
}

# Permissions a role grants only to users whose scope is (True) or is not (False) the whole city.
SCOPE_CONDITIONS: dict[str, bool] = {
    "alerts.add_ruleversion": True,
    "alerts.change_ruleproposal": True,  # adopt or decline a proposal
    "alerts.add_ruleproposal": False,
    "households.add_calendarday": True,
    "households.change_calendarday": True,
    "households.delete_calendarday": True,
    # programmes and standards apply city-wide, a county's own standard included (set by the city)
    "assistance.change_program": True,
    "assistance.add_approvalstep": True,
    "assistance.add_standard": True,
}


def role_permissions(user) -> set[str]:
    """Every permission (`app_label.action_model`) the user's role grants them, scope conditions applied."""
    perms = set()
    for model, actions in ROLE_PERMISSIONS.get(user.role, {}).items():
        app_label, _, name = model.partition(".")
        perms |= {f"{app_label}.{action}_{name}" for action in actions}
    return {p for p in perms if SCOPE_CONDITIONS.get(p, user.is_city_wide) == user.is_city_wide}


class RolePermissionBackend(ModelBackend):
    """Authenticates with username and password (ModelBackend); permissions from the role only."""

    def get_user_permissions(self, user_obj, obj=None):
        return set()

    def get_group_permissions(self, user_obj, obj=None):
        return set()

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_role_perm_cache"):
            user_obj._role_perm_cache = role_permissions(user_obj)
        return user_obj._role_perm_cache

    def has_perm(self, user_obj, perm, obj=None):
        return perm in self.get_all_permissions(user_obj)

    def has_module_perms(self, user_obj, app_label):
        return any(perm.startswith(f"{app_label}.") for perm in self.get_all_permissions(user_obj))
