"""400, 403, 404 and 500 pages (config/urls.py handler*) and CSRF failures, in the site's layout.

Each says what happened and offers a way back. A 404 reads the same whether the row is missing or
outside the user's region. The 500 page is rendered without the request's context processors, so
it needs neither the database nor the session.
"""

from django.core.exceptions import DisallowedHost
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template import loader
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _


def back_url(request: HttpRequest) -> str:
    """The page the user came from when it is one of ours (the browser sends it: same-origin
    referrer policy), for a "back" link that needs no script."""
    referer = request.headers.get("Referer", "")
    try:
        host = request.get_host()
    except DisallowedHost:
        return ""
    if request.method == "GET" and referer == request.build_absolute_uri():
        return ""  # the failing page itself (a refused form's page is where to go back to)
    return referer if url_has_allowed_host_and_scheme(referer, {host}, request.is_secure()) else ""


def error_page(request: HttpRequest, status: int, title: str, reason: str) -> HttpResponse:
    context = {"status": status, "title": title, "reason": reason, "back_url": back_url(request)}
    return render(request, "errors/error.html", context, status=status)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    reason = _("请求的格式不正确，无法处理。请返回上一页重试；如果反复出现，请联系系统管理员。")
    return error_page(request, 400, _("请求有误"), reason)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    # our views raise PermissionDenied with a Chinese reason ("统计看板仅向督导和数据管理员开放")
    reason = str(exception) if exception and str(exception) else _("您的岗位没有访问此页面的权限。")
    return error_page(request, 403, _("没有权限"), reason)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    reason = _("找不到您要的页面或记录：地址可能有误，记录可能已删除，或不在您的管辖范围内。")
    return error_page(request, 404, _("页面不存在"), reason)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    message = _(
        "表单已过期或来源无法确认（安全校验未通过），没有保存任何内容。请返回上一页，刷新后重新提交；"
        "如果浏览器禁用了 Cookie，请启用。"
    )
    return error_page(request, 403, _("表单已失效"), message)


def server_error(request: HttpRequest) -> HttpResponse:
    # no request context: context processors read the session and the user, i.e. the database,
    # which may be what failed
    context = {
        "status": 500,
        "title": _("系统出错"),
        "reason": _("服务器处理请求时出错，错误已记录。请稍后重试；如果反复出现，请联系系统管理员。"),
        "back_url": back_url(request),
        "bare": True,
    }
    return HttpResponse(loader.get_template("errors/error.html").render(context), status=500)
