"""The assistance app's user-facing errors (services raise them; views show `message`)."""


class AssistanceError(Exception):
    """An action that is not allowed now; `message` says why, in Chinese, for the user."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class StaleApplicationError(AssistanceError):
    """The form was filled in on an older version of the application."""
