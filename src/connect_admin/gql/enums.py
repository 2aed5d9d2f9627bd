"""The domain's enums, exposed under the contract's names."""

from __future__ import annotations

import strawberry

from connect_admin.domain import model

RelationshipLevel = strawberry.enum(
    model.RelationshipLevel,
    name="RelationshipLevel",
    description=(
        "A directed relationship level, in ascending order of rights: what the target "
        "may see and do with the owner's resources."
    ),
)
RelationshipPolicy = strawberry.enum(model.RelationshipPolicy, name="RelationshipPolicy")
RelationshipSource = strawberry.enum(model.RelationshipSource, name="RelationshipSource")
VoicemailPinState = strawberry.enum(model.VoicemailPinState, name="VoicemailPinState")
SmtpSecurity = strawberry.enum(model.SmtpSecurity, name="SmtpSecurity")
