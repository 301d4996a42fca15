"""What a department file is, from its bytes and never from its name.

Departments rename files freely (an `.xls` saved as `.xlsx`, a CSV called `.xls`), so the reader is
chosen by content: a zip holding a workbook is `.xlsx` or `.ods`, an OLE2 compound file holding a
`Workbook` stream is `.xls`, and anything else that is not a known foreign format is read as text
(CSV/TXT, strictly decoded). A PDF, a Word document, an encrypted workbook or a web page saved as
".xls" is refused naming what was found and what is accepted.

The OLE2 (Compound File Binary) directory is read here with the standard library: the header, the
sector allocation table and the directory chain; nothing else of the file is read.
"""

import struct
import zipfile

from django.utils.translation import gettext as _

from imports.loading.errors import FileRejected

TEXT, XLSX, XLS, ODS = "text", "xlsx", "xls", "ods"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ODS_MIMETYPE = "application/vnd.oasis.opendocument.spreadsheet"
_END_OF_CHAIN = 0xFFFFFFFE
_MAX_REGULAR_SECTOR = 0xFFFFFFFA

# Leading bytes of formats people upload by mistake, with what to call them.
_MAGIC = (
    (b"%PDF", "PDF"),
    (b"\x89PNG", "PNG"),
    (b"\xff\xd8\xff", "JPEG"),
    (b"GIF8", "GIF"),
    (b"Rar!", "RAR"),
    (b"7z\xbc\xaf\x27\x1c", "7z"),
    (b"\x1f\x8b", "gzip"),
    (b"{\\rtf", "RTF"),
    (b"MZ", "EXE"),
)


def accepted_formats() -> str:
    return _(".csv、.txt（逗号或制表符分隔的文本）、.xlsx、.xls 或 .ods")


def foreign(found: str, file_name: str) -> FileRejected:
    return FileRejected(
        "file_type",
        _(
            "文件“%(name)s”的内容是%(found)s，不是可导入的表格。只接受 %(accepted)s 格式的表格文件："
            "请在 Excel 或 WPS 中打开后另存为其中一种再上传"
        )
        % {"name": file_name, "found": found, "accepted": accepted_formats()},
    )


def encrypted(file_name: str) -> FileRejected:
    return FileRejected(
        "encrypted",
        _(
            "文件“%(name)s”是设置了打开密码的（加密的）工作簿，无法读取。请在 Excel 或 WPS 中去掉密码"
            "（文件→信息→保护工作簿），另存为 %(accepted)s 后再上传"
        )
        % {"name": file_name, "accepted": accepted_formats()},
    )


def detect(fileobj, file_name: str) -> str:
    """TEXT, XLSX, XLS or ODS; raises FileRejected for a foreign or encrypted file."""
    fileobj.seek(0)
    head = fileobj.read(512)
    fileobj.seek(0)
    if head.startswith(b"PK\x03\x04"):
        return _zip_kind(fileobj, file_name)
    if head.startswith(OLE_MAGIC):
        return _ole_kind(fileobj, file_name)
    for magic, found in _MAGIC:
        if head.startswith(magic):
            raise foreign(_("%(kind)s 文件") % {"kind": found}, file_name)
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if start.startswith((b"<html", b"<!doctype html", b"<table", b"<meta")):
        raise foreign(_("网页（HTML，常见于业务系统导出的“.xls”）"), file_name)
    if start.startswith(b"<?xml"):
        raise foreign(_("XML 文件（如 Excel 2003 XML 表格）"), file_name)
    return TEXT


def _zip_kind(fileobj, file_name: str) -> str:
    try:
        archive = zipfile.ZipFile(fileobj)
        names = set(archive.namelist())
        mimetype = ""
        if "mimetype" in names and archive.getinfo("mimetype").file_size < 200:
            mimetype = archive.read("mimetype").decode("ascii", "replace").strip()
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError):
        return XLSX  # a damaged workbook: the .xlsx reader says what is wrong with it
    finally:
        fileobj.seek(0)
    if mimetype == ODS_MIMETYPE:
        return ODS
    if "xl/workbook.xml" in names:
        return XLSX
    if mimetype.startswith("application/vnd.oasis.opendocument"):
        raise foreign(_("OpenDocument 文档（%(type)s）") % {"type": mimetype[:80]}, file_name)
    if "word/document.xml" in names:
        raise foreign(_("Word 文档（.docx）"), file_name)
    if any(n.startswith("ppt/") for n in names):
        raise foreign(_("PowerPoint 演示文稿（.pptx）"), file_name)
    raise foreign(_("ZIP 压缩包"), file_name)


