"""Input checks shared by the services, and the limits at the edge of the domain.

Every text and JSON value a caller hands in is bounded here (README, "Input
limits"), so that no input reaches storage, a search pattern or a mail header
unchecked. Each check collects problems instead of failing fast. The codes:
VALUE_TOO_LONG, VALUE_TOO_DEEP, VALUE_TOO_LARGE, VALUE_OUT_OF_RANGE and
INVALID_CHARACTERS (a NUL anywhere; any control character, CR and LF among
them, in what goes into a mail header or address).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable

from domain.addresses import NotAnAddress, ascii_mail_address
from domain.error_codes import ErrorCode
from domain.errors import DomainError, Problem
from domain.model import EmailGateway, PasswordPolicy, Settings
from domain.rules import (
    MAX_PASSWORD_POLICY_LENGTH,
    contains_login,
    password_policy_problems,
    password_policy_violations,
)

# ---- limits, per kind of field -------------------------------------------------------

MAX_LOGIN_LENGTH = 64
# Names: of people, locations, groups, teams, data sources, API tokens, contacts.
MAX_NAME_LENGTH = 200
MAX_DESCRIPTION_LENGTH = 2000
# The longest address SMTP carries (RFC 5321's path limit).
MAX_EMAIL_LENGTH = 254
MAX_PHONE_LENGTH = 32
# A DNS name (RFC 1035).
MAX_HOST_LENGTH = 253
# Any password handed in: to sign in, to set, the gateway's; a policy allows no more.
MAX_PASSWORD_LENGTH = MAX_PASSWORD_POLICY_LENGTH
MAX_PIN_LENGTH = 64
# A search of the users list: an SQL LIKE pattern is made of it.
MAX_SEARCH_LENGTH = 200
MAX_SETTING_KEY_LENGTH = 200
# A JSON value handed in (a setting's value): nesting of arrays and objects, and
# its size encoded as compact UTF-8 JSON.
MAX_JSON_DEPTH = 20
MAX_JSON_BYTES = 16 * 1024
# A stored JSON value nested deeper is left out when read (see stored_json_problem):
# the answer around it must stay within orjson's 254 levels and Python's recursion.
MAX_STORED_JSON_DEPTH = 100
# The numbers inside IDs and cursors are database keys: INTEGER columns, signed 32-bit
# on PostgreSQL (64-bit on SQLite), from 1. A larger number names nothing.
MAX_ID = 2**31 - 1
# Integers inside JSON values: what every JSON column and encoder here can hold.
MIN_JSON_INT = -(2**63)
MAX_JSON_INT = 2**63 - 1

LOGIN_PATTERN = re.compile(r"^[A-Za-z0-9._@-]{1,64}$")
PHONE_PATTERN = re.compile(r"^\+?[0-9 ()/-]{2,32}$")
# Control characters (CR, LF, NUL, ...) and Unicode's line and paragraph separators:
# none may reach a mail header, an SMTP command or an address.
HEADER_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")

NUL_REFUSED = (ErrorCode.INVALID_CHARACTERS, "Must not contain the NUL character.")
HEADER_UNSAFE_REFUSED = (
    ErrorCode.INVALID_CHARACTERS,
    "Must not contain line breaks or other control characters.",
)


def too_long(max_length: int) -> tuple[ErrorCode, str]:
    return ErrorCode.VALUE_TOO_LONG, f"At most {max_length} characters."


def text_problem(
    text: str, max_length: int, *, header: bool = False
) -> tuple[ErrorCode, str] | None:
    """What is wrong with a text, as (code, message); None when nothing is.

    ``header``: the text goes into a mail header, an address or an SMTP command.
    """
    if header:
        if HEADER_UNSAFE.search(text):
            return HEADER_UNSAFE_REFUSED
    elif "\x00" in text:
        return NUL_REFUSED
    if len(text) > max_length:
        return too_long(max_length)
    return None


def is_mail_address(text: str | None) -> bool:
    """Whether a (stored) address can be sent to (``domain.addresses``): one stored
    before today's rules may not be, and then nothing is mailed to it."""
    if text is None or text_problem(text, MAX_EMAIL_LENGTH, header=True) is not None:
        return False
    try:
        ascii_mail_address(text)
    except NotAnAddress:
        return False
    return True


def gateway_problem(gateway: EmailGateway) -> str | None:
    """The field of a (stored) gateway that cannot go into a header or SMTP command."""
    fields = {
        "host": (gateway.host, MAX_HOST_LENGTH),
        "senderAddress": (gateway.sender_address, MAX_EMAIL_LENGTH),
        "senderName": (gateway.sender_name or "", MAX_NAME_LENGTH),
        "username": (gateway.username or "", MAX_EMAIL_LENGTH),
    }
    for name, (value, limit) in fields.items():
        if text_problem(value, limit, header=True) is not None:
            return name
    if not is_mail_address(gateway.sender_address):
        return "senderAddress"
    return None


