"""What each caller reads: a colleague's directory entry, the gateway's configuration."""

from __future__ import annotations

from dataclasses import replace

from domain import visibility
from domain.model import RelationshipLevel, SmtpSecurity, User, VoicemailPinState
from domain.services import mail
from tests.fakes import FakeServices
from tests.unit import given
from tests.unit.given import ROOT, sub_admin

GATEWAY = mail.GatewayInput(
    host="smtp.example.org", port=587, security=SmtpSecurity.STARTTLS,
    sender_address="connect@example.org", username="connect", password="smtp-Secret-1",
)  # fmt: skip


async def colleagues(services: FakeServices) -> tuple[User, User]:
    """anna in Berlin; carl, a VIP with everything set, in Munich."""
    berlin = await given.location(services, "Berlin")
    munich = await given.location(services, "Munich")
    group = await given.group(services, munich.id)
    anna = await given.user(services, "anna", berlin.id, email="anna@example.org")
    carl = await given.user(
        services,
        "carl",
        munich.id,
        first_name="Carl",
        email="carl@example.org",
        work_phone="+49 89 100",
        mobile_phone="+49 170 100",
        configuration_group_id=group.id,
        is_vip=True,
        blocked=True,
        password="Secret-Passw0rd!",
        password_change_required=True,
        voicemail_pin_state=VoicemailPinState.SET,
        client_settings={"theme": "dark"},
    )
    return anna, carl


DIRECTORY = ("id", "login", "first_name", "last_name", "work_phone", "mobile_phone", "location_id")


def directory_fields(user: User) -> tuple[object, ...]:
    return tuple(getattr(user, name) for name in DIRECTORY)


class TestColleagues:
    async def test_a_user_reads_a_colleagues_directory_entry_only(
        self, services: FakeServices
    ) -> None:
        anna, carl = await colleagues(services)

        read = visibility.as_read_by(given.as_user(anna), carl)

        assert directory_fields(read) == directory_fields(carl)
        assert read == User(
            id=carl.id,
            login="carl",
            first_name="Carl",
            last_name=carl.last_name,
            work_phone="+49 89 100",
            mobile_phone="+49 170 100",
            location_id=carl.location_id,
        )
        assert (read.email, read.configuration_group_id, read.is_vip, read.blocked) == (
            None,
            None,
            False,
            False,
        )

    async def test_a_user_reads_itself_whole(self, services: FakeServices) -> None:
        anna, _ = await colleagues(services)

        assert visibility.as_read_by(given.as_user(anna), anna) is anna

    async def test_administrators_read_their_users_whole(self, services: FakeServices) -> None:
        _, carl = await colleagues(services)

        assert visibility.as_read_by(ROOT, carl) is carl
        assert visibility.as_read_by(sub_admin(carl.location_id), carl) is carl
        assert visibility.as_read_by(replace(ROOT, via_api_token=True), carl) is carl

    async def test_every_way_to_a_colleague_gives_the_directory_entry(
        self, services: FakeServices
    ) -> None:
        """node (get_user), team members and contacts (users_by_id), relationships."""
        anna, carl = await colleagues(services)
        await given.relationship(services, anna, carl, RelationshipLevel.ASSISTANT)
        me = given.as_user(anna)
        entry = visibility.directory_entry(carl)

        by_node = await services.users.get_user(me, carl.id)
        by_id = await services.lookups.users_by_id(me, [anna.id, carl.id])
        listed = await services.relationships.relationships_of(me, [anna])
        towards = await services.relationships.relationship_to(me, anna, carl.id)

        assert by_node == entry
        assert by_id == {anna.id: await services.users.get_user(ROOT, anna.id), carl.id: entry}
        assert [target for _, target in listed[anna.id]] == [entry]
        assert towards is not None
        assert towards[1] == entry

    async def test_administrators_get_the_whole_user_every_way(
        self, services: FakeServices
    ) -> None:
        _, carl = await colleagues(services)
        stored = await services.users.get_user(ROOT, carl.id)

        assert stored.email == "carl@example.org"
        assert (await services.lookups.users_by_id(ROOT, [carl.id]))[carl.id] == stored

    async def test_a_user_reads_no_locations_groups(self, services: FakeServices) -> None:
        anna, carl = await colleagues(services)
        where = [anna.location_id, carl.location_id]

        assert await services.lookups.groups_by_location(given.as_user(anna), where) == {}
        by_root = await services.lookups.groups_by_location(ROOT, where)
        assert [g.name for g in by_root[carl.location_id]] == ["Sales"]


class TestGateway:
    async def test_system_administrators_read_the_configuration(
        self, services: FakeServices
    ) -> None:
        await services.mail.configure_gateway(ROOT, GATEWAY)

        for reader in (ROOT, replace(ROOT, via_api_token=True)):
            reading = await services.mail.read_gateway(reader)
            assert reading.configured
            assert reading.gateway is not None
            assert reading.gateway.username == "connect"

    async def test_a_sub_administrator_learns_only_whether_there_is_one(
        self, services: FakeServices
    ) -> None:
        loc = await given.location(services)
        sub = sub_admin(loc.id)

        assert await services.mail.read_gateway(sub) == mail.GatewayReading(False, None)
        await services.mail.configure_gateway(ROOT, GATEWAY)
        assert await services.mail.read_gateway(sub) == mail.GatewayReading(True, None)
        via_token = replace(sub, via_api_token=True)
        assert await services.mail.read_gateway(via_token) == mail.GatewayReading(True, None)
