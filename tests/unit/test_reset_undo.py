"""Undo a reset: the edges the API tests leave out (fakes, no database)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from domain.errors import DomainError
from domain.model import EmailGateway, RelationshipLevel, SmtpSecurity
from domain.services.reset import ResetOption, UserResetStatus
from domain.services.undo_items import expiry_of
from tests.fakes import FakeServices
from tests.unit import given
from tests.unit.given import ROOT


async def reset_of(services: FakeServices, *user_ids: int) -> str:
    outcomes = await services.reset.reset_users(
        ROOT,
        [(str(i), i) for i in user_ids],
        [ResetOption.PASSWORD, ResetOption.RELATIONSHIPS, ResetOption.CLIENT_SETTINGS],
    )
    tickets = {o.undo for o in outcomes if o.undo is not None}
    [ticket] = tickets
    return ticket.reset_id


async def test_two_keys_for_one_user_restore_once(services: FakeServices) -> None:
    loc = await given.location(services)
    anna = await given.user(services, "anna", loc.id, client_settings={"k": 1})
    reset_id = await reset_of(services, anna.id)

    outcomes = await services.reset_undo.undo_reset(
        ROOT, reset_id, [("a", anna.id), ("again", anna.id), ("x", None)]
    )

    assert [(o.key, o.status) for o in outcomes] == [
        ("a", UserResetStatus.SUCCEEDED),
        ("again", UserResetStatus.SUCCEEDED),
        ("x", UserResetStatus.FAILED),
    ]
    assert (await given.stored_user(services, anna.id)).client_settings == {"k": 1}  # type: ignore[union-attr]
    assert [e.action for e in services.uow.audit_events].count("RESET_UNDONE") == 1


async def test_a_relationship_to_a_deleted_user_is_reported_and_the_rest_restored(
    services: FakeServices,
) -> None:
    loc = await given.location(services)
    anna = await given.user(services, "anna", loc.id)
    ben = await given.user(services, "ben", loc.id)
    carl = await given.user(services, "carl", loc.id)
    await given.relationship(services, anna, ben, RelationshipLevel.ASSISTANT)
    await given.relationship(services, anna, carl, RelationshipLevel.BLOCKED)
    reset_id = await reset_of(services, anna.id)
    async with services.uow as uow:
        await uow.users.delete(ben.id)
        await uow.commit()

    [outcome] = await services.reset_undo.undo_reset(ROOT, reset_id)

    assert [(a.option, a.changes) for a in outcome.actions] == [(ResetOption.RELATIONSHIPS, 1)]
    assert [w.code for w in outcome.warnings] == ["UNDO_ITEM_GONE"]
    async with services.uow.reading() as uow:
        assert await uow.relationships.own_for([anna.id]) == {
            anna.id: {carl.id: RelationshipLevel.BLOCKED}
        }


async def test_a_batch_that_cannot_be_stored_fails_alone(services: FakeServices) -> None:
    loc = await given.location(services)
    anna = await given.user(services, "anna", loc.id, client_settings={"k": 1})
    reset_id = await reset_of(services, anna.id)
    services.uow.fail_commits()

    [outcome] = await services.reset_undo.undo_reset(ROOT, reset_id)

    assert [p.code for p in outcome.problems] == ["NOT_STORED"]
    assert (await given.stored_user(services, anna.id)).client_settings == {}  # type: ignore[union-attr]
    [again] = await services.reset_undo.undo_reset(ROOT, reset_id)
    assert again.status is UserResetStatus.SUCCEEDED


async def test_only_the_password_keeps_nothing_to_undo(services: FakeServices) -> None:
    loc = await given.location(services)
    anna = await given.user(services, "anna", loc.id, email="anna@example.org")
    services.uow.data.email_gateway = EmailGateway(
        host="127.0.0.1", port=25, security=SmtpSecurity.NONE, sender_address="a@example.org"
    )
    outcomes = await services.reset.reset_users(ROOT, [("a", anna.id)], [ResetOption.PASSWORD])
    assert outcomes[0].status is UserResetStatus.SUCCEEDED
    assert outcomes[0].undo is None
    assert services.uow.data.reset_undo == {}


@pytest.mark.parametrize(
    "reset_id", ["", "-", "1-", "zz-1", "1-" + "x" * 41, "ffffffffffff-1", "1-\x00", "\u0661-1"]
)
async def test_ids_no_reset_can_have_are_not_found(services: FakeServices, reset_id: str) -> None:
    assert expiry_of(reset_id) is None
    with pytest.raises(DomainError) as refused:
        await services.reset_undo.undo_reset(ROOT, reset_id)
    assert refused.value.problems[0].code == "RESET_NOT_FOUND"


def test_an_id_says_until_when_its_reset_could_be_undone() -> None:
    assert expiry_of("1-abc") == datetime(1970, 1, 1, 0, 0, 1, tzinfo=UTC)