def parse_id_number(text: str) -> int | None:
    """The number of an ID or cursor: digits only, no sign or leading zero, 1 to MAX_ID."""
    if not text.isascii() or not text.isdigit() or len(text) > len(str(MAX_ID)):
        return None
    number = int(text)
    if not 1 <= number <= MAX_ID or str(number) != text:
        return None
    return number


# ---- JSON values ---------------------------------------------------------------------


def json_problem(value: object) -> tuple[ErrorCode, str] | None:
    """What keeps a JSON value handed in from being stored; None when nothing does.

    Walks the value without recursion, so that a value nested far deeper than
    allowed is judged without a RecursionError.
    """
    if value is None:
        return ErrorCode.REQUIRED, "A value is required; null is none."
    stack: list[tuple[object, int]] = [(value, 0)]
    nodes = 0
    while stack:
        node, depth = stack.pop()
        nodes += 1
        if nodes > MAX_JSON_BYTES:  # every node takes at least a byte
            return _too_large()
        if isinstance(node, dict | list):
            problem = _container_problem(node, depth, stack)
        else:
            problem = _scalar_problem(node)
        if problem is not None:
            return problem
    # Safe to encode now: nested MAX_JSON_DEPTH deep at most.
    if len(json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()) > MAX_JSON_BYTES:
        return _too_large()
    return None


def _container_problem(
    node: dict[object, object] | list[object], depth: int, stack: list[tuple[object, int]]
) -> tuple[ErrorCode, str] | None:
    """What keeps an object or array from being stored, its items aside: they go on
    the stack."""
    if depth >= MAX_JSON_DEPTH:
        return _too_deep()
    if isinstance(node, list):
        stack.extend((item, depth + 1) for item in node)
        return None
    for key, item in node.items():
        if not isinstance(key, str):
            return ErrorCode.INVALID_JSON, "Object keys are text."
        if "\x00" in key:
            return NUL_REFUSED
        stack.append((item, depth + 1))
    return None


def _scalar_problem(node: object) -> tuple[ErrorCode, str] | None:
    if isinstance(node, str):
        return NUL_REFUSED if "\x00" in node else None
    if node is None or isinstance(node, bool):
        return None
    if isinstance(node, int):
        if not MIN_JSON_INT <= node <= MAX_JSON_INT:
            return ErrorCode.VALUE_OUT_OF_RANGE, "Integers must fit in 64 bits (signed)."
        return None
    if isinstance(node, float):
        return (
            None
            if math.isfinite(node)
            else (ErrorCode.VALUE_OUT_OF_RANGE, "Numbers must be finite.")
        )
    return ErrorCode.INVALID_JSON, "Not a JSON value."


def _too_deep() -> tuple[ErrorCode, str]:
    return ErrorCode.VALUE_TOO_DEEP, f"Arrays and objects nest at most {MAX_JSON_DEPTH} deep."


def _too_large() -> tuple[ErrorCode, str]:
    return ErrorCode.VALUE_TOO_LARGE, f"At most {MAX_JSON_BYTES} bytes as JSON."


def stored_json_problem(value: object) -> str | None:
    """Why a stored JSON value cannot be served (None when it can): nested deeper than
    MAX_STORED_JSON_DEPTH, a number no JSON encoder takes, or a null where a value
    must be. Such values were stored before the limits above existed."""
    if value is None:
        return "null"
    stack: list[tuple[object, int]] = [(value, 0)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict | list):
            if depth >= MAX_STORED_JSON_DEPTH:
                return f"nested deeper than {MAX_STORED_JSON_DEPTH}"
            items = node.values() if isinstance(node, dict) else node
            stack.extend((item, depth + 1) for item in items)
        elif isinstance(node, float) and not math.isfinite(node):
            return "not a finite number"
        elif (
            isinstance(node, int)
            and not isinstance(node, bool)
            # orjson encodes unsigned 64-bit integers too.
            and not MIN_JSON_INT <= node < 2**64
        ):
            return "an integer beyond 64 bits"
    return None


# ---- collecting problems -------------------------------------------------------------


