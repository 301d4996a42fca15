"""Keep the English catalog (locale/en/LC_MESSAGES/django.po/.mo) complete, without GNU gettext.

The .mo is committed so that a clean clone (./dev demo, ./dev test, .ci/run) shows English without
msgfmt installed. This tool reads and writes the catalog in pure Python:

    python scripts/i18n_catalog.py todo  > todo.json    # untranslated or fuzzy msgids, as {msgid: ""}
    python scripts/i18n_catalog.py fill  done.json      # write those translations into the .po
    python scripts/i18n_catalog.py compile              # .po -> .mo (same catalog as msgfmt builds)
    python scripts/i18n_catalog.py check                # every msgid translated, placeholders kept,
                                                        # .mo in step with .po (exit 1 otherwise)

Refreshing after new strings (makemessages needs GNU xgettext/msgmerge; the rest is pure Python):

    .venv/bin/python manage.py makemessages -l en --ignore=.venv --ignore=benchmarks \
        --ignore=staticfiles --ignore=test-artifacts --ignore=tests
    .venv/bin/python scripts/i18n_catalog.py todo > /tmp/todo.json   # new msgids, and any msgmerge
                                                                    # marked fuzzy (its guesses)
    # write the English for each key of /tmp/todo.json (keep every %(name)s / {name} placeholder)
    .venv/bin/python scripts/i18n_catalog.py fill /tmp/todo.json
    .venv/bin/python scripts/i18n_catalog.py compile
    .venv/bin/python scripts/i18n_catalog.py check

locale/zh_Hans/LC_MESSAGES/django.po is small and written by hand: Chinese for the few strings of
third-party code that ships no Chinese (django-axes' tables in the admin) or whose Chinese lags
(a Django 5.2 password message). `compile` and `check` handle it too.

Keys of entries with a context (pgettext, ``{% translate … context … %}``) are "context\x04msgid".
"""

from __future__ import annotations

import ast
import json
import re
import struct
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PO_PATH = ROOT / "locale" / "en" / "LC_MESSAGES" / "django.po"
MO_PATH = PO_PATH.with_suffix(".mo")
CHINESE_PO_PATH = ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"

# %(name)s, %s, %d, {name}, {name:format} — what must survive translation unchanged
PLACEHOLDER = re.compile(r"%\([^)]+\)[#0\- +]*\d*(?:\.\d+)?[sdifrxXeEgGc]|%[sdifr]|\{[^{}]*\}")


@dataclass
class Entry:
    msgid: str
    msgstr: str = ""
    msgid_plural: str | None = None
    msgstrs: dict[int, str] = field(default_factory=dict)  # plural forms
    msgctxt: str | None = None
    flags: list[str] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)  # "#:" references, "#." notes, "#|" previous

    @property
    def key(self) -> str:
        """How todo/fill name the entry: the msgid, prefixed by "msgctxt\\x04" when it has a context."""
        return self.msgid if self.msgctxt is None else f"{self.msgctxt}\x04{self.msgid}"

    @property
    def fuzzy(self) -> bool:
        return "fuzzy" in self.flags

    @property
    def translations(self) -> list[str]:
        if self.msgid_plural is not None:
            return [self.msgstrs[i] for i in sorted(self.msgstrs)]
        return [self.msgstr]

    @property
    def translated(self) -> bool:
        return not self.fuzzy and all(self.translations) and bool(self.translations)


def _unquote(token: str) -> str:
    return ast.literal_eval(token)  # PO strings use C escapes that Python's literal syntax shares


