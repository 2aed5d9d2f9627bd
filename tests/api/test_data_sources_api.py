"""DirectoryDataSource.contactCount: the contacts a repair would remove once the source is
deactivated, counted in the contact lists the caller reads whole, one grouped count for
the whole list of sources."""

from __future__ import annotations

from typing import Any

from domain.model import Contact
from domain.principals import SYSTEM
from domain.services import administrators, locations, users
from gql.ids import to_global_id
from tests.api.conftest import ADMIN_PASSWORD, Api

SOURCES = "{ directoryDataSources { name active contactCount } }"
PASSWORD = "Munich-Passw0rd!x"


async def counts(api: Api, token: str) -> dict[str, int]:
    data = await api.data(SOURCES, token=token)
    return {s["name"]: s["contactCount"] for s in data["directoryDataSources"]}


async def organisation(api: Api) -> dict[str, int]:
    """Berlin (anna: two LDAP contacts and one CRM) and Munich (hans: one LDAP contact, a
    colleague); a sub-administrator "sub" for Munich. The sources' ids by name."""
    services = api.services
    berlin = await services.locations.create_location(SYSTEM, locations.NewLocation(name="Berlin"))
    munich = await services.locations.create_location(SYSTEM, locations.NewLocation(name="Munich"))
    await services.administrators.create_administrator(
        SYSTEM,
        administrators.NewAdministrator(
            login="sub", password=ADMIN_PASSWORD, last_name="Sub", location_ids=[munich.id]
        ),
    )
    sources = {
        name: (await services.data_sources.create_data_source(SYSTEM, name)).id
        for name in ("LDAP", "CRM", "Empty")
    }
    anna = await services.users.create_user(
        SYSTEM, users.NewUser(login="anna", last_name="A", location_id=berlin.id)
    )
    hans = await services.users.create_user(
        SYSTEM,
        users.NewUser(login="hans", last_name="H", location_id=munich.id, password=PASSWORD),
    )
    async with services.uow as uow:
        for owner, source, entry in (
            (anna.id, "LDAP", "a1"),
            (anna.id, "LDAP", "a2"),
            (anna.id, "CRM", "a3"),
            (hans.id, "LDAP", "h1"),
        ):
            await uow.contacts.add(
                Contact(owner_id=owner, display_name=entry, data_source_id=sources[source],
                        external_id=entry)
            )  # fmt: skip
        await uow.contacts.add(Contact(owner_id=hans.id, display_name="Anna", user_id=anna.id))
        await uow.commit()
    return sources


async def test_each_role_counts_the_contact_lists_it_reads(api: Api, admin_token: str) -> None:
    sources = await organisation(api)
    assert await counts(api, admin_token) == {"CRM": 1, "Empty": 0, "LDAP": 3}
    # A sub-administrator: only the contacts of its locations' users.
    sub = await api.sign_in_admin("sub")
    assert await counts(api, sub) == {"CRM": 0, "Empty": 0, "LDAP": 1}
    # A Connect Client user, through its own contacts: its own list only.
    hans = (await api.sign_in_user("hans", PASSWORD))["token"]
    mine = await api.data("{ me { contacts { dataSource { name contactCount } } } }", token=hans)
    assert [c["dataSource"] for c in mine["me"]["contacts"]] == [
        {"name": "LDAP", "contactCount": 1},
        None,
    ]
    # Deactivated, the count stays: it is what the next repair removes.
    off = await api.data(
        "mutation($id: ID!) { setDirectoryDataSourceActive(id: $id, active: false) "
        "{ directoryDataSource { contactCount } errors { code } } }",
        {"id": to_id(sources["LDAP"])},
        token=admin_token,
    )
    assert off["setDirectoryDataSourceActive"] == {
        "directoryDataSource": {"contactCount": 3},
        "errors": [],
    }


def to_id(pk: int) -> str:
    return to_global_id("DirectoryDataSource", pk)


async def test_the_list_counts_in_one_statement(
    api: Api, admin_token: str, count_statements: Any
) -> None:
    """As many statements for 3 sources as for 13: the counts are one grouped query."""
    await organisation(api)

    async def statements() -> list[str]:
        with count_statements() as counter:
            await counts(api, admin_token)
        return [s for s in counter.statements if "contacts" in s]

    few = await statements()
    for n in range(10):
        await api.services.data_sources.create_data_source(SYSTEM, f"Source {n}")
    many = await statements()
    assert len(few) == len(many) == 1
    assert "GROUP BY" in many[0].upper()
