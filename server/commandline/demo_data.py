"""A small demo organisation for an empty database (``connect-admin demo-data``).

Everything goes through the domain services, as the server itself
(``SYSTEM``) or, for what users set themselves (own relationships, settings,
contacts), as the user concerned.

The passwords below are for trying the API on a local demo database only.
"""

from __future__ import annotations

from dataclasses import dataclass

from domain.model import RelationshipLevel, RelationshipPolicy, User
from domain.principals import SYSTEM, UserPrincipal
from domain.services.administrators import NewAdministrator
from domain.services.groups import NewConfigurationGroup
from domain.services.locations import NewLocation
from domain.services.me import NewContact
from domain.services.registry import Services
from domain.services.teams import NewTeam
from domain.services.users import NewUser, UserChanges

# Demo only: never use these outside a local demo database.
DEMO_ADMIN_LOGIN = "admin"
DEMO_ADMIN_PASSWORD = "ConnectAdmin!2026"
DEMO_SUB_ADMIN_LOGIN = "munich-admin"
DEMO_SUB_ADMIN_PASSWORD = "MunichAdmin!2026"
DEMO_USER_PASSWORD = "ConnectUser!2026"


@dataclass(frozen=True)
class _DemoUser:
    login: str
    first_name: str
    last_name: str
    location: str
    group: str | None = None
    email: bool = True
    work_phone: str | None = None
    mobile_phone: str | None = None
    is_vip: bool = False
    password: bool = False


_USERS = [
    _DemoUser("anna.schmidt", "Anna", "Schmidt", "Berlin HQ", work_phone="+49 30 1234 100",
              is_vip=True),
    _DemoUser("bernd.mueller", "Bernd", "Müller", "Berlin HQ", "Sales",
              work_phone="+49 30 1234 101", mobile_phone="+49 170 555 0101", password=True),
    _DemoUser("clara.weber", "Clara", "Weber", "Berlin HQ", "Sales", work_phone="+49 30 1234 102"),
    _DemoUser("david.fischer", "David", "Fischer", "Berlin HQ", "Support", email=False,
              work_phone="+49 30 1234 103"),
    _DemoUser("eva.wagner", "Eva", "Wagner", "Berlin HQ", "Support", work_phone="+49 30 1234 104"),
    _DemoUser("felix.becker", "Felix", "Becker", "Berlin HQ", work_phone="+49 30 1234 105"),
    _DemoUser("greta.hoffmann", "Greta", "Hoffmann", "Berlin HQ", "Sales", email=False),
    _DemoUser("hans.schulz", "Hans", "Schulz", "Munich", "Development",
              work_phone="+49 89 5678 200", password=True),
    _DemoUser("ida.koch", "Ida", "Koch", "Munich", "Development", work_phone="+49 89 5678 201"),
    _DemoUser("jonas.richter", "Jonas", "Richter", "Munich", work_phone="+49 89 5678 202"),
    _DemoUser("katrin.klein", "Katrin", "Klein", "Munich", "Development", email=False,
              work_phone="+49 89 5678 203"),
    _DemoUser("lukas.wolf", "Lukas", "Wolf", "Munich", work_phone="+49 89 5678 204"),
]  # fmt: skip

_BLOCKED = "lukas.wolf"


