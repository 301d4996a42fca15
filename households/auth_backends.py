"""Permissions follow the user's role (no per-user permission bookkeeping to drift).

Region scope is separate: these say *what kind* of rows a role may view or change; scoping
(`households.scoping`) says *which* rows.
"""

from django.contrib.auth.backends import ModelBackend

from households.models import Role

# role → {"app_label.model": set of actions}; "*" stands for every model of the app
ROLE_PERMISSIONS: dict[str, dict[str, set[str]]] = {
    Role.DATA_ADMIN: {
        "households.*": {"view", "change", "add"},
        "imports.*": {"view", "add", "change"},
        "monitoring.*": {"view"},
        "alerts.*": {"view"},
        "alerts.ruleversion": {"view", "add"},
    },
    Role.SUPERVISOR: {
        "households.household": {"view"},
        "households.person": {"view"},
        "monitoring.*": {"view"},
        "imports.importbatch": {"view"},
        "alerts.*": {"view", "change"},
        "alerts.ruleversion": {"view", "add"},
        "alerts.responsibility": {"view", "add", "change", "delete"},
    },
    Role.CASEWORKER: {
        "households.household": {"view"},
        "households.person": {"view"},
        "monitoring.*": {"view"},
        "alerts.alert": {"view", "change"},
        "alerts.alertevent": {"view"},
        "alerts.homevisit": {"view", "add"},
    },
}


def role_allows(role: str, app_label: str, codename: str) -> bool:
    action, _, model = codename.partition("_")
    grants = ROLE_PERMISSIONS.get(role, {})
    return action in grants.get(f"{app_label}.{model}", set()) or action in grants.get(
        f"{app_label}.*", set()
    )


class RolePermissionBackend(ModelBackend):
    def has_perm(self, user_obj, perm, obj=None):
        if not user_obj.is_active:
            return False
        if super().has_perm(user_obj, perm, obj):
            return True
        app_label, _, codename = perm.partition(".")
        return role_allows(user_obj.role, app_label, codename)

    def has_module_perms(self, user_obj, app_label):
        if not user_obj.is_active:
            return False
        grants = ROLE_PERMISSIONS.get(user_obj.role, {})
        return any(key.startswith(f"{app_label}.") for key in grants) or super().has_module_perms(
            user_obj, app_label
        )
