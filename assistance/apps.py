from django.apps import AppConfig


class AssistanceConfig(AppConfig):
    name = "assistance"
    verbose_name = "救助帮扶"

    def ready(self) -> None:
        from alerts.signals import alert_closed
        from assistance.moves import cases_follow_home
        from assistance.receivers import application_for_closed_alert
        from households import moves

        alert_closed.connect(application_for_closed_alert, dispatch_uid="assistance-application-for-alert")
        # A household moved by hand or by the roster: its open cases follow it.
        moves.register(cases_follow_home)
