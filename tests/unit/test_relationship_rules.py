"""Relationship resolution: own setting, else the highest of scope default and teams."""

from __future__ import annotations

from domain.model import (
    ConfigurationGroup,
    Location,
    RelationshipLevel,
    RelationshipSource,
    Team,
    User,
)
from domain.rules import (
    EffectiveRelationship,
    ScopeDefault,
    effective_relationship,
    listed_relationships,
    scope_default,
)
from tests.fakes import FakeServices
from tests.unit import given
from tests.unit.given import ROOT, sub_admin

L = RelationshipLevel
BERLIN = Location(name="Berlin", default_relationship=L.EMPLOYEE, id=1)
MUNICH = Location(name="Munich", default_relationship=L.EXTERNAL, id=2)


def person(user_id: int, location_id: int = 1, **fields: object) -> User:
    return User(login=f"u{user_id}", last_name="X", location_id=location_id, id=user_id, **fields)  # type: ignore[arg-type]


def team(*members: int, level: RelationshipLevel = L.TEAM_COLLEAGUE) -> Team:
    return Team(name="T", member_ids=list(members), relationship=level)


EMPLOYEE_DEFAULT = ScopeDefault(L.EMPLOYEE, RelationshipSource.LOCATION)


class TestScopeDefault:
    def test_location_default_applies_without_group(self) -> None:
        assert scope_default(person(1), BERLIN, None) == EMPLOYEE_DEFAULT

    def test_group_own_default_overrides_location(self) -> None:
        grp = ConfigurationGroup(location_id=1, name="G", default_relationship=L.ASSISTANT)

        default = scope_default(person(1), BERLIN, grp)

        assert default == ScopeDefault(L.ASSISTANT, RelationshipSource.CONFIGURATION_GROUP)

    def test_group_without_own_default_inherits_location(self) -> None:
        grp = ConfigurationGroup(location_id=1, name="G", default_relationship=None)

        assert scope_default(person(1), BERLIN, grp) == EMPLOYEE_DEFAULT

    def test_vip_has_no_default(self) -> None:
        grp = ConfigurationGroup(location_id=1, name="G", default_relationship=L.ASSISTANT)

        assert scope_default(person(1, is_vip=True), BERLIN, grp) is None


class TestEffectiveRelationship:
    def test_own_setting_overrides_defaults_and_teams(self) -> None:
        owner, target = person(1), person(2)

        rel = effective_relationship(
            owner,
            target,
            default=EMPLOYEE_DEFAULT,
            own={2: L.BLOCKED},
            teams=[team(1, 2, level=L.ASSISTANT_PLUS)],
        )

        assert rel == EffectiveRelationship(2, L.BLOCKED, RelationshipSource.USER)

    def test_scope_default_applies_towards_same_location(self) -> None:
        rel = effective_relationship(
            person(1), person(2), default=EMPLOYEE_DEFAULT, own={}, teams=[]
        )

        assert rel == EffectiveRelationship(2, L.EMPLOYEE, RelationshipSource.LOCATION)

    def test_scope_default_does_not_reach_other_location(self) -> None:
        rel = effective_relationship(
            person(1), person(2, location_id=2), default=EMPLOYEE_DEFAULT, own={}, teams=[]
        )

        assert rel is None

    def test_team_reaches_other_location(self) -> None:
        rel = effective_relationship(
            person(1),
            person(2, location_id=2),
            default=EMPLOYEE_DEFAULT,
            own={},
            teams=[team(1, 2, level=L.FORWARDER)],
        )

        assert rel == EffectiveRelationship(2, L.FORWARDER, RelationshipSource.TEAM)

    def test_higher_team_level_beats_scope_default(self) -> None:
        rel = effective_relationship(
            person(1), person(2), default=EMPLOYEE_DEFAULT, own={}, teams=[team(1, 2)]
        )

        assert rel == EffectiveRelationship(2, L.TEAM_COLLEAGUE, RelationshipSource.TEAM)

    def test_higher_scope_default_beats_team(self) -> None:
        rel = effective_relationship(
            person(1),
            person(2),
            default=EMPLOYEE_DEFAULT,
            own={},
            teams=[team(1, 2, level=L.EXTERNAL)],
        )

        assert rel == EffectiveRelationship(2, L.EMPLOYEE, RelationshipSource.LOCATION)

    def test_highest_of_several_shared_teams_applies(self) -> None:
        rel = effective_relationship(
            person(1),
            person(2),
            default=None,
            own={},
            teams=[team(1, 2, level=L.FORWARDER), team(1, 2, 3, level=L.ASSISTANT), team(1, 3)],
        )

        assert rel == EffectiveRelationship(2, L.ASSISTANT, RelationshipSource.TEAM)

    def test_team_without_target_does_not_apply(self) -> None:
        rel = effective_relationship(
            person(1), person(2, location_id=2), default=None, own={}, teams=[team(1, 3)]
        )

        assert rel is None

    def test_vip_has_no_default_relationships(self) -> None:
        vip = person(1, is_vip=True)

        rel = effective_relationship(
            vip,
            person(2),
            default=scope_default(vip, BERLIN, None),
            own={},
            teams=[team(1, 2, level=L.ASSISTANT_PLUS)],
        )

        assert rel is None

    def test_vip_own_setting_applies(self) -> None:
        rel = effective_relationship(
            person(1, is_vip=True), person(2), default=None, own={2: L.ASSISTANT}, teams=[]
        )

        assert rel == EffectiveRelationship(2, L.ASSISTANT, RelationshipSource.USER)

    def test_no_relationship_towards_oneself(self) -> None:
        owner = person(1)

        assert (
            effective_relationship(owner, owner, default=EMPLOYEE_DEFAULT, own={}, teams=[]) is None
        )


