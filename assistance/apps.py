from django.apps import AppConfig


class AssistanceConfig(AppConfig):
    name = "assistance"
    verbose_name = "救助帮扶"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from alerts.signals import alert_closed
        from assistance.moves import cases_follow_home
        from assistance.receivers import application_for_closed_alert, calendar_changed
        from assistance.services.bank_returns import HOOK_NAME, merge_payment_return
        from households import moves
        from households.models import CalendarDay
        from imports.loading import hooks

        # The bank's return file (imports, category payment_return) writes the roll lines' results.
        hooks.register(HOOK_NAME, merge_payment_return)
        alert_closed.connect(application_for_closed_alert, dispatch_uid="assistance-application-for-alert")
        # A household moved by hand or by the roster: its open cases follow it.
        moves.register(cases_follow_home)
        # The holiday calendar changed: open applications' due dates are computed again.
        post_save.connect(calendar_changed, sender=CalendarDay, dispatch_uid="assistance-calendar-saved")
        post_delete.connect(calendar_changed, sender=CalendarDay, dispatch_uid="assistance-calendar-deleted")
