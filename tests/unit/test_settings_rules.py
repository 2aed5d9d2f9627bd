"""Settings: the location's, overlaid by the group's own list, overlaid by the user's."""

from __future__ import annotations

from domain.rules import effective_settings
from tests.fakes import FakeServices
from tests.unit import given


class TestEffectiveSettings:
    def test_location_settings_apply_when_nothing_overlays(self) -> None:
        assert effective_settings({"a": 1, "b": 2}, None, {}) == {"a": 1, "b": 2}

    def test_group_list_overlays_location(self) -> None:
        assert effective_settings({"a": 1, "b": 2}, {"b": 3, "c": 4}, {}) == {
            "a": 1,
            "b": 3,
            "c": 4,
        }

    def test_user_values_overlay_group_and_location(self) -> None:
        settings = effective_settings({"a": 1, "b": 2}, {"b": 3}, {"b": 5, "d": None})

        assert settings == {"a": 1, "b": 5, "d": None}

    def test_empty_group_list_changes_nothing(self) -> None:
        assert effective_settings({"a": 1}, {}, {}) == {"a": 1}


class TestEffectiveSettingsOf:
    async def test_resolves_client_and_presence_separately(self, services: FakeServices) -> None:
        loc = await given.location(
            services,
            client_settings={"theme": "light", "lang": "de"},
            presence_settings={"away_after": 5},
        )
        grp = await given.group(
            services, loc.id, client_settings={"lang": "en"}, presence_settings=None
        )
        user = await given.user(
            services,
            "anna",
            loc.id,
            configuration_group_id=grp.id,
            client_settings={"theme": "dark"},
            presence_settings={"dnd": True},
        )

        result = await services.relationships.effective_settings_of([user])

        assert result[user.id] == (
            {"theme": "dark", "lang": "en"},
            {"away_after": 5, "dnd": True},
        )

    async def test_user_without_group_gets_location_settings(self, services: FakeServices) -> None:
        loc = await given.location(services, client_settings={"theme": "light"})
        user = await given.user(services, "anna", loc.id)

        result = await services.relationships.effective_settings_of([user])

        assert result[user.id] == ({"theme": "light"}, {})
