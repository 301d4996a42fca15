from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "monitoring"
    verbose_name = "低收入人口监测"

    def ready(self) -> None:
        # The roster feed also writes households, persons and monitoring records; the imports
        # loader cannot import this app (layers), so the hook is registered here.
        from households import moves
        from imports.loading import hooks
        from monitoring.moves import records_follow_home
        from monitoring.roster import merge_roster

        hooks.register("roster", merge_roster)
        # A household or person moved by hand: the records' household and region follow.
        moves.register(records_follow_home)
