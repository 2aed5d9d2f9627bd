"""Reset users: per-user outcomes, warnings, dry run, refusals and audit."""

from __future__ import annotations

from dataclasses import replace

import pytest

from domain.errors import DomainError
from domain.model import Contact, DirectoryDataSource, RelationshipLevel
from domain.services.reset import (
    ResetOption,
    UserResetStatus,
)
from tests.fakes import FakeServices
from tests.unit import given
from tests.unit.given import ROOT

ALL_BUT_MAIL = [
    ResetOption.RELATIONSHIPS,
    ResetOption.CLIENT_SETTINGS,
    ResetOption.PRESENCE_SETTINGS,
    ResetOption.CONTACT_LIST,
]


async def contact_from(services: FakeServices, owner_id: int, active: bool) -> None:
    async with services.uow as uow:
        source = await uow.data_sources.add(
            DirectoryDataSource(name=f"src-{owner_id}-{active}", active=active)
        )
        await uow.contacts.add(
            Contact(owner_id=owner_id, display_name="C", data_source_id=source.id, external_id="x")
        )
        await uow.commit()


class TestRequest:
    async def test_no_option_is_refused_before_anything(self, services: FakeServices) -> None:
        with pytest.raises(DomainError) as refused:
            await services.reset.reset_users(ROOT, [("a", 1)], [])
        assert refused.value.problems[0].code == "NO_OPTION_SELECTED"

    async def test_more_than_ten_thousand_users_are_refused(self, services: FakeServices) -> None:
        requested = [(str(n), n) for n in range(10_001)]
        with pytest.raises(DomainError) as refused:
            await services.reset.reset_users(ROOT, requested, [ResetOption.CLIENT_SETTINGS])
        assert refused.value.problems[0].code == "TOO_MANY_USERS"

    async def test_duplicates_collapse_and_order_is_kept(self, services: FakeServices) -> None:
        loc = await given.location(services)
        anna = await given.user(services, "anna", loc.id)
        ben = await given.user(services, "ben", loc.id)
        requested = [("b", ben.id), ("a", anna.id), ("b", ben.id), ("x", None)]
        outcomes = await services.reset.reset_users(ROOT, requested, [ResetOption.CLIENT_SETTINGS])
        assert [o.key for o in outcomes] == ["b", "a", "x"]
        assert [o.status for o in outcomes] == [
            UserResetStatus.SUCCEEDED, UserResetStatus.SUCCEEDED, UserResetStatus.FAILED,
        ]  # fmt: skip
        assert outcomes[2].problems[0].code == "USER_NOT_FOUND"

    async def test_users_outside_a_sub_admins_locations_are_not_found(
        self, services: FakeServices
    ) -> None:
        munich = await given.location(services, "Munich")
        berlin = await given.location(services, "Berlin")
        outside = await given.user(services, "ben", berlin.id, client_settings={"k": 1})
        outcomes = await services.reset.reset_users(
            given.sub_admin(munich.id), [("b", outside.id)], [ResetOption.CLIENT_SETTINGS]
        )
        assert outcomes[0].problems[0].code == "USER_NOT_FOUND"
        assert outcomes[0].user is None
        assert (await given.stored_user(services, outside.id)).client_settings == {"k": 1}  # type: ignore[union-attr]