class TestListedRelationships:
    def test_team_level_above_default_is_listed(self) -> None:
        listed = listed_relationships(
            person(1),
            default=EMPLOYEE_DEFAULT,
            own={},
            teams=[team(1, 2)],
            target_location_ids={2: 1},
        )

        assert listed == [EffectiveRelationship(2, L.TEAM_COLLEAGUE, RelationshipSource.TEAM)]

    def test_team_level_not_above_default_is_not_listed(self) -> None:
        listed = listed_relationships(
            person(1),
            default=EMPLOYEE_DEFAULT,
            own={},
            teams=[team(1, 2, level=L.EMPLOYEE), team(1, 3, level=L.EXTERNAL)],
            target_location_ids={2: 1, 3: 1},
        )

        assert listed == []

    def test_team_towards_other_location_is_listed_even_below_default(self) -> None:
        listed = listed_relationships(
            person(1),
            default=EMPLOYEE_DEFAULT,
            own={},
            teams=[team(1, 2, level=L.EXTERNAL)],
            target_location_ids={2: 2},
        )

        assert listed == [EffectiveRelationship(2, L.EXTERNAL, RelationshipSource.TEAM)]

    def test_own_settings_are_listed_and_win_over_teams(self) -> None:
        listed = listed_relationships(
            person(1),
            default=EMPLOYEE_DEFAULT,
            own={2: L.BLOCKED, 4: L.ASSISTANT},
            teams=[team(1, 2, 3)],
            target_location_ids={2: 1, 3: 1, 4: 1},
        )

        assert listed == [
            EffectiveRelationship(2, L.BLOCKED, RelationshipSource.USER),
            EffectiveRelationship(3, L.TEAM_COLLEAGUE, RelationshipSource.TEAM),
            EffectiveRelationship(4, L.ASSISTANT, RelationshipSource.USER),
        ]

    def test_vip_lists_only_its_own_settings(self) -> None:
        listed = listed_relationships(
            person(1, is_vip=True),
            default=None,
            own={3: L.FORWARDER},
            teams=[team(1, 2, level=L.ASSISTANT_PLUS)],
            target_location_ids={2: 1, 3: 1},
        )

        assert listed == [EffectiveRelationship(3, L.FORWARDER, RelationshipSource.USER)]


class TestResolutionServices:
    async def test_default_relationship_comes_from_group_else_location(
        self, services: FakeServices
    ) -> None:
        loc = await given.location(services, default_relationship=L.FORWARDER)
        grp = await given.group(services, loc.id, default_relationship=L.ASSISTANT)
        plain = await given.user(services, "plain", loc.id)
        grouped = await given.user(services, "grouped", loc.id, configuration_group_id=grp.id)
        vip = await given.user(services, "vip", loc.id, is_vip=True)

        defaults = await services.relationships.default_relationships([plain, grouped, vip])

        assert defaults == {
            plain.id: ScopeDefault(L.FORWARDER, RelationshipSource.LOCATION),
            grouped.id: ScopeDefault(L.ASSISTANT, RelationshipSource.CONFIGURATION_GROUP),
            vip.id: None,
        }

    async def test_relationships_of_resolves_teams_and_own_settings(
        self, services: FakeServices
    ) -> None:
        berlin = await given.location(services)
        munich = await given.location(services, "Munich")
        anna = await given.user(services, "anna", berlin.id)
        ben = await given.user(services, "ben", berlin.id)
        carl = await given.user(services, "carl", munich.id)
        await given.team(services, [anna.id, ben.id, carl.id], level=L.ASSISTANT)
        await given.relationship(services, anna, ben, L.BLOCKED)

        result = await services.relationships.relationships_of(ROOT, [anna])

        assert [(rel.target_id, rel.level, rel.source) for rel, _ in result[anna.id]] == [
            (ben.id, L.BLOCKED, RelationshipSource.USER),
            (carl.id, L.ASSISTANT, RelationshipSource.TEAM),
        ]

    async def test_relationships_of_hides_targets_outside_sub_admin_locations(
        self, services: FakeServices
    ) -> None:
        berlin = await given.location(services)
        munich = await given.location(services, "Munich")
        anna = await given.user(services, "anna", berlin.id)
        carl = await given.user(services, "carl", munich.id)
        await given.team(services, [anna.id, carl.id])

        result = await services.relationships.relationships_of(sub_admin(berlin.id), [anna])

        assert result == {anna.id: []}

    async def test_relationship_to_gives_effective_level(self, services: FakeServices) -> None:
        berlin = await given.location(services, default_relationship=L.EMPLOYEE)
        anna = await given.user(services, "anna", berlin.id)
        ben = await given.user(services, "ben", berlin.id)

        found = await services.relationships.relationship_to(ROOT, anna, ben.id)

        assert found is not None
        assert found[0] == EffectiveRelationship(ben.id, L.EMPLOYEE, RelationshipSource.LOCATION)

    async def test_relationship_to_hidden_or_unknown_target_is_none(
        self, services: FakeServices
    ) -> None:
        berlin = await given.location(services)
        munich = await given.location(services, "Munich")
        anna = await given.user(services, "anna", berlin.id)
        carl = await given.user(services, "carl", munich.id)

        assert (
            await services.relationships.relationship_to(sub_admin(berlin.id), anna, carl.id)
            is None
        )
        assert await services.relationships.relationship_to(ROOT, anna, 999) is None
