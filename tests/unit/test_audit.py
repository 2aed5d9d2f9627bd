"""Audit events: one per change, newest first, scoped, never a secret."""

from __future__ import annotations

import json

import pytest

from domain.errors import DomainError
from domain.principals import AdminPrincipal
from domain.services.administrators import NewAdministrator, create_administrator
from domain.services.audit import audit_events
from domain.services.auth import (
    change_my_password,
    create_api_token,
    revoke_api_token,
)
from domain.services.groups import (
    NewConfigurationGroup,
    create_group,
    delete_group,
)
from domain.services.locations import NewLocation, create_location
from domain.services.me import set_my_client_setting
from domain.services.paging import PageRequest
from domain.services.teams import NewTeam, create_team
from domain.services.users import (
    NewUser,
    UserChanges,
    create_user,
    delete_user,
    update_user,
)
from tests.fakes import FakeDeps
from tests.unit import given
from tests.unit.given import ROOT, sub_admin

SECRET = "Very-Secret-Pass-1"
NEW_SECRET = "Other-Secret-Pass-2"


class TestRecordedEvents:
    async def test_each_change_is_recorded_with_actor_and_target(self, deps: FakeDeps) -> None:
        loc = await create_location(deps, ROOT, NewLocation(name="Berlin"))
        user = await create_user(
            deps, ROOT, NewUser(login="anna", last_name="A", location_id=loc.id, password=SECRET)
        )
        await update_user(deps, ROOT, UserChanges(id=user.id, email="a@example.org"))
        await create_team(deps, ROOT, NewTeam(name="T", member_ids=[user.id]))

        events = deps.uow.audit_events

        assert [(e.action, e.actor, e.target_user_id) for e in events] == [
            ("LOCATION_CREATED", "root", None),
            ("USER_CREATED", "root", user.id),
            ("USER_UPDATED", "root", user.id),
            ("TEAM_CREATED", "root", None),
        ]
        assert events[2].details == {"fields": ["email"]}
        assert all(e.at == deps.clock.now() for e in events)

    async def test_a_refused_change_records_nothing(self, deps: FakeDeps) -> None:
        loc = await given.location(deps)
        await given.user(deps, "anna", loc.id)

        with pytest.raises(DomainError):
            await create_user(deps, ROOT, NewUser(login="anna", last_name="A", location_id=loc.id))

        assert deps.uow.audit_events == []

    async def test_no_event_holds_a_password_or_token(self, deps: FakeDeps) -> None:
        loc = await create_location(deps, ROOT, NewLocation(name="Berlin"))
        user = await create_user(
            deps, ROOT, NewUser(login="anna", last_name="A", location_id=loc.id, password=SECRET)
        )
        admin = await create_administrator(
            deps, ROOT, NewAdministrator(login="sub", password=SECRET, last_name="S")
        )
        token, token_secret = await create_api_token(
            deps, AdminPrincipal(admin.id, "sub", None), "crm"
        )
        await revoke_api_token(deps, ROOT, token.id)
        await change_my_password(deps, given.as_user(user), SECRET, NEW_SECRET)
        await set_my_client_setting(deps, given.as_user(user), "theme", "dark")

        dump = json.dumps(
            [[e.actor, e.action, e.details] for e in deps.uow.audit_events], default=str
        )

        assert len(deps.uow.audit_events) == 7
        for secret in (SECRET, NEW_SECRET, token_secret, token_secret.removeprefix("cat_")):
            assert secret not in dump
        assert "fake$" not in dump

    async def test_deleted_user_events_lose_their_target(self, deps: FakeDeps) -> None:
        loc = await given.location(deps)
        user = await create_user(
            deps, ROOT, NewUser(login="anna", last_name="A", location_id=loc.id)
        )

        await delete_user(deps, ROOT, user.id)

        assert [(e.action, e.target_user_id) for e in deps.uow.audit_events] == [
            ("USER_CREATED", None),
            ("USER_DELETED", None),
        ]
        assert deps.uow.audit_events[1].details == {"user_id": user.id, "login": "anna"}


