"""Audit events: one per change, newest first, scoped, never a secret."""

from __future__ import annotations

import json

import pytest

from domain.errors import DomainError
from domain.principals import AdminPrincipal
from domain.services.administrators import NewAdministrator
from domain.services.groups import (
    NewConfigurationGroup,
)
from domain.services.locations import NewLocation
from domain.services.paging import PageRequest
from domain.services.teams import NewTeam
from domain.services.users import (
    NewUser,
    UserChanges,
)
from tests.fakes import FakeServices
from tests.unit import given
from tests.unit.given import ROOT, sub_admin

SECRET = "Very-Secret-Pass-1"
NEW_SECRET = "Other-Secret-Pass-2"


class TestRecordedEvents:
    async def test_each_change_is_recorded_with_actor_and_target(
        self, services: FakeServices
    ) -> None:
        loc = await services.locations.create_location(ROOT, NewLocation(name="Berlin"))
        user = await services.users.create_user(
            ROOT, NewUser(login="anna", last_name="A", location_id=loc.id, password=SECRET)
        )
        await services.users.update_user(ROOT, UserChanges(id=user.id, email="a@example.org"))
        await services.teams.create_team(ROOT, NewTeam(name="T", member_ids=[user.id]))

        events = services.uow.audit_events

        assert [(e.action, e.actor, e.target_user_id) for e in events] == [
            ("LOCATION_CREATED", "root", None),
            ("USER_CREATED", "root", user.id),
            ("USER_UPDATED", "root", user.id),
            ("TEAM_CREATED", "root", None),
        ]
        assert events[2].details == {"fields": ["email"]}
        assert all(e.at == services.clock.now() for e in events)

    async def test_a_refused_change_records_nothing(self, services: FakeServices) -> None:
        loc = await given.location(services)
        await given.user(services, "anna", loc.id)

        with pytest.raises(DomainError):
            await services.users.create_user(
                ROOT, NewUser(login="anna", last_name="A", location_id=loc.id)
            )

        assert services.uow.audit_events == []

    async def test_no_event_holds_a_password_or_token(self, services: FakeServices) -> None:
        loc = await services.locations.create_location(ROOT, NewLocation(name="Berlin"))
        user = await services.users.create_user(
            ROOT, NewUser(login="anna", last_name="A", location_id=loc.id, password=SECRET)
        )
        admin = await services.administrators.create_administrator(
            ROOT, NewAdministrator(login="sub", password=SECRET, last_name="S")
        )
        token, token_secret = await services.auth.create_api_token(
            AdminPrincipal(admin.id, "sub", None), "crm"
        )
        await services.auth.revoke_api_token(ROOT, token.id)
        await services.auth.change_my_password(given.as_user(user), SECRET, NEW_SECRET)
        await services.me.set_my_client_setting(given.as_user(user), "theme", "dark")

        dump = json.dumps(
            [[e.actor, e.action, e.details] for e in services.uow.audit_events], default=str
        )

        assert len(services.uow.audit_events) == 7
        for secret in (SECRET, NEW_SECRET, token_secret, token_secret.removeprefix("cat_")):
            assert secret not in dump
        assert "fake$" not in dump

    async def test_deleted_user_events_lose_their_target(self, services: FakeServices) -> None:
        loc = await given.location(services)
        user = await services.users.create_user(
            ROOT, NewUser(login="anna", last_name="A", location_id=loc.id)
        )

        await services.users.delete_user(ROOT, user.id)

        assert [(e.action, e.target_user_id) for e in services.uow.audit_events] == [
            ("USER_CREATED", None),
            ("USER_DELETED", None),
        ]
        assert services.uow.audit_events[1].details == {"user_id": user.id, "login": "anna"}


