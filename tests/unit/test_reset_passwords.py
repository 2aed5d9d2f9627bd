"""A reset's passwords, hashed ahead without reading the users: the batch's
transaction reads and checks them once, and what it finds then decides."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import replace

from domain.model import PasswordPolicy, User
from domain.rules import password_policy_violations
from domain.services.reset import ResetOption, UserResetOutcome, UserResetStatus
from tests.fakes import FakeServices
from tests.unit import given
from tests.unit.given import ROOT
from tests.unit.test_credentials import configure_gateway, queued

STRICT = PasswordPolicy(min_length=40, require_symbol=True)


async def changed(services: FakeServices, user: User, **fields: object) -> None:
    async with services.uow as uow:
        stored = await uow.users.get(user.id)
        assert stored is not None
        await uow.users.update(replace(stored, **fields))  # type: ignore[arg-type]
        await uow.commit()


async def reset_while_hashing(
    services: FakeServices, users: list[User], meanwhile: Callable[[], Awaitable[None]]
) -> list[UserResetOutcome]:
    """The reset's passwords of ``users``, ``meanwhile`` run while their hashes wait."""
    services.hasher.hold()
    task = asyncio.create_task(
        services.reset.reset_users(ROOT, [(u.login, u.id) for u in users], [ResetOption.PASSWORD])
    )
    try:
        await services.hasher.until_waiting(1)
        await meanwhile()
    finally:
        services.hasher.release()
    return await task


async def mailed_passwords(services: FakeServices) -> dict[int, str]:
    return {
        mail.target_user_id or 0: services.secrets.decrypt(mail.secret_ciphertext or "")
        for mail in await queued(services)
    }


class TestWhatTheBatchFinds:
    async def test_a_user_given_an_address_meanwhile_gets_a_password_hashed_ahead(
        self, services: FakeServices
    ) -> None:
        await configure_gateway(services)
        loc = await given.location(services)
        anna = await given.user(services, "anna", loc.id)
        ben = await given.user(services, "ben", loc.id, email="ben@example.org")

        async def address() -> None:
            await changed(services, anna, email="anna@example.org")

        outcomes = await reset_while_hashing(services, [anna, ben], address)

        assert [o.status for o in outcomes] == [UserResetStatus.SUCCEEDED] * 2
        assert sorted(await mailed_passwords(services)) == [anna.id, ben.id]
        assert services.hasher.during_writes == 0

    async def test_a_user_moved_meanwhile_gets_a_password_of_the_new_location_s_policy(
        self, services: FakeServices
    ) -> None:
        await configure_gateway(services)
        berlin = await given.location(services)
        munich = await given.location(services, "Munich", password_policy=STRICT)
        anna = await given.user(services, "anna", berlin.id, email="anna@example.org")

        async def move() -> None:
            await changed(services, anna, location_id=munich.id)

        [outcome] = await reset_while_hashing(services, [anna], move)

        assert outcome.status is UserResetStatus.SUCCEEDED
        password = (await mailed_passwords(services))[anna.id]
        assert password_policy_violations(STRICT, password) == []
        assert services.hasher.during_writes == 0

    async def test_a_user_moved_to_a_policy_none_was_hashed_for_is_hashed_outside_it(
        self, services: FakeServices
    ) -> None:
        await configure_gateway(services)
        berlin = await given.location(services)
        anna = await given.user(services, "anna", berlin.id, email="anna@example.org")

        async def move() -> None:
            hamburg = await given.location(services, "Hamburg", password_policy=STRICT)
            await changed(services, anna, location_id=hamburg.id)

        [outcome] = await reset_while_hashing(services, [anna], move)

        assert outcome.status is UserResetStatus.SUCCEEDED
        password = (await mailed_passwords(services))[anna.id]
        assert password_policy_violations(STRICT, password) == []
        stored = await given.stored_user(services, anna.id)
        assert await services.hasher.verify(stored.password_hash, password)  # type: ignore[union-attr]
        # The one hashed ahead, of Berlin's policy, and Hamburg's once the batch found it short.
        assert (services.hasher.hashed, services.hasher.during_writes) == (2, 0)

    async def test_a_user_blocked_meanwhile_gets_no_password(self, services: FakeServices) -> None:
        await configure_gateway(services)
        loc = await given.location(services)
        anna = await given.user(services, "anna", loc.id, email="anna@example.org")

        async def block() -> None:
            await changed(services, anna, blocked=True)

        [outcome] = await reset_while_hashing(services, [anna], block)

        assert outcome.actions[0].problems[0].code == "USER_BLOCKED"
        assert await queued(services) == []
        assert (await given.stored_user(services, anna.id)).password_hash is None  # type: ignore[union-attr]


class TestPoliciesAcrossBatches:
    async def test_each_user_gets_its_location_s_policy_and_no_hash_waits_in_a_transaction(
        self, services: FakeServices
    ) -> None:
        await configure_gateway(services)
        berlin = await given.location(services)
        munich = await given.location(services, "Munich", password_policy=STRICT)
        users = [
            await given.user(
                services, f"user{n}", (munich if n % 3 == 0 else berlin).id,
                email=f"user{n}@example.org",
            )
            for n in range(11)
        ]  # fmt: skip
        batched = replace(services, config=replace(services.config, reset_batch_size=2))

        outcomes = await batched.reset.reset_users(
            ROOT, [(u.login, u.id) for u in users], [ResetOption.PASSWORD]
        )

        assert [o.status for o in outcomes] == [UserResetStatus.SUCCEEDED] * len(users)
        passwords = await mailed_passwords(services)
        for user in users:
            policy = STRICT if user.location_id == munich.id else PasswordPolicy()
            assert password_policy_violations(policy, passwords[user.id]) == []
            stored = await given.stored_user(services, user.id)
            assert await services.hasher.verify(stored.password_hash, passwords[user.id])  # type: ignore[union-attr]
        assert services.hasher.during_writes == 0
        # Each policy gets its share, and what a batch leaves goes to the batch two
        # after it: not a password of each policy for every user.
        assert services.hasher.hashed <= len(users) + 2
