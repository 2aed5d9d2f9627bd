"""Mutation payloads: the result, or the expected failures as ``errors``.

Every mutation is declared with :func:`payload_mutation`: a DomainError out of its
resolver becomes its payload's ``errors``, here and nowhere else (as Saleor's
BaseMutation does once for all mutations).
"""

from __future__ import annotations

import dataclasses
from typing import Any, Self

import strawberry
from strawberry.extensions import FieldExtension
from strawberry.extensions.field_extension import AsyncExtensionResolver
from strawberry.types.field import StrawberryField

from domain.errors import DomainError
from gql.errors import UserError, user_errors

PAYLOAD_ERRORS = (
    "The expected failures, each with a stable code (and the input field at fault, if any); "
    "empty on success. The mutation's description lists the codes it returns. On failure "
    "the payload's other fields are empty: null, false, 0 or []."
)


class Payload:
    """A payload's failure: its errors, and null in every other field."""

    @classmethod
    def failure(cls, errors: list[UserError]) -> Self:
        fields = dataclasses.fields(cls)  # type: ignore[arg-type]
        empty: dict[str, Any] = {f.name: None for f in fields if f.name != "errors"}
        return cls(errors=errors, **empty)  # type: ignore[call-arg]


@strawberry.type(description="The answer of a mutation that returns nothing but its outcome.")
class MutationResult(Payload):
    ok: bool = strawberry.field(description="True when the mutation did its work.")
    errors: list[UserError] = strawberry.field(description=PAYLOAD_ERRORS)

    @classmethod
    def done(cls) -> MutationResult:
        return cls(ok=True, errors=[])

    @classmethod
    def failure(cls, errors: list[UserError]) -> Self:
        return cls(ok=False, errors=errors)


class DomainErrorsAsPayload(FieldExtension):
    """A DomainError out of the mutation becomes its payload's failure. The fields of
    the errors lie under the ``input`` argument when the mutation takes one."""

    def apply(self, field: StrawberryField) -> None:
        payload = field.type
        if not (isinstance(payload, type) and issubclass(payload, Payload)):
            raise TypeError(f"{field.python_name} returns no Payload: {payload!r}")
        self.payload: type[Payload] = payload
        takes_input = any(argument.python_name == "input" for argument in field.arguments)
        self.prefix: tuple[str, ...] = ("input",) if takes_input else ()

    async def resolve_async(
        self, next_: AsyncExtensionResolver, source: Any, info: strawberry.Info, **kwargs: Any
    ) -> Any:
        try:
            return await next_(source, info, **kwargs)
        except DomainError as error:
            return self.payload.failure(user_errors(error, *self.prefix))


def payload_mutation(*, description: str | None = None) -> Any:
    """``strawberry.mutation`` whose domain errors become its payload's ``errors``."""
    return strawberry.mutation(description=description, extensions=[DomainErrorsAsPayload()])
