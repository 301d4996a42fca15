from django.apps import AppConfig


class AlertsConfig(AppConfig):
    name = "alerts"
    verbose_name = "预警"

    def ready(self) -> None:
        # A household or person moved by hand: their open alerts follow (households cannot import
        # this app, so the hook is registered here).
        from alerts.assignment import alerts_follow_home
        from households import moves

        moves.register(alerts_follow_home)
