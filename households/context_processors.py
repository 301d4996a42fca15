from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from households.models import Role

# (url name, label, roles allowed; None = every signed-in user)
NAVIGATION = [
    ("home", _("首页"), None),
    ("alerts:inbox", _("预警处置"), {Role.CASEWORKER, Role.SUPERVISOR}),
    ("households:list", _("家庭档案"), None),
    ("imports:batch_list", _("数据导入"), {Role.DATA_ADMIN}),
    ("alerts:dashboard", _("统计看板"), {Role.SUPERVISOR, Role.DATA_ADMIN}),
    ("alerts:rules", _("预警规则"), {Role.SUPERVISOR, Role.DATA_ADMIN}),
]


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    items = []
    for url_name, label, roles in NAVIGATION:
        if roles is not None and user.role not in roles and not user.is_superuser:
            continue
        try:
            url = reverse(url_name)
        except NoReverseMatch:
            continue  # the page belongs to a part not installed yet
        items.append({"url": url, "label": label, "active": request.path.startswith(url) and url != "/"})
    return {"nav_items": items}
