"""Who sees what. The services and the GraphQL layer ask here, by this module's
name (``visibility.sees_user(actor, user)``), and nowhere decide it themselves.

- An administrator sees the locations it acts in (a system administrator every
  one) and what is in them: their users, whole, and their configuration groups.
  A team it sees when it sees one of its members; it changes or deletes one only
  when it sees all of them.
- A Connect Client user sees itself whole and its colleagues as directory
  entries; while a password change is due, nothing but itself. It reads a
  location without its groups.
- A system administrator sees every administrator, API token and the mail
  gateway's settings; any other administrator itself and its own tokens.
- An audit event's details name no other user than the reader sees: the ids of
  users outside a sub-administrator's locations are left out (null in place of
  one, missing from a list).
- A webhook endpoint receives what its owner would read in the audit log: a
  sub-administrator's only the events concerning its locations. A system
  administrator sees every endpoint, any other administrator its own.
- An anonymous caller sees nothing.

What a caller may not see is reported as not there, never as forbidden.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from domain.model import JsonValue, Team, User
from domain.ports import ContactOwners
from domain.principals import AdminPrincipal, Principal, UserPrincipal
from domain.reset_job_model import ResetJob


def sees_location(admin: AdminPrincipal, location_id: int) -> bool:
    return admin.location_ids is None or location_id in admin.location_ids


def sees_locations(admin: AdminPrincipal, location_ids: Iterable[int]) -> bool:
    """Whether the administrator sees every one of the locations."""
    return all(sees_location(admin, i) for i in location_ids)


def visible_locations(admin: AdminPrincipal, location_ids: Iterable[int]) -> list[int]:
    return [i for i in location_ids if sees_location(admin, i)]


def location_scope(admin: AdminPrincipal) -> frozenset[int] | None:
    """The locations the administrator's lists keep to; None for all of them."""
    return admin.location_ids


def reset_jobs_of(admin: AdminPrincipal) -> int | None:
    """Whose reset jobs the administrator's list holds: its own (its id), or every
    administrator's (None) for a system administrator."""
    return None if admin.is_system else admin.admin_id


def sees_reset_job(admin: AdminPrincipal, job: ResetJob) -> bool:
    """A system administrator sees every reset job, another administrator its own."""
    return admin.is_system or job.admin_id == admin.admin_id


def sees_user(actor: Principal, user: User) -> bool:
    """Administrators see the users of their locations; Connect Client users see colleagues."""
    if isinstance(actor, AdminPrincipal):
        return sees_location(actor, user.location_id)
    if isinstance(actor, UserPrincipal):
        # While a password change is due, a user reads nothing but itself.
        return user.id == actor.user_id or not actor.password_change_required
    return False


def sees_mail_to(actor: Principal, user: User) -> bool:
    """Whether the actor reads how the mails to the user fared (their state and the SMTP
    server's reply, never their text): administrators of the user's location."""
    return isinstance(actor, AdminPrincipal) and sees_location(actor, user.location_id)


def sees_private(actor: Principal, user: User) -> bool:
    """Whether the actor reads the whole user: e-mail, configuration group, teams,
    flags, contacts, relationships, Connect Client and presence settings.

    Administrators do for the users of their locations; a Connect Client user only
    for itself, never for a colleague it otherwise sees.
    """
    if isinstance(actor, AdminPrincipal):
        return sees_location(actor, user.location_id)
    if isinstance(actor, UserPrincipal):
        return user.id == actor.user_id
    return False


def contact_lists_read(actor: Principal) -> ContactOwners | None:
    """Whose contact lists the actor reads whole (``sees_private``), for a count of their
    contacts; None: nobody's."""
    if isinstance(actor, AdminPrincipal):
        return ContactOwners(location_ids=location_scope(actor))
    if isinstance(actor, UserPrincipal):
        return ContactOwners(user_id=actor.user_id)
    return None


def visible_users(actor: Principal, users: Iterable[User]) -> list[User]:
    return [u for u in users if sees_user(actor, u)]


def wholly_visible_users(actor: Principal, users: Iterable[User]) -> list[User]:
    """The users the actor reads whole (``sees_private``)."""
    return [u for u in users if sees_private(actor, u)]


