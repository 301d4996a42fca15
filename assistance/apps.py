from django.apps import AppConfig


class AssistanceConfig(AppConfig):
    name = "assistance"
    verbose_name = "救助帮扶"

    def ready(self) -> None:
        from alerts.signals import alert_closed
        from assistance.receivers import application_for_closed_alert

        alert_closed.connect(application_for_closed_alert, dispatch_uid="assistance-application-for-alert")