def _ole_kind(fileobj, file_name: str) -> str:
    try:
        names = {name.lower() for name in CompoundFile(fileobj).streams()}
    except (ValueError, struct.error, OSError) as exc:
        raise foreign(_("损坏的 Office 复合文档（%(err)s）") % {"err": exc}, file_name) from exc
    finally:
        fileobj.seek(0)
    if "encryptedpackage" in names:  # an .xlsx with an open password: OOXML inside OLE2
        raise encrypted(file_name)
    if "workbook" in names or "book" in names:
        return XLS
    if "worddocument" in names:
        raise foreign(_("Word 文档（.doc）"), file_name)
    if "powerpoint document" in names:
        raise foreign(_("PowerPoint 演示文稿（.ppt）"), file_name)
    raise foreign(_("其他 Office 复合文档"), file_name)


class CompoundFile:
    """The directory and streams of an OLE2 compound file, read sector by sector with seek()."""

    def __init__(self, fileobj):
        self.f = fileobj
        fileobj.seek(0, 2)
        self.size = fileobj.tell()
        header = self._read(0, 512)
        if len(header) < 512 or not header.startswith(OLE_MAGIC):
            raise ValueError("no OLE2 header")
        shift, mini_shift = struct.unpack_from("<HH", header, 30)
        if shift not in (9, 12) or mini_shift != 6:
            raise ValueError("bad sector size")
        self.sector_size = 1 << shift
        self.mini_size = 1 << mini_shift
        fat_count, self.dir_start = struct.unpack_from("<II", header, 44)
        self.mini_cutoff, self.minifat_start, _n, difat_start, difat_count = struct.unpack_from(
            "<IIIII", header, 56
        )
        self.max_sectors = max(self.size // self.sector_size, 1)
        fat_sectors = [s for s in struct.unpack_from("<109I", header, 76) if s <= _MAX_REGULAR_SECTOR]
        per_sector = self.sector_size // 4
        for _i in range(min(difat_count, self.max_sectors)):
            if difat_start > _MAX_REGULAR_SECTOR:
                break
            entries = struct.unpack(f"<{per_sector}I", self._sector(difat_start))
            fat_sectors += [s for s in entries[:-1] if s <= _MAX_REGULAR_SECTOR]
            difat_start = entries[-1]
        fat_sectors = fat_sectors[:fat_count]
        self.fat = []
        for s in fat_sectors:
            self.fat += struct.unpack(f"<{per_sector}I", self._sector(s))
        self.entries = self._directory()

    def _read(self, offset: int, length: int) -> bytes:
        self.f.seek(offset)
        return self.f.read(length)

    def _sector(self, n: int) -> bytes:
        data = self._read((n + 1) * self.sector_size, self.sector_size)
        if len(data) < self.sector_size:
            raise ValueError(f"sector {n} past the end of the file")
        return data

    def _chain(self, start: int, table: list[int]) -> list[int]:
        chain: list[int] = []
        while start != _END_OF_CHAIN:
            if start >= len(table) or len(chain) > len(table):
                raise ValueError("broken sector chain")
            chain.append(start)
            start = table[start]
        return chain

    def _directory(self) -> list[tuple[str, int, int, int]]:
        entries = []
        for s in self._chain(self.dir_start, self.fat):
            data = self._sector(s)
            for off in range(0, self.sector_size, 128):
                name_len, kind = struct.unpack_from("<HB", data, off + 64)
                start, size = struct.unpack_from("<IQ", data, off + 116)
                name = data[off : off + max(min(name_len, 64) - 2, 0)].decode("utf-16-le", "replace")
                entries.append((name, kind, start, size))
        return entries

    def streams(self) -> list[str]:
        return [name for name, kind, _s, _z in self.entries if kind == 2]

    def stream(self, wanted: str) -> bytes:
        """The content of the first stream named `wanted` (case-insensitive)."""
        found = [e for e in self.entries if e[1] == 2 and e[0].lower() == wanted.lower()]
        if not found:
            raise ValueError(f"no stream {wanted}")
        _name, _kind, start, size = found[0]
        if size > self.size:
            raise ValueError("stream larger than the file")
        if size >= self.mini_cutoff:
            data = b"".join(self._sector(s) for s in self._chain(start, self.fat))
            return data[:size]
        root_start = self.entries[0][2]
        mini_stream = b"".join(self._sector(s) for s in self._chain(root_start, self.fat))
        minifat: list[int] = []
        for s in (
            self._chain(self.minifat_start, self.fat) if self.minifat_start <= _MAX_REGULAR_SECTOR else []
        ):
            minifat += struct.unpack(f"<{self.sector_size // 4}I", self._sector(s))
        data = b"".join(
            mini_stream[m * self.mini_size : (m + 1) * self.mini_size] for m in self._chain(start, minifat)
        )
        return data[:size]
