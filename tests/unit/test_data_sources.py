"""Directory data sources: system administrators add and (de)activate them."""

from __future__ import annotations

import pytest

from domain.errors import DomainError, Forbidden
from tests.fakes import FakeServices
from tests.unit.given import ROOT, sub_admin


class TestCreateDataSource:
    async def test_new_source_is_active(self, services: FakeServices) -> None:
        source = await services.data_sources.create_data_source(ROOT, " LDAP ")

        assert (source.id, source.name, source.active) == (1, "LDAP", True)

    async def test_name_must_be_unique(self, services: FakeServices) -> None:
        await services.data_sources.create_data_source(ROOT, "LDAP")

        with pytest.raises(DomainError) as raised:
            await services.data_sources.create_data_source(ROOT, "LDAP")

        assert [p.code for p in raised.value.problems] == ["NAME_TAKEN"]

    async def test_sub_admin_is_forbidden(self, services: FakeServices) -> None:
        with pytest.raises(Forbidden):
            await services.data_sources.create_data_source(sub_admin(1), "LDAP")


class TestSetDataSourceActive:
    async def test_deactivates_and_activates(self, services: FakeServices) -> None:
        source = await services.data_sources.create_data_source(ROOT, "LDAP")

        await services.data_sources.set_data_source_active(ROOT, source.id, False)
        assert services.uow.data.data_sources[source.id].active is False
        await services.data_sources.set_data_source_active(ROOT, source.id, True)

        assert services.uow.data.data_sources[source.id].active is True
        assert [e.action for e in services.uow.audit_events][-2:] == [
            "DATA_SOURCE_DEACTIVATED",
            "DATA_SOURCE_ACTIVATED",
        ]

    async def test_unknown_source_is_not_found(self, services: FakeServices) -> None:
        with pytest.raises(DomainError) as raised:
            await services.data_sources.set_data_source_active(ROOT, 3, False)

        assert [p.code for p in raised.value.problems] == ["DIRECTORY_DATA_SOURCE_NOT_FOUND"]

    async def test_sub_admin_is_forbidden(self, services: FakeServices) -> None:
        source = await services.data_sources.create_data_source(ROOT, "LDAP")

        with pytest.raises(Forbidden):
            await services.data_sources.set_data_source_active(sub_admin(1), source.id, False)


class TestReadDataSources:
    async def test_every_admin_reads_them_by_name(self, services: FakeServices) -> None:
        await services.data_sources.create_data_source(ROOT, "Zeta")
        ldap = await services.data_sources.create_data_source(ROOT, "LDAP")

        assert [s.name for s in await services.data_sources.list_data_sources(sub_admin(1))] == [
            "LDAP",
            "Zeta",
        ]
        assert (await services.data_sources.get_data_source(sub_admin(1), ldap.id)).name == "LDAP"