def as_read_by(actor: Principal, user: User) -> User:
    """The user as the actor, who sees it (``sees_user``), may read it: whole, or a
    colleague's directory entry (``directory_entry``) for a Connect Client user."""
    return user if sees_private(actor, user) else directory_entry(user)


def directory_entry(user: User) -> User:
    """What a Connect Client user reads of a colleague: login, names, phones and the
    location. Everything else is left at its empty default (no e-mail, group, VIP or
    blocked flag, credentials state or settings); what derives from the user
    (teams, relationships, contacts) ``sees_private`` keeps back."""
    return User(
        id=user.id,
        login=user.login,
        first_name=user.first_name,
        last_name=user.last_name,
        work_phone=user.work_phone,
        mobile_phone=user.mobile_phone,
        location_id=user.location_id,
    )


def sees_groups_of_locations(actor: Principal) -> bool:
    """A location's groups are for administrators: a Connect Client user reads a
    location (its own, a colleague's) without them."""
    return isinstance(actor, AdminPrincipal)


def sees_team(admin: AdminPrincipal, team: Team, members: Mapping[int, User]) -> bool:
    """Whether the administrator sees one of the team's members (``members`` by id)."""
    return admin.is_system or any(
        sees_location(admin, members[m].location_id) for m in team.member_ids if m in members
    )


def sees_whole_team(admin: AdminPrincipal, members: Iterable[User]) -> bool:
    """Whether the administrator sees every member: only then it changes the team."""
    return admin.is_system or sees_locations(admin, (u.location_id for u in members))


def sees_administrator(actor: Principal, admin_id: int) -> bool:
    if not isinstance(actor, AdminPrincipal):
        return False
    return actor.is_system or admin_id == actor.admin_id


def sees_every_administrator(admin: AdminPrincipal) -> bool:
    return admin.is_system


def sees_api_token(admin: AdminPrincipal, owner_id: int) -> bool:
    return admin.is_system or owner_id == admin.admin_id


def api_token_scope(admin: AdminPrincipal) -> int | None:
    """Whose API tokens the administrator's list holds: its own; None for everybody's."""
    return None if admin.is_system else admin.admin_id


def sees_webhook_endpoint(admin: AdminPrincipal, owner_id: int) -> bool:
    return admin.is_system or owner_id == admin.admin_id


def webhook_endpoint_scope(admin: AdminPrincipal) -> int | None:
    """Whose webhook endpoints the administrator's list holds: its own; None for all."""
    return None if admin.is_system else admin.admin_id


def sees_audit_event(admin: AdminPrincipal, concerned: Iterable[int | None]) -> bool:
    """Whether the administrator reads an event concerning these locations (the one it
    was recorded for, its user's now) in the audit log: a system administrator every
    one, another only those concerning one of its locations."""
    return admin.is_system or any(i is not None and sees_location(admin, i) for i in concerned)


def sees_gateway_settings(admin: AdminPrincipal) -> bool:
    """Any administrator learns whether the mail gateway is configured; a system
    administrator alone reads its settings."""
    return admin.is_system


# The details of audit events that name users other than the event's own subject:
# one user's id, or a list of them.
OTHER_USERS_IN_DETAILS = ("relationship_target_id", "member_ids")


def users_named_in(details: Mapping[str, JsonValue]) -> set[int]:
    """The ids of the other users an event's details name."""
    named: set[int] = set()
    for key in OTHER_USERS_IN_DETAILS:
        value = details.get(key)
        values = value if isinstance(value, list) else [value]
        named.update(v for v in values if isinstance(v, int) and not isinstance(v, bool))
    return named


def audit_details(
    admin: AdminPrincipal, details: Mapping[str, JsonValue], users: Mapping[int, User]
) -> dict[str, JsonValue]:
    """The details as the administrator may read them: an id of a user it does not
    see (``users`` by id; a deleted one is not there) left out."""
    if admin.is_system:
        return dict(details)

    def seen(value: JsonValue) -> bool:
        user = users.get(value) if isinstance(value, int) else None
        return user is not None and sees_user(admin, user)

    shown = dict(details)
    for key in OTHER_USERS_IN_DETAILS:
        if key not in shown:
            continue
        value = shown[key]
        if isinstance(value, list):
            shown[key] = [v for v in value if seen(v)]
        elif value is not None and not seen(value):
            shown[key] = None
    return shown
