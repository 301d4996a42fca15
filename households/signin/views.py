"""The sign-in page (how many tries are left) and the password change pages in the site's layout."""

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.urls import reverse_lazy


class SignInView(auth_views.LoginView):
    """Django's login view; after a wrong password it also says how many tries remain."""

    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        failures = getattr(self.request, "axes_failures_since_start", None)  # set by axes on a failure
        if failures is not None:
            context["tries_left"] = max(0, settings.AXES_FAILURE_LIMIT - failures)
            context["lockout_minutes"] = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
        return context


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "signin/password_change.html"
    success_url = reverse_lazy("password_change_done")


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "signin/password_change_done.html"