class TestAuditEvents:
    async def make_events(self, services: FakeServices) -> tuple[int, int]:
        berlin = await given.location(services, "Berlin")
        munich = await given.location(services, "Munich")
        anna = await services.users.create_user(
            ROOT, NewUser(login="anna", last_name="A", location_id=berlin.id)
        )
        carl = await services.users.create_user(
            ROOT, NewUser(login="carl", last_name="C", location_id=munich.id)
        )
        await services.users.update_user(ROOT, UserChanges(id=anna.id, last_name="B"))
        await services.users.update_user(ROOT, UserChanges(id=carl.id, last_name="D"))
        return berlin.id, anna.id

    async def test_newest_first_in_pages(self, services: FakeServices) -> None:
        await self.make_events(services)

        first = await services.audit.audit_events(ROOT, PageRequest(first=3), None)
        rest = await services.audit.audit_events(
            ROOT, PageRequest(first=3, after_id=first.items[-1].id), None
        )

        assert ([e.id for e in first.items], first.has_next, first.total) == ([4, 3, 2], True, 4)
        assert ([e.id for e in rest.items], rest.has_next) == ([1], False)

    async def test_filtered_by_target_user(self, services: FakeServices) -> None:
        _, anna = await self.make_events(services)

        page = await services.audit.audit_events(ROOT, PageRequest(first=10), anna)

        assert [e.action for e in page.items] == ["USER_UPDATED", "USER_CREATED"]

    async def test_sub_admin_sees_only_events_about_its_users(self, services: FakeServices) -> None:
        berlin, anna = await self.make_events(services)
        await services.teams.create_team(ROOT, NewTeam(name="T", member_ids=[anna]))

        page = await services.audit.audit_events(sub_admin(berlin), PageRequest(first=10), None)

        assert [(e.action, e.target_user_id) for e in page.items] == [
            ("USER_UPDATED", anna),
            ("USER_CREATED", anna),
        ]
        assert page.total == 2

    async def test_sub_admin_still_sees_its_deleted_users(self, services: FakeServices) -> None:
        berlin, anna = await self.make_events(services)

        await services.users.delete_user(ROOT, anna)
        mine = await services.audit.audit_events(sub_admin(berlin), PageRequest(first=10), None)
        theirs = await services.audit.audit_events(
            sub_admin(berlin + 1), PageRequest(first=10), None
        )

        assert [(e.action, e.location_id) for e in mine.items] == [
            ("USER_DELETED", berlin),
            ("USER_UPDATED", berlin),
            ("USER_CREATED", berlin),
        ]
        assert "USER_DELETED" not in [e.action for e in theirs.items]

    async def test_events_record_the_location_they_concern(self, services: FakeServices) -> None:
        loc = await services.locations.create_location(ROOT, NewLocation(name="Berlin"))
        other = await given.location(services, "Munich")
        grp = await services.groups.create_group(
            ROOT, NewConfigurationGroup(location_id=loc.id, name="G")
        )
        user = await services.users.create_user(
            ROOT, NewUser(login="anna", last_name="A", location_id=loc.id, password=SECRET)
        )
        await services.users.update_user(ROOT, UserChanges(id=user.id, location_id=other.id))
        await services.me.set_my_client_setting(given.as_user(user), "k", 1)
        await services.groups.delete_group(ROOT, grp.id)
        await services.teams.create_team(ROOT, NewTeam(name="T", member_ids=[user.id]))

        assert [(e.action, e.location_id) for e in services.uow.audit_events] == [
            ("LOCATION_CREATED", loc.id),
            ("CONFIGURATION_GROUP_CREATED", loc.id),
            ("USER_CREATED", loc.id),
            # The location before the move; the new one sees it through the user.
            ("USER_UPDATED", loc.id),
            ("CLIENT_SETTING_SET", other.id),
            ("CONFIGURATION_GROUP_DELETED", loc.id),
            ("TEAM_CREATED", None),
        ]
        moved = await services.audit.audit_events(sub_admin(other.id), PageRequest(first=10), None)
        assert [e.action for e in moved.items] == [
            "CLIENT_SETTING_SET",
            "USER_UPDATED",
            "USER_CREATED",
        ]
