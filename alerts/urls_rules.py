"""Rule pages of the alerts app: current rules, edit with a what-if preview, version history."""

from django.urls import path

from alerts.views import rules

urlpatterns = [
    path("rules/", rules.rules, name="rules"),
    path("rules/<str:rule>/edit/", rules.rule_edit, name="rule_edit"),
    path("rules/<str:rule>/history/", rules.rule_history, name="rule_history"),
    path("rules/proposals/<int:pk>/", rules.rule_proposal, name="rule_proposal"),
]
