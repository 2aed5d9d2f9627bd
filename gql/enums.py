"""The domain's enums, registered with Strawberry under the contract's names.

Registration attaches the GraphQL definition to the domain class itself, so
resolvers hand domain values straight through, with no mapping per field. The
domain knows no Strawberry, so its members cannot be ``strawberry.enum_value``s:
:func:`graphql_enum` gives each value its description here instead.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import TypeVar

import strawberry
from strawberry.types.enum import StrawberryEnumDefinition

from domain.model import (
    MailKind,
    MailStatus,
    RelationshipLevel,
    RelationshipPolicy,
    RelationshipSource,
    SmtpSecurity,
    VoicemailPinState,
)

E = TypeVar("E", bound=enum.Enum)


def graphql_enum(
    cls: type[E], *, description: str, values: Mapping[E, str], name: str | None = None
) -> None:
    """Registers a domain enum, every value with its description (a member left out
    is a KeyError at import: no value goes undescribed)."""
    strawberry.enum(cls, name=name, description=description)
    definition = cls.__strawberry_definition__  # type: ignore[attr-defined]
    assert isinstance(definition, StrawberryEnumDefinition)
    if set(values) != set(cls):
        raise KeyError(f"{cls.__name__}: describe exactly its members, {list(cls)}")
    for value in definition.values:
        value.description = values[cls(value.value)]


L = RelationshipLevel
graphql_enum(
    RelationshipLevel,
    description=(
        "A directed relationship level, in ascending order of rights: what the target "
        "may see and do with the owner's resources. What each level grants is the UC "
        "server's (XPhone Connect); this server stores, compares and resolves the levels."
    ),
    values={
        L.BLOCKED: "Rank 1 of 9, Blocked: the fewest rights.",
        L.UNKNOWN: "Rank 2 of 9, Unknown.",
        L.EXTERNAL: "Rank 3 of 9, External.",
        L.FORWARDING_PARTICIPANT: "Rank 4 of 9, Forwarding participant.",
        L.FORWARDER: "Rank 5 of 9, Forwarder.",
        L.EMPLOYEE: "Rank 6 of 9, Employee: a location's default level unless set.",
        L.TEAM_COLLEAGUE: "Rank 7 of 9, Team colleague: a team's level unless set.",
        L.ASSISTANT: "Rank 8 of 9, Assistant.",
        L.ASSISTANT_PLUS: "Rank 9 of 9, Assistant+: the most rights.",
    },
)
graphql_enum(
    RelationshipPolicy,
    description=(
        "What a location lets its users do with their relationships in the Connect Client "
        "(setMyRelationship)."
    ),
    values={
        RelationshipPolicy.EXTEND_AND_RESTRICT: (
            "Users may set any level, above or below their default (the default)."
        ),
        RelationshipPolicy.EXTEND_ONLY: (
            "Users may only raise a level: a level below their default towards that user is "
            "refused (RELATIONSHIP_POLICY)."
        ),
    },
)
graphql_enum(
    RelationshipSource,
    description="Where an effective relationship level comes from.",
    values={
        RelationshipSource.LOCATION: (
            "The default level of the owner's location, towards every other user of it "
            "(when the owner's configuration group sets none)."
        ),
        RelationshipSource.CONFIGURATION_GROUP: (
            "The default level of the owner's configuration group, towards every other user "
            "of the location."
        ),
        RelationshipSource.TEAM: (
            "The level of a team that holds both users (the highest, if several; a scope "
            "default wins a tie)."
        ),
        RelationshipSource.USER: (
            "Set by the owner in the Connect Client; wins over every default. resetUsers with "
            "resetRelationships removes these."
        ),
    },
)
graphql_enum(
    VoicemailPinState,
    description="Where a user's voicemail PIN stands.",
    values={
        VoicemailPinState.NOT_SET: "No PIN: remote access to the voicemail asks for none (NO_PIN).",
        VoicemailPinState.SET: "A PIN is set; remote access asks for it.",
        VoicemailPinState.PENDING_DELIVERY: (
            "Reset (setRandomVoicemailPin): the old PIN no longer works; a random PIN is made "
            "and mailed at the first remote access, and the state becomes SET."
        ),
    },
)
graphql_enum(
    SmtpSecurity,
    description="How the connection to the SMTP server is secured.",
    values={
        SmtpSecurity.NONE: "A plain connection, never encrypted (e.g. port 25).",
        SmtpSecurity.STARTTLS: (
            "Plain, then upgraded with STARTTLS, which the server must offer (usually port "
            "587); the certificate is verified."
        ),
        SmtpSecurity.TLS: "TLS from the start (usually port 465); the certificate is verified.",
    },
)

graphql_enum(
    MailKind,
    description="A kind of mail the server sends, each with its own template.",
    values={
        MailKind.PASSWORD: "A new password after a reset (setRandomPassword).",
        MailKind.VOICEMAIL_PIN: "A new voicemail PIN, at the first remote access after a reset.",
        MailKind.TEST: "The E-Mail Gateway's test message.",
        MailKind.PASSWORD_LINK: "A one-time link to set a new password, instead of the "
        "password, after a reset (setRandomPassword with sendPasswordLink, or the location's "
        "passwordLink).",
    },
)

graphql_enum(
    MailStatus,
    name="MailDeliveryStatus",
    description="Where a mail to a user stands.",
    values={
        MailStatus.PENDING: "Waiting to be sent, or to be tried again after a temporary "
        "failure (nextAttemptAt).",
        MailStatus.SENT: "The SMTP server accepted it.",
        MailStatus.FAILED: "Given up: refused for good, or failing for 24 hours; its password "
        "or PIN is erased, and a new reset sends a new one.",
    },
)

__all__ = [
    "MailKind",
    "MailStatus",
    "RelationshipLevel",
    "RelationshipPolicy",
    "RelationshipSource",
    "SmtpSecurity",
    "VoicemailPinState",
    "graphql_enum",
]