class TestActions:
    async def test_settings_overrides_are_removed_and_counted(self, services: FakeServices) -> None:
        loc = await given.location(services)
        anna = await given.user(
            services, "anna", loc.id, client_settings={"a": 1, "b": 2}, presence_settings={"p": 1}
        )
        [outcome] = await services.reset.reset_users(
            ROOT, [("a", anna.id)],
            [ResetOption.PRESENCE_SETTINGS, ResetOption.CLIENT_SETTINGS],
        )  # fmt: skip
        assert [(a.option, a.changes) for a in outcome.actions] == [
            (ResetOption.CLIENT_SETTINGS, 2), (ResetOption.PRESENCE_SETTINGS, 1),
        ]  # fmt: skip
        stored = await given.stored_user(services, anna.id)
        assert stored is not None
        assert (stored.client_settings, stored.presence_settings) == ({}, {})

    async def test_relationships_go_back_to_the_defaults(self, services: FakeServices) -> None:
        loc = await given.location(services)
        anna = await given.user(services, "anna", loc.id)
        ben = await given.user(services, "ben", loc.id)
        await given.relationship(services, anna, ben, RelationshipLevel.BLOCKED)
        [outcome] = await services.reset.reset_users(
            ROOT, [("a", anna.id)], [ResetOption.RELATIONSHIPS]
        )
        assert outcome.actions[0].changes == 1
        assert outcome.warnings == []
        async with services.uow as uow:
            assert await uow.relationships.own_for([anna.id]) == {}

    async def test_a_vip_loses_all_relationships_with_a_warning(
        self, services: FakeServices
    ) -> None:
        loc = await given.location(services)
        vip = await given.user(services, "vip", loc.id, is_vip=True)
        ben = await given.user(services, "ben", loc.id)
        await given.relationship(services, vip, ben, RelationshipLevel.ASSISTANT)
        [outcome] = await services.reset.reset_users(
            ROOT, [("v", vip.id)], [ResetOption.RELATIONSHIPS]
        )
        assert [w.code for w in outcome.warnings] == ["VIP_RELATIONSHIPS_DELETED"]

    async def test_repair_removes_only_contacts_of_deactivated_sources(
        self, services: FakeServices
    ) -> None:
        loc = await given.location(services)
        anna = await given.user(services, "anna", loc.id)
        await contact_from(services, anna.id, active=False)
        await contact_from(services, anna.id, active=True)
        [outcome] = await services.reset.reset_users(
            ROOT, [("a", anna.id)], [ResetOption.CONTACT_LIST]
        )
        assert outcome.actions[0].changes == 1
        assert [w.code for w in outcome.warnings] == ["CONTACTS_REMOVED"]
        async with services.uow as uow:
            left = (await uow.contacts.for_owners([anna.id]))[anna.id]
        assert len(left) == 1

    async def test_password_and_pin_are_refused_without_an_address_or_gateway(
        self, services: FakeServices
    ) -> None:
        loc = await given.location(services)
        no_mail = await given.user(services, "anna", loc.id, client_settings={"k": 1})
        with_mail = await given.user(services, "ben", loc.id, email="ben@example.org")
        outcomes = await services.reset.reset_users(
            ROOT, [("a", no_mail.id), ("b", with_mail.id)],
            [ResetOption.PASSWORD, ResetOption.VOICEMAIL_PIN, ResetOption.CLIENT_SETTINGS],
        )  # fmt: skip
        anna, ben = outcomes
        assert [a.problems[0].code for a in anna.actions[:2]] == ["EMAIL_MISSING"] * 2
        assert [a.problems[0].code for a in ben.actions[:2]] == ["MAIL_GATEWAY_NOT_CONFIGURED"] * 2
        # The refused actions change nothing; the user's other action still runs.
        assert anna.status is UserResetStatus.PARTIAL
        assert anna.actions[2].done
        assert anna.actions[2].changes == 1
        assert (await given.stored_user(services, no_mail.id)).password_hash is None  # type: ignore[union-attr]


class TestDryRunAndAudit:
    async def test_a_dry_run_reports_the_same_and_changes_nothing(
        self, services: FakeServices
    ) -> None:
        loc = await given.location(services)
        vip = await given.user(services, "vip", loc.id, is_vip=True, client_settings={"k": 1})
        ben = await given.user(services, "ben", loc.id)
        await given.relationship(services, vip, ben, RelationshipLevel.ASSISTANT)
        await contact_from(services, vip.id, active=False)
        committed = services.uow.committed

        [dry] = await services.reset.reset_users(ROOT, [("v", vip.id)], ALL_BUT_MAIL, dry_run=True)

        assert services.uow.committed == committed
        assert sorted(w.code for w in dry.warnings) == [
            "CONTACTS_REMOVED", "VIP_RELATIONSHIPS_DELETED",
        ]  # fmt: skip
        [real] = await services.reset.reset_users(ROOT, [("v", vip.id)], ALL_BUT_MAIL)
        assert [(a.option, a.changes) for a in dry.actions] == [
            (a.option, a.changes) for a in real.actions
        ]
        assert sorted(w.code for w in real.warnings) == sorted(w.code for w in dry.warnings)

    async def test_each_reset_user_gets_one_audit_event(self, services: FakeServices) -> None:
        loc = await given.location(services)
        anna = await given.user(services, "anna", loc.id)
        await services.reset.reset_users(
            ROOT, [("a", anna.id), ("x", None)], [ResetOption.CLIENT_SETTINGS]
        )
        events = [e for e in services.uow.audit_events if e.action == "USER_RESET"]
        assert [(e.target_user_id, e.actor) for e in events] == [(anna.id, "root")]
        assert events[0].details["options"] == ["CLIENT_SETTINGS"]
        assert events[0].details["status"] == "SUCCEEDED"


