"""Strict decoding of department files: UTF-8 (with or without BOM), else GB18030, else rejected.

Never decodes with errors="ignore"/"replace": a byte that fits neither encoding rejects the file,
naming its byte offset.
"""

import codecs

from django.utils.translation import gettext as _

from imports.loading.errors import FileRejected

CHUNK = 1 << 20
ENCODINGS = ("utf-8-sig", "gb18030")


def _first_bad_byte(fileobj, encoding: str) -> int | None:
    """Offset of the first byte that `encoding` cannot decode, or None when the whole file decodes."""
    fileobj.seek(0)
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    fed = 0
    while True:
        chunk = fileobj.read(CHUNK)
        final = not chunk
        pending = len(decoder.getstate()[0])
        try:
            decoder.decode(chunk, final=final)
        except UnicodeDecodeError as exc:
            # exc.start counts from the start of what the decoder held plus this chunk.
            return fed - pending + exc.start
        if final:
            return None
        fed += len(chunk)


def detect_encoding(fileobj) -> str:
    """Return the encoding the whole file decodes with, or raise FileRejected("encoding")."""
    offsets = []
    for encoding in ENCODINGS:
        bad = _first_bad_byte(fileobj, encoding)
        if bad is None:
            fileobj.seek(0)
            return encoding
        offsets.append(bad)
    fileobj.seek(0)
    # The encoding that got further is most likely the one the file was meant to be in.
    offset = max(offsets)
    raise FileRejected(
        "encoding",
        _(
            "文件编码无法识别：第%(offset)d字节（从0计）处的内容既不是UTF-8也不是GBK/GB18030编码。"
            "请用Excel“另存为”CSV UTF-8 或 CSV（逗号分隔）后重新上传"
        )
        % {"offset": offset},
    )
