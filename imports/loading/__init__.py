"""The department feed loader (see engine.py for the steps)."""

from imports.loading.engine import LoadResult, load_file
from imports.loading.errors import FileRejected

__all__ = ["FileRejected", "LoadResult", "load_file"]