class TestStorageFailure:
    async def test_a_failure_storing_one_user_rolls_back_that_user_only(
        self, services: FakeServices
    ) -> None:
        loc = await given.location(services)
        anna = await given.user(services, "anna", loc.id, client_settings={"k": 1})
        ben = await given.user(services, "ben", loc.id, client_settings={"k": 1})
        # The batch's commit fails, then anna's own: ben's is stored.
        services.uow.fail_commits(2)

        first, second = await services.reset.reset_users(
            ROOT, [("a", anna.id), ("b", ben.id)], [ResetOption.CLIENT_SETTINGS]
        )

        assert (first.status, [p.code for p in first.problems]) == (
            UserResetStatus.FAILED, ["NOT_STORED"],
        )  # fmt: skip
        assert first.actions == []
        assert second.status is UserResetStatus.SUCCEEDED
        assert (await given.stored_user(services, anna.id)).client_settings == {"k": 1}  # type: ignore[union-attr]
        assert (await given.stored_user(services, ben.id)).client_settings == {}  # type: ignore[union-attr]

    async def test_a_batch_that_fails_once_is_stored_user_by_user(
        self, services: FakeServices
    ) -> None:
        loc = await given.location(services)
        anna = await given.user(services, "anna", loc.id, client_settings={"k": 1})
        ben = await given.user(services, "ben", loc.id, client_settings={"k": 1})
        services.uow.fail_commits(1)
        before = services.uow.committed

        outcomes = await services.reset.reset_users(
            ROOT, [("a", anna.id), ("b", ben.id)], [ResetOption.CLIENT_SETTINGS]
        )

        assert [o.status for o in outcomes] == [UserResetStatus.SUCCEEDED] * 2
        assert services.uow.committed == before + 2
        for user_id in (anna.id, ben.id):
            assert (await given.stored_user(services, user_id)).client_settings == {}  # type: ignore[union-attr]


class TestBatches:
    async def test_a_batch_is_one_transaction(self, services: FakeServices) -> None:
        loc = await given.location(services)
        users = [
            await given.user(services, f"u{n}", loc.id, client_settings={"k": n}) for n in range(5)
        ]
        batched = replace(services, config=replace(services.config, reset_batch_size=2))
        before = services.uow.committed

        outcomes = await batched.reset.reset_users(
            ROOT, [(str(u.id), u.id) for u in users], [ResetOption.CLIENT_SETTINGS]
        )

        assert [o.status for o in outcomes] == [UserResetStatus.SUCCEEDED] * 5
        assert services.uow.committed == before + 3

    async def test_two_keys_for_one_user_reset_it_twice_in_order(
        self, services: FakeServices
    ) -> None:
        loc = await given.location(services)
        anna = await given.user(services, "anna", loc.id, client_settings={"k": 1})

        first, second = await services.reset.reset_users(
            ROOT, [("a", anna.id), ("anna", anna.id)], [ResetOption.CLIENT_SETTINGS]
        )

        assert [(a.option, a.changes) for a in first.actions] == [(ResetOption.CLIENT_SETTINGS, 1)]
        assert [(a.option, a.changes) for a in second.actions] == [(ResetOption.CLIENT_SETTINGS, 0)]


class TestProgress:
    async def test_the_callback_sees_each_batch_of_distinct_users_once_stored(
        self, services: FakeServices
    ) -> None:
        loc = await given.location(services)
        anna = await given.user(services, "anna", loc.id, client_settings={"k": 1})
        ben = await given.user(services, "ben", loc.id)
        seen: list[tuple[int, int]] = []

        async def on_progress(done: int, total: int) -> None:
            # Called once the batch's outcomes are final: stored already.
            if done == 2:
                assert (await given.stored_user(services, anna.id)).client_settings == {}  # type: ignore[union-attr]
            seen.append((done, total))

        requested = [("a", anna.id), ("b", ben.id), ("a", anna.id), ("x", None)]
        batched = replace(services, config=replace(services.config, reset_batch_size=2))
        await batched.reset.reset_users(
            ROOT, requested, [ResetOption.CLIENT_SETTINGS], on_progress=on_progress
        )
        assert seen == [(0, 3), (2, 3), (3, 3)]

    async def test_a_refused_request_reports_nothing(self, services: FakeServices) -> None:
        seen: list[tuple[int, int]] = []

        async def on_progress(done: int, total: int) -> None:
            seen.append((done, total))

        with pytest.raises(DomainError):
            await services.reset.reset_users(ROOT, [("a", 1)], [], on_progress=on_progress)
        assert seen == []