def read_po(path: Path = PO_PATH) -> list[Entry]:
    """Parse a .po file into entries (obsolete "#~" entries are dropped); the header is msgid ""."""
    entries: list[Entry] = []
    current: Entry | None = None
    key: str | None = None
    pending_comments: list[str] = []
    pending_flags: list[str] = []

    def finish():
        nonlocal current
        if current is not None:
            entries.append(current)
        current = None

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            finish()
            key = None
            continue
        if line.startswith("#~"):
            continue
        if line.startswith("#,"):
            finish()
            pending_flags += [f.strip() for f in line[2:].split(",") if f.strip()]
            continue
        if line.startswith("#"):
            finish()
            pending_comments.append(raw)
            continue
        if line.startswith('"'):
            value = _unquote(line)
            if key == "msgid":
                current.msgid += value
            elif key == "msgid_plural":
                current.msgid_plural += value
            elif key == "msgctxt":
                current.msgctxt += value
            elif key == "msgstr":
                current.msgstr += value
            elif key and key.startswith("msgstr["):
                current.msgstrs[int(key[7:-1])] += value
            continue
        keyword, _, rest = line.partition(" ")
        value = _unquote(rest)
        starts_entry = keyword == "msgctxt" or (keyword == "msgid" and key != "msgctxt")
        if starts_entry:
            finish()
            current = Entry(msgid="", flags=pending_flags, comments=pending_comments)
            pending_flags, pending_comments = [], []
        if keyword == "msgctxt":
            current.msgctxt = value
        elif keyword == "msgid":
            current.msgid = value
        elif keyword == "msgid_plural":
            current.msgid_plural = value
        elif keyword == "msgstr":
            current.msgstr = value
        elif keyword.startswith("msgstr["):
            current.msgstrs[int(keyword[7:-1])] = value
        else:
            raise ValueError(f"{path}: cannot read line {raw!r}")
        key = keyword
    finish()
    return entries


def _quote(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\t", "\\t")
    parts = escaped.split("\n")
    if len(parts) == 1:
        return f'"{escaped}"'
    # one physical line per "\n", as xgettext writes them
    chunks = [p + "\\n" for p in parts[:-1]] + ([parts[-1]] if parts[-1] else [])
    return '""\n' + "\n".join(f'"{c}"' for c in chunks)


def write_po(entries: list[Entry], path: Path = PO_PATH) -> None:
    blocks = []
    for e in entries:
        lines = list(e.comments)
        if e.flags:
            lines.append("#, " + ", ".join(e.flags))
        if e.msgctxt is not None:
            lines.append("msgctxt " + _quote(e.msgctxt))
        lines.append("msgid " + _quote(e.msgid))
        if e.msgid_plural is not None:
            lines.append("msgid_plural " + _quote(e.msgid_plural))
            lines += [f"msgstr[{i}] " + _quote(e.msgstrs[i]) for i in sorted(e.msgstrs)]
        else:
            lines.append("msgstr " + _quote(e.msgstr))
        blocks.append("\n".join(lines))
    path.write_text("\n\n".join(blocks) + "\n", encoding="utf-8")


def catalog(entries: list[Entry]) -> dict[str, str]:
    """The key → translation pairs msgfmt puts in the .mo (translated, non-fuzzy entries + header)."""
    out: dict[str, str] = {}
    for e in entries:
        if e.msgid == "" and e.msgctxt is None:
            # the header is always compiled, even when marked fuzzy; msgfmt leaves out the
            # POT-Creation-Date that every makemessages run rewrites, and so do we
            out[""] = re.sub(r"POT-Creation-Date: [^\n]*\n", "", e.msgstr)
            continue
        if not e.translated:
            continue
        key = e.key
        if e.msgid_plural is not None:
            out[key + "\x00" + e.msgid_plural] = "\x00".join(e.translations)
        else:
            out[key] = e.msgstr
    return out


def write_mo(entries: list[Entry], path: Path = MO_PATH) -> None:
    """Write a GNU .mo file (no hash table, which readers do not need), keys sorted as msgfmt does."""
    pairs = sorted((k.encode("utf-8"), v.encode("utf-8")) for k, v in catalog(entries).items())
    n = len(pairs)
    header_size = 7 * 4
    keys_table = header_size
    values_table = keys_table + n * 8
    data_start = values_table + n * 8
    ids = b""
    strs = b""
    key_offsets, value_offsets = [], []
    for k, _ in pairs:
        key_offsets.append((len(k), data_start + len(ids)))
        ids += k + b"\0"
    values_start = data_start + len(ids)
    for _, v in pairs:
        value_offsets.append((len(v), values_start + len(strs)))
        strs += v + b"\0"
    out = struct.pack("<7I", 0x950412DE, 0, n, keys_table, values_table, 0, 0)
    out += b"".join(struct.pack("<2I", length, offset) for length, offset in key_offsets)
    out += b"".join(struct.pack("<2I", length, offset) for length, offset in value_offsets)
    path.write_bytes(out + ids + strs)


def read_mo(path: Path = MO_PATH) -> dict[str, str]:
    """The key → translation pairs a compiled .mo holds (read raw, so plural keys keep msgid_plural)."""
    data = path.read_bytes()
    magic = struct.unpack("<I", data[:4])[0]
    order = "<" if magic == 0x950412DE else ">"
    _, count, keys_at, values_at = struct.unpack(order + "4I", data[4:20])
    out: dict[str, str] = {}
    for i in range(count):
        klen, kpos = struct.unpack(order + "2I", data[keys_at + 8 * i : keys_at + 8 * i + 8])
        vlen, vpos = struct.unpack(order + "2I", data[values_at + 8 * i : values_at + 8 * i + 8])
        out[data[kpos : kpos + klen].decode("utf-8")] = data[vpos : vpos + vlen].decode("utf-8")
    return out


def placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text))