async def load_demo_data(services: Services) -> bool:
    """Fills an entirely empty database; False (and nothing changed) when any location
    or any administrator exists, so that the demo passwords the command line prints
    are always the ones stored."""
    async with services.uow as uow:
        if await uow.locations.list() or await uow.administrators.list():
            return False

    berlin, munich = [
        await services.locations.create_location(SYSTEM, location)
        for location in (
            NewLocation(
                name="Berlin HQ",
                description="Head office",
                default_relationship=RelationshipLevel.EMPLOYEE,
                relationship_policy=RelationshipPolicy.EXTEND_AND_RESTRICT,
                client_settings=[
                    ("language", "de"),
                    ("hotkeys.dial", "Ctrl+Alt+D"),
                    ("journal.keepDays", 90),
                ],
                presence_settings=[("autoAwayMinutes", 10), ("showCalendarStatus", True)],
            ),
            NewLocation(
                name="Munich",
                description="Development office",
                default_relationship=RelationshipLevel.EMPLOYEE,
                relationship_policy=RelationshipPolicy.EXTEND_ONLY,
                client_settings=[("language", "de"), ("journal.keepDays", 30)],
                presence_settings=[("autoAwayMinutes", 15), ("showCalendarStatus", False)],
            ),
        )
    ]
    locations = {berlin.name: berlin.id, munich.name: munich.id}

    sales = await services.groups.create_group(
        SYSTEM,
        NewConfigurationGroup(
            location_id=berlin.id,
            name="Sales",
            description="Field and inside sales",
            default_relationship=RelationshipLevel.TEAM_COLLEAGUE,
            client_settings=[("language", "en"), ("hotkeys.dial", "Ctrl+Shift+D")],
            presence_settings=[("autoAwayMinutes", 30)],
        ),
    )
    support = await services.groups.create_group(
        SYSTEM,
        NewConfigurationGroup(location_id=berlin.id, name="Support", description="Hotline"),
    )
    development = await services.groups.create_group(
        SYSTEM,
        NewConfigurationGroup(
            location_id=munich.id,
            name="Development",
            presence_settings=[("autoAwayMinutes", 60), ("showCalendarStatus", True)],
        ),
    )
    groups = {
        (berlin.id, sales.name): sales.id,
        (berlin.id, support.name): support.id,
        (munich.id, development.name): development.id,
    }

    users: dict[str, User] = {}
    for demo in _USERS:
        location_id = locations[demo.location]
        users[demo.login] = await services.users.create_user(
            SYSTEM,
            NewUser(
                login=demo.login,
                first_name=demo.first_name,
                last_name=demo.last_name,
                location_id=location_id,
                configuration_group_id=groups[location_id, demo.group] if demo.group else None,
                email=f"{demo.login}@example.com" if demo.email else None,
                work_phone=demo.work_phone,
                mobile_phone=demo.mobile_phone,
                is_vip=demo.is_vip,
                password=DEMO_USER_PASSWORD if demo.password else None,
            ),
        )
    await services.users.update_user(SYSTEM, UserChanges(id=users[_BLOCKED].id, blocked=True))

    def ids(*logins: str) -> list[int]:
        return [users[login].id for login in logins]

    for team in (
        NewTeam(
            name="Key Accounts",
            description="Sales and the CEO's office",
            member_ids=ids("anna.schmidt", "bernd.mueller", "clara.weber"),
            relationship=RelationshipLevel.TEAM_COLLEAGUE,
        ),
        NewTeam(
            name="Product",
            description="Across Berlin and Munich",
            member_ids=ids("felix.becker", "hans.schulz", "ida.koch"),
            relationship=RelationshipLevel.ASSISTANT,
        ),
    ):
        await services.teams.create_team(SYSTEM, team)

    ldap = await services.data_sources.create_data_source(SYSTEM, "Corporate LDAP")
    crm = await services.data_sources.create_data_source(SYSTEM, "Legacy CRM")

    def as_user(login: str) -> UserPrincipal:
        return UserPrincipal(user_id=users[login].id, login=login, password_change_required=False)

    # What users set themselves in the Connect Client.
    anna, bernd, david, hans = (
        as_user(login)
        for login in ("anna.schmidt", "bernd.mueller", "david.fischer", "hans.schulz")
    )
    # A VIP has no defaults: only these.
    level = RelationshipLevel
    for owner, other, relationship in (
        (anna, "clara.weber", level.ASSISTANT_PLUS),
        (anna, "felix.becker", level.EMPLOYEE),
        (david, "eva.wagner", level.ASSISTANT),
        (david, "felix.becker", level.EXTERNAL),
        (hans, "ida.koch", level.ASSISTANT_PLUS),
    ):
        await services.me.set_my_relationship(owner, users[other].id, relationship)
    await services.me.set_my_client_setting(david, "hotkeys.dial", "F9")
    await services.me.set_my_presence_setting(bernd, "autoAwayMinutes", 5)
    await services.me.set_my_client_setting(hans, "language", "en")
    for owner, contact in (
        (bernd, NewContact(user_id=users["eva.wagner"].id)),
        (bernd, NewContact(data_source_id=ldap.id, external_id="cn=max.mustermann",
                           display_name="Max Mustermann (Customer)")),
        (bernd, NewContact(data_source_id=crm.id, external_id="CRM-4711",
                           display_name="Erika Musterfrau")),
        (hans, NewContact(data_source_id=crm.id, external_id="CRM-0815", display_name="John Doe")),
    ):  # fmt: skip
        await services.me.add_my_contact(owner, contact)
    # Deactivated after the contacts were added: "repair contact list" has work to do.
    await services.data_sources.set_data_source_active(SYSTEM, crm.id, active=False)

    await services.administrators.create_administrator(
        SYSTEM,
        NewAdministrator(
            login=DEMO_ADMIN_LOGIN,
            password=DEMO_ADMIN_PASSWORD,
            last_name="Administrator",
            first_name="Demo",
            email="admin@example.com",
            # "ConnectAdmin!2026" holds the login; README documents it for the demo.
            demo_password=True,
        ),
    )
    await services.administrators.create_administrator(
        SYSTEM,
        NewAdministrator(
            login=DEMO_SUB_ADMIN_LOGIN,
            password=DEMO_SUB_ADMIN_PASSWORD,
            last_name="Munich Administrator",
            location_ids=[munich.id],
        ),
    )
    return True
