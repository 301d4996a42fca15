"""Searching people by resident ID without letting the search box enumerate IDs.

An ID search takes a full ID (18 or 15 characters, in any spelling people use) or the last four
characters together with a name. A prefix or any other fragment is refused: answering "is there
someone whose ID starts with 1309211980…?" digit by digit rebuilds a full ID in a few dozen
requests. ID searches are also counted per user and refused past `ID_SEARCH_LIMIT` per
`ID_SEARCH_WINDOW_MINUTES` (in the shared cache, Redis in production, so every process counts).

`parse_query` decides what a query is and is the one place that does; the read log calls it too.
"""

import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime

from django.conf import settings
from django.core import checks
from django.core.cache import cache
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from households import clock, idcard

NAME = "name"  # no digits: a name search, not an ID search
FULL_ID = "full_id"
NAME_LAST4 = "name_last4"
REFUSED = "refused"

_PREFIX = re.compile(r"^(?:身份证号码|身份证号|身份证|SFZH|SFZ|ID)[:：#]?", re.IGNORECASE)
_SEPARATORS = re.compile(r"[\s\-]")
_LAST4 = r"\d{3}[\dXx]"
_NAME_LAST4 = re.compile(rf"^(?P<name>[^\d\s]+?)\s*(?P<last4>{_LAST4})$")
_LAST4_NAME = re.compile(rf"^(?P<last4>{_LAST4})\s*(?P<name>[^\d\s]+)$")


def allowed_text() -> str:
    return _("按身份证号搜索请输入完整的身份证号（18位或15位），或“姓名 + 身份证号后四位”（如：张三 6194）。")


@dataclass(frozen=True)
class IdQuery:
    """What a search query asks for. `kind` is NAME, FULL_ID, NAME_LAST4 or REFUSED; `message`
    says why a query was refused and what is allowed."""

    kind: str
    name: str = ""
    id_number: str = ""
    last4: str = ""
    message: str = ""

    @property
    def is_id_search(self) -> bool:
        """Whether the query uses any part of an ID (counted by the throttle, logged as one)."""
        return self.kind != NAME

    def person_filter(self, prefix: str = "") -> Q:
        """The people the query matches, as a filter on Person (`prefix` leads to it, e.g.
        "person__"); nothing for a refused query."""
        if self.kind == FULL_ID:
            return Q(**{f"{prefix}id_number": self.id_number})
        if self.kind == NAME_LAST4:
            return Q(**{f"{prefix}name": self.name, f"{prefix}id_number__endswith": self.last4})
        if self.kind == NAME:
            return Q(**{f"{prefix}name__startswith": self.name})
        return Q(pk__in=[])


def parse_query(query: str) -> IdQuery:
    """Classify a search query (see the module docstring). An empty query is a NAME query for ""."""
    text = unicodedata.normalize("NFKC", query or "").strip()
    if not any(ch.isdigit() for ch in text):
        return IdQuery(NAME, name=text)
    compact = _PREFIX.sub("", _SEPARATORS.sub("", text)).upper()
    if compact[:-1].isdigit() and (compact[-1].isdigit() or compact[-1] == "X"):
        if len(compact) not in (15, 18):
            return IdQuery(
                REFUSED,
                message=_(
                    "不支持按身份证号的开头或片段搜索。按身份证号搜索请输入完整的身份证号（18位或15位），"
                    "或“姓名 + 身份证号后四位”（如：张三 6194）。"
                ),
            )
        try:
            return IdQuery(FULL_ID, id_number=idcard.parse_id_number(compact))
        except idcard.IdNumberError as exc:
            return IdQuery(REFUSED, message=f"{exc.message}。{allowed_text()}")
    match = _NAME_LAST4.match(text) or _LAST4_NAME.match(text)
    if match:
        return IdQuery(NAME_LAST4, name=match["name"], last4=match["last4"].upper())
    return IdQuery(
        REFUSED,
        message=_(
            "无法识别的搜索内容：请输入姓名开头、完整的身份证号（18位或15位），"
            "或“姓名 + 身份证号后四位”（如：张三 6194）。"
        ),
    )


def _window() -> tuple[int, int]:
    """(the current window's number, its length in seconds)."""
    seconds = max(1, settings.ID_SEARCH_WINDOW_MINUTES) * 60
    return int(clock.now().timestamp()) // seconds, seconds


def throttle(user, search: IdQuery) -> IdQuery:
    """Count an ID search of `user`; past the limit the search comes back REFUSED, saying when
    searching by ID is possible again. Name searches pass untouched and uncounted."""
    if not search.is_id_search:
        return search
    refusal = count_id_search(user)
    return IdQuery(REFUSED, message=refusal) if refusal else search


def count_id_search(user) -> str:
    """Count one ID search of `user`: "" while within the limit, else the Chinese refusal.

    A fixed window per user in the shared cache: `add` then `incr`, both atomic in Redis.
    """
    number, seconds = _window()
    key = f"id_search:{user.pk}:{number}"
    cache.add(key, 0, timeout=seconds + 60)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=seconds + 60)
        count = 1
    if count <= settings.ID_SEARCH_LIMIT:
        return ""
    reopens = timezone.localtime(datetime.fromtimestamp((number + 1) * seconds, tz=UTC))
    return _(
        "身份证号搜索过于频繁：每%(minutes)d分钟最多%(limit)d次。请于%(time)s以后再试；按姓名搜索不受此限制。"
    ) % {
        "minutes": settings.ID_SEARCH_WINDOW_MINUTES,
        "limit": settings.ID_SEARCH_LIMIT,
        "time": reopens.strftime("%H:%M"),
    }


def search_for(user, query: str) -> IdQuery:
    """The query as `parse_query` reads it, counted against the user's ID-search limit."""
    return throttle(user, parse_query(query))


@checks.register(checks.Tags.security, deploy=True)
def check_shared_cache(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """The ID-search limit is only a limit if every server counts in one cache, atomically: Redis.
    Without REDIS_URL the cache is per process (tests) or files on one machine (./dev demo), whose
    counts are neither shared between machines nor atomic."""
    backend = settings.CACHES["default"]["BACKEND"]
    if not backend.endswith("RedisCache"):
        return [
            checks.Warning(
                "ID searches are not counted in a shared cache (set REDIS_URL).",
                hint="Each server process or machine would allow ID_SEARCH_LIMIT searches of its own.",
                id="households.W001",
            )
        ]
    return []