class Problems:
    """Collects the problems of one input; ``raise_if_any()`` at the end."""

    def __init__(self) -> None:
        self.items: list[Problem] = []

    def add(self, code: ErrorCode, message: str, *field: str) -> None:
        self.items.append(Problem(code, message, tuple(field) or None))

    def raise_if_any(self) -> None:
        if self.items:
            raise DomainError(self.items)

    def fine(self, *field: str) -> bool:
        """Whether that field has no problem so far: only then is it looked up."""
        return all(p.field != field for p in self.items)

    def text(self, value: str, max_length: int, *field: str, header: bool = False) -> bool:
        """Whether ``value`` is within its limits; adds the problem otherwise."""
        problem = text_problem(value, max_length, header=header)
        if problem is not None:
            self.add(*problem, *field)
        return problem is None

    def required_name(self, value: str | None, *field: str) -> str:
        text = (value or "").strip()
        if not text:
            self.add(ErrorCode.REQUIRED, "Must not be empty.", *field)
        else:
            self.text(text, MAX_NAME_LENGTH, *field)
        return text

    def optional_name(self, value: str | None, *field: str, header: bool = False) -> str | None:
        text = (value or "").strip()
        self.text(text, MAX_NAME_LENGTH, *field, header=header)
        return text or None

    def optional_text(self, value: str | None, *field: str) -> str | None:
        text = (value or "").strip()
        self.text(text, MAX_DESCRIPTION_LENGTH, *field)
        return text or None

    def language(self, value: str | None, languages: tuple[str, ...], *field: str) -> str | None:
        """A language there are mails in, or None (inherit)."""
        text = (value or "").strip()
        if text and text not in languages:
            self.add(
                ErrorCode.LANGUAGE_UNKNOWN,
                f"No mails exist in {text[:16]!r}; there are {', '.join(languages)}.",
                *field,
            )
        return text or None

    def login(self, value: str, *field: str) -> str:
        text = value.strip()
        if self.text(text, MAX_LOGIN_LENGTH, *field) and not LOGIN_PATTERN.match(text):
            self.add(
                ErrorCode.INVALID_LOGIN,
                f"1 to {MAX_LOGIN_LENGTH} characters: letters, digits and . _ @ - only.",
                *field,
            )
        return text

    def email(self, value: str | None, *field: str) -> str | None:
        """An address handed in (``domain.addresses``), its domain in ASCII form."""
        text = (value or "").strip()
        if text and self.text(text, MAX_EMAIL_LENGTH, *field, header=True):
            try:
                text = ascii_mail_address(text)
            except NotAnAddress as refused:
                self.add(ErrorCode.INVALID_EMAIL, str(refused), *field)
        return text or None

    def host(self, value: str | None, *field: str) -> str:
        text = (value or "").strip()
        if not text:
            self.add(ErrorCode.REQUIRED, "Must not be empty.", *field)
        elif self.text(text, MAX_HOST_LENGTH, *field, header=True) and " " in text:
            self.add(ErrorCode.INVALID_HOST, "A host name or address, without spaces.", *field)
        return text

    def phone(self, value: str | None, *field: str) -> str | None:
        text = (value or "").strip()
        if text and self.text(text, MAX_PHONE_LENGTH, *field) and not PHONE_PATTERN.match(text):
            self.add(ErrorCode.INVALID_PHONE, "Digits, spaces and + ( ) / - only.", *field)
        return text or None

    def secret(self, value: str, *field: str) -> bool:
        """A password handed in: any characters but NUL, at most MAX_PASSWORD_LENGTH."""
        return self.text(value, MAX_PASSWORD_LENGTH, *field)

    def password_policy(self, policy: PasswordPolicy, *field: str) -> None:
        for problem in password_policy_problems(policy):
            self.add(ErrorCode.INVALID_PASSWORD_POLICY, problem, *field)

    def password(
        self, policy: PasswordPolicy, password: str, *field: str, login: str | None
    ) -> None:
        """A new password for the account ``login``: the policy, and not the login
        (None: the demo data's documented password only)."""
        if "\x00" in password:
            self.add(*NUL_REFUSED, *field)
            return
        broken = password_policy_violations(policy, password)
        if broken:
            self.add(
                ErrorCode.PASSWORD_POLICY,
                "The password must have " + ", ".join(broken) + ".",
                *field,
            )
        if login is not None and contains_login(password, login):
            self.add(
                ErrorCode.PASSWORD_POLICY,
                "The password must not be or contain the login.",
                *field,
            )

    def setting_key(self, key: str, *field: str) -> bool:
        if not key.strip():
            self.add(
                ErrorCode.INVALID_SETTING_KEY,
                f"Keys have 1 to {MAX_SETTING_KEY_LENGTH} characters.",
                *field,
            )
            return False
        return self.text(key, MAX_SETTING_KEY_LENGTH, *field)

    def json(self, value: object, *field: str) -> bool:
        problem = json_problem(value)
        if problem is not None:
            self.add(*problem, *field)
        return problem is None

    def settings(self, items: Iterable[tuple[str, object]] | None, *field: str) -> Settings | None:
        if items is None:
            return None
        result: Settings = {}
        for index, (key, value) in enumerate(items):
            key_ok = self.setting_key(key, *field, str(index), "key")
            if not (self.json(value, *field, str(index), "value") and key_ok):
                continue
            if key in result:
                self.add(
                    ErrorCode.DUPLICATE_SETTING_KEY,
                    f"The key {key!r} appears twice.",
                    *field,
                    str(index),
                    "key",
                )
            else:
                result[key] = value
        return result
