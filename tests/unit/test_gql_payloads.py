"""Every mutation turns domain errors into its payload's errors in the one way."""

from __future__ import annotations

from strawberry.types.base import StrawberryObjectDefinition

from gql.limits import Limits
from gql.payloads import DomainErrorsAsPayload
from gql.schema import build_schema


def test_every_mutation_answers_domain_errors_with_its_payload() -> None:
    mutation = build_schema(Limits()).get_type_by_name("Mutation")
    assert isinstance(mutation, StrawberryObjectDefinition)

    without = [
        field.name
        for field in mutation.fields
        if not any(isinstance(e, DomainErrorsAsPayload) for e in field.extensions)
    ]

    assert len(mutation.fields) > 30
    assert without == []