class TestAuditEvents:
    async def make_events(self, deps: FakeDeps) -> tuple[int, int]:
        berlin = await given.location(deps, "Berlin")
        munich = await given.location(deps, "Munich")
        anna = await create_user(
            deps, ROOT, NewUser(login="anna", last_name="A", location_id=berlin.id)
        )
        carl = await create_user(
            deps, ROOT, NewUser(login="carl", last_name="C", location_id=munich.id)
        )
        await update_user(deps, ROOT, UserChanges(id=anna.id, last_name="B"))
        await update_user(deps, ROOT, UserChanges(id=carl.id, last_name="D"))
        return berlin.id, anna.id

    async def test_newest_first_in_pages(self, deps: FakeDeps) -> None:
        await self.make_events(deps)

        first = await audit_events(deps, ROOT, PageRequest(first=3), None)
        rest = await audit_events(
            deps, ROOT, PageRequest(first=3, after_id=first.items[-1].id), None
        )

        assert ([e.id for e in first.items], first.has_next, first.total) == ([4, 3, 2], True, 4)
        assert ([e.id for e in rest.items], rest.has_next) == ([1], False)

    async def test_filtered_by_target_user(self, deps: FakeDeps) -> None:
        _, anna = await self.make_events(deps)

        page = await audit_events(deps, ROOT, PageRequest(first=10), anna)

        assert [e.action for e in page.items] == ["USER_UPDATED", "USER_CREATED"]

    async def test_sub_admin_sees_only_events_about_its_users(self, deps: FakeDeps) -> None:
        berlin, anna = await self.make_events(deps)
        await create_team(deps, ROOT, NewTeam(name="T", member_ids=[anna]))

        page = await audit_events(deps, sub_admin(berlin), PageRequest(first=10), None)

        assert [(e.action, e.target_user_id) for e in page.items] == [
            ("USER_UPDATED", anna),
            ("USER_CREATED", anna),
        ]
        assert page.total == 2

    async def test_sub_admin_still_sees_its_deleted_users(self, deps: FakeDeps) -> None:
        berlin, anna = await self.make_events(deps)

        await delete_user(deps, ROOT, anna)
        mine = await audit_events(deps, sub_admin(berlin), PageRequest(first=10), None)
        theirs = await audit_events(deps, sub_admin(berlin + 1), PageRequest(first=10), None)

        assert [(e.action, e.location_id) for e in mine.items] == [
            ("USER_DELETED", berlin),
            ("USER_UPDATED", berlin),
            ("USER_CREATED", berlin),
        ]
        assert "USER_DELETED" not in [e.action for e in theirs.items]

    async def test_events_record_the_location_they_concern(self, deps: FakeDeps) -> None:
        loc = await create_location(deps, ROOT, NewLocation(name="Berlin"))
        other = await given.location(deps, "Munich")
        grp = await create_group(deps, ROOT, NewConfigurationGroup(location_id=loc.id, name="G"))
        user = await create_user(
            deps, ROOT, NewUser(login="anna", last_name="A", location_id=loc.id, password=SECRET)
        )
        await update_user(deps, ROOT, UserChanges(id=user.id, location_id=other.id))
        await set_my_client_setting(deps, given.as_user(user), "k", 1)
        await delete_group(deps, ROOT, grp.id)
        await create_team(deps, ROOT, NewTeam(name="T", member_ids=[user.id]))

        assert [(e.action, e.location_id) for e in deps.uow.audit_events] == [
            ("LOCATION_CREATED", loc.id),
            ("CONFIGURATION_GROUP_CREATED", loc.id),
            ("USER_CREATED", loc.id),
            # The location before the move; the new one sees it through the user.
            ("USER_UPDATED", loc.id),
            ("CLIENT_SETTING_SET", other.id),
            ("CONFIGURATION_GROUP_DELETED", loc.id),
            ("TEAM_CREATED", None),
        ]
        moved = await audit_events(deps, sub_admin(other.id), PageRequest(first=10), None)
        assert [e.action for e in moved.items] == [
            "CLIENT_SETTING_SET",
            "USER_UPDATED",
            "USER_CREATED",
        ]
