from django.apps import AppConfig


class HouseholdsConfig(AppConfig):
    name = "households"
    verbose_name = "户籍登记"

    def ready(self):
        from households import id_search  # noqa: F401  (registers its deploy check)
