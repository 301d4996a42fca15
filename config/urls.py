from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from assistance.views import my_work
from households.signin import views as signin_views

admin.site.site_header = "救助监测 管理后台"
admin.site.site_title = "救助监测"
admin.site.index_title = "数据管理"

urlpatterns = [
    path("", my_work.home, name="home"),
    path("login/", signin_views.SignInView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", signin_views.PasswordChangeView.as_view(), name="password_change"),
    path("password/done/", signin_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("households/", include("households.urls")),
    path("imports/", include("imports.urls")),
    path("alerts/", include("alerts.urls")),
    path("assistance/", include("assistance.urls")),
    path("admin/", admin.site.urls),
]

# Error pages in the site's layout (households/web/errors.py)
handler400 = "households.web.errors.bad_request"
handler403 = "households.web.errors.permission_denied"
handler404 = "households.web.errors.page_not_found"
handler500 = "households.web.errors.server_error"
