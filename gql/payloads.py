"""Mutation payloads: the result, or the expected failures as ``errors``."""

from __future__ import annotations

import strawberry

from gql.errors import UserError
from gql.types import (
    Administrator,
    ApiToken,
    ConfigurationGroup,
    Contact,
    DirectoryDataSource,
    Location,
    Team,
    User,
)


@strawberry.type
class MutationResult:
    ok: bool
    errors: list[UserError]

    @classmethod
    def done(cls) -> MutationResult:
        return cls(ok=True, errors=[])

    @classmethod
    def failed(cls, errors: list[UserError]) -> MutationResult:
        return cls(ok=False, errors=errors)


@strawberry.type
class AuthPayload:
    token: str | None = strawberry.field(
        description="Bearer token for the Authorization header; null on failure."
    )
    password_change_required: bool
    errors: list[UserError]


@strawberry.type
class LocationPayload:
    location: Location | None
    errors: list[UserError]


@strawberry.type
class ConfigurationGroupPayload:
    configuration_group: ConfigurationGroup | None
    errors: list[UserError]


@strawberry.type
class UserPayload:
    user: User | None
    errors: list[UserError]


@strawberry.type
class TeamPayload:
    team: Team | None
    errors: list[UserError]


@strawberry.type
class DirectoryDataSourcePayload:
    directory_data_source: DirectoryDataSource | None
    errors: list[UserError]


@strawberry.type
class AdministratorPayload:
    administrator: Administrator | None
    errors: list[UserError]


@strawberry.type
class ApiTokenPayload:
    api_token: ApiToken | None
    token: str | None = strawberry.field(description="The secret, shown this once and never again.")
    errors: list[UserError]


@strawberry.type
class ContactPayload:
    contact: Contact | None
    errors: list[UserError]
