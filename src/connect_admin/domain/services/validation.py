"""Input checks shared by the services; each collects problems instead of failing fast."""

from __future__ import annotations

import re
from collections.abc import Iterable

from connect_admin.domain.errors import DomainError, Problem
from connect_admin.domain.model import PasswordPolicy, Settings
from connect_admin.domain.rules import password_policy_problems, password_policy_violations

LOGIN_PATTERN = re.compile(r"^[A-Za-z0-9._@-]{1,64}$")
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PHONE_PATTERN = re.compile(r"^\+?[0-9 ()/-]{2,32}$")
MAX_NAME_LENGTH = 200
MAX_SETTING_KEY_LENGTH = 200


class Problems:
    """Collects the problems of one input; ``raise_if_any()`` at the end."""

    def __init__(self) -> None:
        self.items: list[Problem] = []

    def add(self, code: str, message: str, *field: str) -> None:
        self.items.append(Problem(code, message, tuple(field) or None))

    def raise_if_any(self) -> None:
        if self.items:
            raise DomainError(self.items)

    def required_name(self, value: str | None, *field: str) -> str:
        text = (value or "").strip()
        if not text:
            self.add("REQUIRED", "Must not be empty.", *field)
        elif len(text) > MAX_NAME_LENGTH:
            self.add("TOO_LONG", f"At most {MAX_NAME_LENGTH} characters.", *field)
        return text

    def optional_name(self, value: str | None, *field: str) -> str | None:
        text = (value or "").strip()
        if len(text) > MAX_NAME_LENGTH:
            self.add("TOO_LONG", f"At most {MAX_NAME_LENGTH} characters.", *field)
        return text or None

    def optional_text(self, value: str | None, *field: str) -> str | None:
        text = (value or "").strip()
        if len(text) > 2000:
            self.add("TOO_LONG", "At most 2000 characters.", *field)
        return text or None

    def login(self, value: str, *field: str) -> str:
        text = value.strip()
        if not LOGIN_PATTERN.match(text):
            self.add(
                "INVALID_LOGIN",
                "1 to 64 characters: letters, digits and . _ @ - only.",
                *field,
            )
        return text

    def email(self, value: str | None, *field: str) -> str | None:
        text = (value or "").strip()
        if text and (len(text) > 254 or not EMAIL_PATTERN.match(text)):
            self.add("INVALID_EMAIL", "Not an e-mail address.", *field)
        return text or None

    def phone(self, value: str | None, *field: str) -> str | None:
        text = (value or "").strip()
        if text and not PHONE_PATTERN.match(text):
            self.add("INVALID_PHONE", "Digits, spaces and + ( ) / - only.", *field)
        return text or None

    def password_policy(self, policy: PasswordPolicy, *field: str) -> None:
        for problem in password_policy_problems(policy):
            self.add("INVALID_PASSWORD_POLICY", problem, *field)

    def password(self, policy: PasswordPolicy, password: str, *field: str) -> None:
        broken = password_policy_violations(policy, password)
        if broken:
            self.add(
                "PASSWORD_POLICY",
                "The password must have " + ", ".join(broken) + ".",
                *field,
            )

    def settings(self, items: Iterable[tuple[str, object]] | None, *field: str) -> Settings | None:
        if items is None:
            return None
        result: Settings = {}
        for key, value in items:
            if not key.strip() or len(key) > MAX_SETTING_KEY_LENGTH:
                self.add(
                    "INVALID_SETTING_KEY",
                    f"Keys have 1 to {MAX_SETTING_KEY_LENGTH} characters.",
                    *field,
                )
            elif key in result:
                self.add("DUPLICATE_SETTING_KEY", f"The key {key!r} appears twice.", *field)
            else:
                result[key] = value
        return result
