"""Directory data sources: system administrators add and (de)activate them."""

from __future__ import annotations

import pytest

from domain.errors import DomainError, Forbidden
from domain.services.data_sources import (
    create_data_source,
    get_data_source,
    list_data_sources,
    set_data_source_active,
)
from tests.fakes import FakeDeps
from tests.unit.given import ROOT, sub_admin


class TestCreateDataSource:
    async def test_new_source_is_active(self, deps: FakeDeps) -> None:
        source = await create_data_source(deps, ROOT, " LDAP ")

        assert (source.id, source.name, source.active) == (1, "LDAP", True)

    async def test_name_must_be_unique(self, deps: FakeDeps) -> None:
        await create_data_source(deps, ROOT, "LDAP")

        with pytest.raises(DomainError) as raised:
            await create_data_source(deps, ROOT, "LDAP")

        assert [p.code for p in raised.value.problems] == ["NAME_TAKEN"]

    async def test_sub_admin_is_forbidden(self, deps: FakeDeps) -> None:
        with pytest.raises(Forbidden):
            await create_data_source(deps, sub_admin(1), "LDAP")


class TestSetDataSourceActive:
    async def test_deactivates_and_activates(self, deps: FakeDeps) -> None:
        source = await create_data_source(deps, ROOT, "LDAP")

        await set_data_source_active(deps, ROOT, source.id, False)
        assert deps.uow.data.data_sources[source.id].active is False
        await set_data_source_active(deps, ROOT, source.id, True)

        assert deps.uow.data.data_sources[source.id].active is True
        assert [e.action for e in deps.uow.audit_events][-2:] == [
            "DATA_SOURCE_DEACTIVATED",
            "DATA_SOURCE_ACTIVATED",
        ]

    async def test_unknown_source_is_not_found(self, deps: FakeDeps) -> None:
        with pytest.raises(DomainError) as raised:
            await set_data_source_active(deps, ROOT, 3, False)

        assert [p.code for p in raised.value.problems] == ["DIRECTORY_DATA_SOURCE_NOT_FOUND"]

    async def test_sub_admin_is_forbidden(self, deps: FakeDeps) -> None:
        source = await create_data_source(deps, ROOT, "LDAP")

        with pytest.raises(Forbidden):
            await set_data_source_active(deps, sub_admin(1), source.id, False)


class TestReadDataSources:
    async def test_every_admin_reads_them_by_name(self, deps: FakeDeps) -> None:
        await create_data_source(deps, ROOT, "Zeta")
        ldap = await create_data_source(deps, ROOT, "LDAP")

        assert [s.name for s in await list_data_sources(deps, sub_admin(1))] == ["LDAP", "Zeta"]
        assert (await get_data_source(deps, sub_admin(1), ldap.id)).name == "LDAP"
