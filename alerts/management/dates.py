"""Date arguments of the alerts commands, refused in Chinese when malformed."""

from datetime import date

from django.core.management.base import CommandError


def iso_date(value: str) -> date:
    """argparse `type=`: a YYYY-MM-DD date, or a CommandError saying what is expected."""
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"日期格式应为 YYYY-MM-DD，收到“{value}”") from None
