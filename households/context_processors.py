from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

# (url name, label, permission the page needs; None = every signed-in user, "staff" = admin site)
NAVIGATION = [
    ("home", _("首页"), None),
    ("alerts:inbox", _("预警处置"), "alerts.view_alert"),
    ("assistance:application_list", _("救助申请"), "assistance.view_application"),
    ("assistance:notice_list", _("公示"), "assistance.view_notice"),
    ("assistance:review_list", _("复核"), "assistance.view_review"),
    ("assistance:followup_list", _("回访"), "assistance.view_followup"),
    ("assistance:roll_list", _("资金发放"), "assistance.view_paymentroll"),
    ("assistance:medical_list_list", _("医保名单"), "assistance.view_medicalinsurancelist"),
    ("households:list", _("家庭档案"), "households.view_household"),
    ("imports:batch_list", _("数据导入"), "imports.add_importbatch"),
    ("alerts:dashboard", _("统计看板"), "alerts.view_dashboardsummary"),
    ("alerts:rules", _("预警规则"), "alerts.view_ruleversion"),
    ("admin:index", _("管理后台"), "staff"),
]


def _allowed(user, need: str | None) -> bool:
    if need is None:
        return True
    if need == "staff":
        return user.is_staff
    return user.has_perm(need)


def navigation(request):
    """The pages the signed-in user's role may open, in menu order."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    items = []
    for url_name, label, need in NAVIGATION:
        if not _allowed(user, need):
            continue
        try:
            url = reverse(url_name)
        except NoReverseMatch:
            continue  # the page belongs to a part not installed yet
        items.append({"url": url, "label": label, "active": request.path.startswith(url) and url != "/"})
    return {"nav_items": items}