def problems(entries: list[Entry]) -> list[str]:
    """Why the catalog is not complete: untranslated/fuzzy entries and placeholder mismatches."""
    found = []
    for e in entries:
        if e.msgid == "":
            continue
        if not e.translated:
            found.append(f"untranslated or fuzzy: {e.msgid!r}")
            continue
        sources = [e.msgid] if e.msgid_plural is None else [e.msgid, e.msgid_plural]
        for i, text in enumerate(e.translations):
            source = sources[min(i, len(sources) - 1)]
            if (e.msgid_plural is None and placeholders(text) != placeholders(source)) or (
                e.msgid_plural is not None and set(placeholders(text)) - set(placeholders(e.msgid_plural))
            ):
                found.append(f"placeholders differ: {e.msgid!r} -> {text!r}")
            if text == source and re.search(r"[\u4e00-\u9fff]", text):
                found.append(f"copied the Chinese: {e.msgid!r}")
    return found


def main(argv: list[str]) -> int:
    command = argv[1] if len(argv) > 1 else "check"
    entries = read_po()
    if command == "todo":
        todo = {e.key: "" for e in entries if e.msgid and not e.translated}
        json.dump(todo, sys.stdout, ensure_ascii=False, indent=1)
        print()
        return 0
    if command == "fill":
        translations = json.loads(Path(argv[2]).read_text(encoding="utf-8"))
        filled = 0
        for e in entries:
            if e.msgid == "":
                e.flags = [f for f in e.flags if f != "fuzzy"]
                e.msgstr = re.sub(r"Language: [^\n]*\n", "Language: en\n", e.msgstr)
                continue
            text = translations.get(e.key)
            if not text:
                continue
            if e.msgid_plural is not None:
                forms = text if isinstance(text, list) else [text, text]
                e.msgstrs = dict(enumerate(forms))
            else:
                e.msgstr = text
            e.flags = [f for f in e.flags if f != "fuzzy"]
            e.comments = [c for c in e.comments if not c.startswith("#|")]
            filled += 1
        write_po(entries)
        print(f"filled {filled} entries; {sum(1 for e in entries if e.msgid and not e.translated)} left")
        return 0
    catalogs = [(PO_PATH, entries), (CHINESE_PO_PATH, read_po(CHINESE_PO_PATH))]
    if command == "compile":
        for po, po_entries in catalogs:
            mo = po.with_suffix(".mo")
            write_mo(po_entries, mo)
            print(f"wrote {mo.relative_to(ROOT)} ({len(catalog(po_entries)) - 1} messages)")
        return 0
    if command == "check":
        found = []
        for po, po_entries in catalogs:
            mo = po.with_suffix(".mo")
            found += problems(po_entries)
            if not mo.exists():
                found.append(f"{mo.relative_to(ROOT)} is missing: run compile")
            elif read_mo(mo) != catalog(po_entries):
                found.append(f"{mo.relative_to(ROOT)} is out of step with the .po: run compile")
        for line in found:
            print(line)
        return 1 if found else 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
