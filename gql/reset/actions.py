"""The reset's actions as a GraphQL enum, registered once for every module that names it."""

from __future__ import annotations

from domain.services.reset_outcomes import ResetOption
from gql.enums import graphql_enum
from gql.reset import access_descriptions

__all__ = ["ResetOption"]

graphql_enum(
    ResetOption,
    name="ResetAction",
    description="One action of a reset, named after its option; results list them in this order.",
    values={
        ResetOption.PASSWORD: "setRandomPassword: a random password, mailed.",
        ResetOption.VOICEMAIL_PIN: "setRandomVoicemailPin: a random voicemail PIN, mailed later.",
        ResetOption.RELATIONSHIPS: "resetRelationships: the user's own relationships removed.",
        ResetOption.CLIENT_SETTINGS: (
            "resetClientSettings: the user's own Connect Client settings removed."
        ),
        ResetOption.PRESENCE_SETTINGS: (
            "resetPresenceSettings: the user's own presence settings removed."
        ),
        ResetOption.CONTACT_LIST: (
            "repairContactList: contacts of deactivated directory data sources removed."
        ),
        ResetOption.UNLOCK: access_descriptions.UNLOCK_ACTION,
        ResetOption.EXPIRE_PASSWORD: access_descriptions.EXPIRE_PASSWORD_ACTION,
    },
)
