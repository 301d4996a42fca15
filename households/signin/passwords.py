"""A password rule Django lacks: the username written inside the password."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


class UsernameNotInPasswordValidator:
    """Refuse a password that contains the username (any case), e.g. `jingban_a2025!`.

    Django's UserAttributeSimilarityValidator compares the whole password with the username, so a
    long password that merely contains the username passes it; this one catches that case.
    """

    MIN_USERNAME_LENGTH = 3  # shorter names occur inside passwords by chance

    def validate(self, password: str, user=None) -> None:
        username = (getattr(user, "username", "") or "").casefold()
        if len(username) >= self.MIN_USERNAME_LENGTH and username in password.casefold():
            raise ValidationError(_("密码不能包含用户名。"), code="password_contains_username")

    def get_help_text(self) -> str:
        return _("密码不能包含用户名。")
