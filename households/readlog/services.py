"""Writing the read log: views note what they showed, one INSERT per request or command run.

Views (and admin pages) call `note(request, …)`; `middleware.ReadLogMiddleware` merges every note of
the request with the request itself (an ID search, a download) into one row when the response is
ready. Commands and tasks, which have no request, call `entry_record(…)`.
"""

import getpass
import ipaddress
import os
import re
import socket
import sys
import unicodedata
from dataclasses import dataclass, field
from datetime import timedelta
from urllib.parse import unquote_plus

from django.conf import settings
from django.db import connection, transaction

from households import clock, idcard
from households.readlog.models import Channel, ReadAction, ReadLogEntry

# Query parameters that hold what a user typed into a search box (the app's pages and admin
# lists use `q`, the admin's autocomplete `term`).
SEARCH_PARAMETERS = ("q", "term")
# An "ID search" is a search text with 4 or more consecutive digits (spaces and dashes between
# them ignored): whatever searches the pages accept, every try at an ID is in the log.
_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015\u2212]")
_FOUR_DIGITS = re.compile(r"\d{4}")
# A run of digits (an ID's check character X included), spaces or dashes allowed between them.
_DIGIT_RUN = re.compile(r"\d(?:[\s\-\u2010-\u2015\u2212]*[\dXx])*")
KEEP_DIGITS = 6  # the area code: shown in every masked ID anyway
PATH_LENGTH = ReadLogEntry._meta.get_field("path").max_length


@dataclass
class Pending:
    """What a request showed so far; written as one row by the middleware."""

    actions: list[str] = field(default_factory=list)
    household_ids: set[int] = field(default_factory=set)
    person_ids: set[int] = field(default_factory=set)
    batch_id: int | None = None
    file: str = ""
    row_count: int | None = None


def note(
    request,
    action: str | None = None,
    *,
    household_ids=(),
    person_ids=(),
    batch_id: int | None = None,
    file: str = "",
    row_count: int | None = None,
) -> None:
    """Record that this request shows or hands out personal data (written once, when it answers).

    Without `action` the subjects are kept only if the request is logged for another reason (the
    rows a list shows for an ID search).
    """
    pending = request.__dict__.setdefault("_read_log", Pending())
    if action and action not in pending.actions:
        pending.actions.append(action)
    pending.household_ids.update(i for i in household_ids if i is not None)
    pending.person_ids.update(i for i in person_ids if i is not None)
    pending.batch_id = batch_id if batch_id is not None else pending.batch_id
    pending.file = file or pending.file
    pending.row_count = row_count if row_count is not None else pending.row_count


def unmasked_id(request, person) -> str:
    """A person's full ID number for showing to the requesting user, logged as such.

    The one way for a page to show a full ID: every call adds `id_unmasked` with the person (and
    their household) to the request's log row.
    """
    note(request, ReadAction.ID_UNMASKED, person_ids=[person.pk], household_ids=[person.household_id])
    return person.id_number


def is_id_search(text: str) -> bool:
    return bool(_FOUR_DIGITS.search(_SEPARATORS.sub("", unicodedata.normalize("NFKC", text))))


def _mask_run(match: re.Match) -> str:
    compact = _SEPARATORS.sub("", match.group(0))
    digits = sum(c.isdigit() for c in compact)
    if digits <= KEEP_DIGITS:
        return match.group(0)
    if len(compact) in (15, 18):
        return idcard.mask(compact.upper())
    return compact[:KEEP_DIGITS] + "*" * (len(compact) - KEEP_DIGITS)


def masked_query(text: str) -> str:
    """`text` with every run of more than 6 digits cut to its first 6 (a full ID masked as pages
    show it): an ID, or the start of one, never reaches the log whole."""
    return _DIGIT_RUN.sub(_mask_run, unicodedata.normalize("NFKC", text))


def client_ip(request) -> str | None:
    """The client's address: the peer's, or with TRUST_X_FORWARDED_FOR the last address in
    X-Forwarded-For (the one the bureau's own proxy appended; earlier ones the client may forge)."""
    candidates = []
    if settings.TRUST_X_FORWARDED_FOR:
        candidates.append(request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")[-1].strip())
    candidates.append(request.META.get("REMOTE_ADDR", ""))
    for candidate in candidates:
        try:
            return str(ipaddress.ip_address(candidate))
        except ValueError:
            continue
    return None


def searched_by_id(request) -> bool:
    """The request's search box holds an ID search (`is_id_search`)."""
    return any(is_id_search(v) for name in SEARCH_PARAMETERS for v in request.GET.getlist(name))


def request_entry_write(request, response) -> ReadLogEntry | None:
    """Write the request's one row, if it showed personal data, searched by ID or downloaded."""
    pending: Pending = request.__dict__.get("_read_log") or Pending()
    actions = list(pending.actions)
    if searched_by_id(request):
        actions.append(ReadAction.ID_SEARCH)
    attachment = response.get("Content-Disposition", "").startswith("attachment")
    if attachment and not actions:
        actions.append(ReadAction.DOWNLOAD)
    user = getattr(request, "user", None)  # (lazy: looked at only for a request worth a row)
    if not actions or user is None or not user.is_authenticated:
        return None
    query = request.META.get("QUERY_STRING", "")
    path = request.path + (f"?{masked_query(unquote_plus(query))}" if query else "")
    return ReadLogEntry.objects.create(
        at=clock.now(),
        user=user,
        actor=user.get_username(),
        role=user.role,
        channel=Channel.WEB,
        ip=client_ip(request),
        actions=actions,
        household_ids=sorted(pending.household_ids),
        person_ids=sorted(pending.person_ids),
        batch_id=pending.batch_id,
        file=pending.file[:500],
        row_count=pending.row_count,
        path=path[:PATH_LENGTH],
        status_code=response.status_code,
    )


def os_actor() -> str:
    """Who runs a command: the OS user at this host, and the command."""
    try:
        name = getpass.getuser()
    except (OSError, KeyError):
        name = f"uid {os.getuid()}"
    command = " ".join(os.path.basename(a) if i == 0 else a for i, a in enumerate(sys.argv[:2]))
    return f"{name}@{socket.gethostname()} ({command})"[:200]


def entry_record(
    *,
    action: str,
    command: str,
    file: str = "",
    row_count: int | None = None,
    household_ids=(),
    person_ids=(),
) -> ReadLogEntry:
    """Log a command run (no request, no web user): who ran it on the machine, and what it wrote."""
    return ReadLogEntry.objects.create(
        at=clock.now(),
        actor=os_actor(),
        channel=Channel.COMMAND,
        actions=[action],
        household_ids=sorted(set(household_ids)),
        person_ids=sorted(set(person_ids)),
        file=file[:500],
        row_count=row_count,
        path=masked_query(command)[:PATH_LENGTH],
    )


@transaction.atomic
def entries_purge(*, days: int | None = None) -> int:
    """Delete entries older than `days` (default settings.READ_LOG_RETENTION_DAYS); the count.

    The only DELETE the table's trigger lets through: this transaction names the cut-off (SET
    LOCAL), and the trigger refuses any row at or after it.
    """
    days = settings.READ_LOG_RETENTION_DAYS if days is None else days
    cutoff = clock.now() - timedelta(days=days)
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('readlog.purge_before', %s, true)", [cutoff.isoformat()])
        cursor.execute(f'DELETE FROM "{ReadLogEntry._meta.db_table}" WHERE at < %s', [cutoff])
        return cursor.rowcount
