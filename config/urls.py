from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from households import views as household_views

admin.site.site_header = "救助监测 管理后台"
admin.site.site_title = "救助监测"
admin.site.index_title = "数据管理"

urlpatterns = [
    path("", household_views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", household_views.PasswordChange.as_view(), name="password_change"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("households/", include("households.urls")),
    path("imports/", include("imports.urls")),
    path("alerts/", include("alerts.urls")),
    path("admin/", admin.site.urls),
]
