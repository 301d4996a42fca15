"""File-level rejection: the file itself cannot be read, so none of its rows are looked at."""


class FileRejected(Exception):
    """The whole file is rejected (encoding, header); `code` is stable, `message` is for users."""

    def __init__(self, code: str, message: str, *, extra_columns: list[str] | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.extra_columns = extra_columns or []
