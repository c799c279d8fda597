"""Password validators with messages in the users' language, and the password hasher.

Django 5.2's minimum-length message changed its msgid and the zh-Hans catalogue still
has the old one, so users saw the English sentence. This subclass words it itself.
"""

from django.contrib.auth import password_validation
from django.contrib.auth.hashers import Argon2PasswordHasher
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    def get_error_message(self):
        return _("密码太短，至少需要 %(min_length)d 个字符。") % {"min_length": self.min_length}

    def validate(self, password, user=None):
        if len(password) < self.min_length:
            raise ValidationError(self.get_error_message(), code="password_too_short")

    def get_help_text(self):
        return _("密码至少需要 %(min_length)d 个字符。") % {"min_length": self.min_length}


class Argon2idHasher(Argon2PasswordHasher):
    """Argon2id with OWASP's recommended minimum (19 MiB of memory, 2 passes, 1 lane).

    Memory-hard, so a stolen hash costs an attacker's GPUs more than Django's default PBKDF2
    (1,000,000 SHA-256 rounds) does, for about 27 ms of one core per login instead of 300 ms: on
    the morning of a deadline, 300 principals signing in within minutes no longer take a core
    away from the pages. Hashes of the older hashers still listed in ``PASSWORD_HASHERS`` are
    checked by them and rewritten with this one at the user's next login."""

    time_cost = 2
    memory_cost = 19456  # KiB
    parallelism = 1
