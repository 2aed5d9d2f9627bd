"""No transaction holds a lock while argon2 runs: the services on SQLite and PostgreSQL.

The hasher is the fake one, held at its gate, so a hash lasts as long as a
test wants. Meanwhile a second client writes the same user: on SQLite any
writing transaction would wait for the database's write lock, on PostgreSQL
for the user's row lock. A write that waits fails the test after ``LIMIT``
seconds instead of hanging it (SQLite's busy timeout is longer).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine
from datetime import timedelta
from typing import TYPE_CHECKING, Any, TypeVar

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.errors import DomainError
from domain.model import (
    EmailGateway,
    MailKind,
    OutgoingMail,
    SmtpSecurity,
    User,
    VoicemailPinState,
)
from domain.principals import AdminPrincipal, UserPrincipal
from domain.services import administrators, users
from domain.services.config import ServiceConfig
from domain.services.credentials import VoicemailAccessOutcome
from domain.services.registry import Services
from domain.services.reset import ResetOption, UserResetStatus
from mail.render import JinjaMailTemplates
from persistence.unit_of_work import SqlAlchemyUnitOfWork
from tests.fakes import START, FakeClock, FakeHasher, FakeMailer, FakeRandom, FakeSecretBox

if TYPE_CHECKING:
    from tests.integration.conftest import Factory

T = TypeVar("T")

LIMIT = 5.0
ROOT = AdminPrincipal(admin_id=1, login="root", location_ids=None)
VOICEMAIL = AdminPrincipal(admin_id=1, login="voicemail", location_ids=None, via_api_token=True)
PASSWORD = "Correct-Horse-7"
PIN = "864297"


class Clients:
    """Several clients of one server: each its own unit of work, the other ports shared."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self.hasher = FakeHasher()
        self.random = FakeRandom()
        self.secrets = FakeSecretBox()
        self.clock = FakeClock()

    def new(self) -> Services:
        return Services(
            uow=SqlAlchemyUnitOfWork(self.engine),
            clock=self.clock,
            hasher=self.hasher,
            random=self.random,
            secrets=self.secrets,
            mailer=FakeMailer(),
            templates=JinjaMailTemplates(),
            config=ServiceConfig(),
        )


@pytest.fixture
def clients(clean_database: AsyncEngine) -> Clients:
    return Clients(clean_database)


async def anna(
    clients: Clients, make: Factory, pin_state: VoicemailPinState = VoicemailPinState.SET
) -> User:
    """A user with a password, an e-mail address and a voicemail PIN; a gateway to mail her."""
    async with SqlAlchemyUnitOfWork(clients.engine) as uow:
        location = await make.location(uow)
        user = await make.user(
            uow, location.id, login="anna", email="anna@example.org",
            password_hash=FakeHasher.PREFIX + PASSWORD, voicemail_pin_state=pin_state,
            voicemail_pin_hash=FakeHasher.PREFIX + PIN
            if pin_state is VoicemailPinState.SET else None,
        )  # fmt: skip
        await uow.email_gateway.save(
            EmailGateway(
                host="127.0.0.1", port=25, security=SmtpSecurity.NONE,
                sender_address="connect@example.org",
            )
        )  # fmt: skip
        await uow.commit()
    return user


async def stored(clients: Clients, user_id: int) -> User:
    async with SqlAlchemyUnitOfWork(clients.engine).reading() as uow:
        user = await uow.users.get(user_id)
    assert user is not None
    return user


async def queued(clients: Clients) -> list[OutgoingMail]:
    async with SqlAlchemyUnitOfWork(clients.engine) as uow:
        mails = await uow.outbox.claim_due(START + timedelta(days=1), START, 100, token="test")
    return mails


async def code_of(call: Awaitable[object]) -> str | None:
    """The code a call is refused with, None when it succeeds."""
    try:
        await call
    except DomainError as refused:
        return refused.problems[0].code
    return None


async def rename(clients: Clients, user: User) -> None:
    """A second client's mutation of the same user, bounded by LIMIT."""
    changes = users.UserChanges(id=user.id, first_name="Anne")
    await asyncio.wait_for(clients.new().users.update_user(ROOT, changes), LIMIT)


async def while_held(
    clients: Clients, call: Coroutine[Any, Any, T], meanwhile: Callable[[], Awaitable[None]]
) -> T:
    """Runs ``call`` until its hash waits at the gate, then ``meanwhile``, then lets it finish."""
    clients.hasher.hold()
    task = asyncio.create_task(call)
    try:
        await clients.hasher.until_waiting(1, limit=LIMIT)
        await meanwhile()
    finally:
        clients.hasher.release()
    return await task


def me(user: User) -> UserPrincipal:
    return UserPrincipal(user.id, user.login, False)


async def check_pin(services: Services, user: User) -> None:
    await services.credentials.verify_voicemail_pin(VOICEMAIL, user.login, PIN)


async def first_remote_access(services: Services, user: User) -> None:
    await services.credentials.voicemail_remote_access(VOICEMAIL, user.login)


async def change_password(services: Services, user: User) -> None:
    await services.auth.change_my_password(me(user), PASSWORD, "Brand-New-Secret-9")


async def set_password(services: Services, user: User) -> None:
    await services.credentials.set_user_password(ROOT, user.id, "Set-By-Admin-42")


async def create_user(services: Services, user: User) -> None:
    new = users.NewUser("ben", "B", user.location_id, password=PASSWORD)
    await services.users.create_user(ROOT, new)


