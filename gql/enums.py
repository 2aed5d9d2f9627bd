"""The domain's enums, registered with Strawberry under the contract's names.

Registration attaches the GraphQL definition to the domain class itself, so
resolvers hand domain values straight through, with no mapping per field.
"""

from __future__ import annotations

import strawberry

from domain.model import (
    RelationshipLevel,
    RelationshipPolicy,
    RelationshipSource,
    SmtpSecurity,
    VoicemailPinState,
)

strawberry.enum(
    RelationshipLevel,
    description=(
        "A directed relationship level, in ascending order of rights: what the target "
        "may see and do with the owner's resources."
    ),
)
strawberry.enum(RelationshipPolicy)
strawberry.enum(RelationshipSource)
strawberry.enum(VoicemailPinState)
strawberry.enum(SmtpSecurity)

__all__ = [
    "RelationshipLevel",
    "RelationshipPolicy",
    "RelationshipSource",
    "SmtpSecurity",
    "VoicemailPinState",
]
