"""Model fields of the whole project."""

from django.db import models

from households import clock


class ClockDateTimeField(models.DateTimeField):
    """A DateTimeField whose `auto_now` / `auto_now_add` take the time from `households.clock`.

    Django's own field asks the real clock (`timezone.now()`); this one asks `clock.now()`, so a
    row written in a test with a pinned clock, or in the demo's simulated year, carries that time.
    The column is the same, so migrations see a plain DateTimeField (deconstruct): no migration,
    no SQL.
    """

    def pre_save(self, model_instance, add):
        if self.auto_now or (self.auto_now_add and add):
            value = clock.now()
            setattr(model_instance, self.attname, value)
            return value
        return super().pre_save(model_instance, add)

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.DateTimeField", args, kwargs