async def create_administrator(services: Services, user: User) -> None:
    new = administrators.NewAdministrator("sub", PASSWORD, "Sub")
    await services.administrators.create_administrator(ROOT, new)


async def reset_password(services: Services, user: User) -> None:
    [outcome] = await services.reset.reset_users(
        ROOT, [(user.login, user.id)], [ResetOption.PASSWORD]
    )
    assert outcome.status is UserResetStatus.SUCCEEDED


Operation = Callable[[Services, User], Coroutine[Any, Any, None]]
OPERATIONS: list[tuple[Operation, VoicemailPinState]] = [
    (check_pin, VoicemailPinState.SET),
    (first_remote_access, VoicemailPinState.PENDING_DELIVERY),
    (change_password, VoicemailPinState.SET),
    (set_password, VoicemailPinState.SET),
    (create_user, VoicemailPinState.SET),
    (create_administrator, VoicemailPinState.SET),
    (reset_password, VoicemailPinState.SET),
]


@pytest.mark.parametrize(
    ("operation", "pin_state"), OPERATIONS, ids=[op.__name__ for op, _ in OPERATIONS]
)
async def test_another_client_writes_the_user_while_a_hash_runs(
    clients: Clients, make: Factory, operation: Operation, pin_state: VoicemailPinState
) -> None:
    user = await anna(clients, make, pin_state)

    await while_held(clients, operation(clients.new(), user), lambda: rename(clients, user))

    after = await stored(clients, user.id)
    assert after.first_name == "Anne"  # the operation stored on top, losing nothing


async def test_a_pin_check_counts_on_top_of_a_change_made_meanwhile(
    clients: Clients, make: Factory
) -> None:
    user = await anna(clients, make)
    guess = clients.new().credentials.verify_voicemail_pin(VOICEMAIL, "anna", "000000")

    code = await while_held(clients, code_of(guess), lambda: rename(clients, user))

    after = await stored(clients, user.id)
    assert (code, after.first_name, after.pin_failed_attempts) == ("INVALID_PIN", "Anne", 1)


async def test_two_first_remote_accesses_make_one_pin_and_send_one_mail(
    clients: Clients, make: Factory
) -> None:
    user = await anna(clients, make, VoicemailPinState.PENDING_DELIVERY)
    clients.hasher.hold()
    calls = [
        asyncio.create_task(clients.new().credentials.voicemail_remote_access(VOICEMAIL, "anna"))
        for _ in range(2)
    ]
    try:
        await clients.hasher.until_waiting(2, limit=LIMIT)  # both are making a PIN
    finally:
        clients.hasher.release()

    outcomes = await asyncio.gather(*calls)

    assert sorted(o.value for o in outcomes) == ["PIN_REQUIRED", "PIN_SENT_BY_EMAIL"]
    [mail] = await queued(clients)
    assert mail.kind is MailKind.VOICEMAIL_PIN
    pin = clients.secrets.decrypt(mail.secret_ciphertext or "")
    after = await stored(clients, user.id)
    assert after.voicemail_pin_state is VoicemailPinState.SET
    assert await clients.hasher.verify(after.voicemail_pin_hash, pin)


async def test_parallel_guesses_get_no_more_tries_than_guesses_in_a_row(
    clients: Clients, make: Factory
) -> None:
    await anna(clients, make)
    clients.hasher.hold()
    guesses = [
        asyncio.create_task(
            code_of(clients.new().credentials.verify_voicemail_pin(VOICEMAIL, "anna", "000000"))
        )
        for _ in range(5)
    ]
    try:
        await clients.hasher.until_waiting(5, limit=LIMIT)
        # Five tries are being checked: a sixth is refused unchecked, even the right PIN.
        sixth = await asyncio.wait_for(
            code_of(clients.new().credentials.verify_voicemail_pin(VOICEMAIL, "anna", PIN)),
            LIMIT,
        )
    finally:
        clients.hasher.release()

    assert sixth == "PIN_LOCKED"
    assert await asyncio.gather(*guesses) == ["INVALID_PIN"] * 5
    right = clients.new().credentials.verify_voicemail_pin(VOICEMAIL, "anna", PIN)
    assert await code_of(right) == "PIN_LOCKED"


async def test_a_remote_access_that_only_reads_does_not_wait_for_a_writer(
    clients: Clients, make: Factory
) -> None:
    user = await anna(clients, make)
    async with SqlAlchemyUnitOfWork(clients.engine) as writer:
        await writer.users.get(user.id, for_update=True)  # another client's transaction

        access = clients.new().credentials.voicemail_remote_access(VOICEMAIL, "anna")
        assert await asyncio.wait_for(access, LIMIT) is VoicemailAccessOutcome.PIN_REQUIRED


async def test_a_dry_run_does_not_wait_for_a_writer(clients: Clients, make: Factory) -> None:
    user = await anna(clients, make)
    async with SqlAlchemyUnitOfWork(clients.engine) as writer:
        await writer.users.get(user.id, for_update=True)  # another client's transaction

        dry_run = clients.new().reset.reset_users(
            ROOT, [("anna", user.id)], [ResetOption.CLIENT_SETTINGS], dry_run=True
        )
        [outcome] = await asyncio.wait_for(dry_run, LIMIT)
        assert outcome.status is UserResetStatus.SUCCEEDED
