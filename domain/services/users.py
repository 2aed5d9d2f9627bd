"""Users: created, changed and deleted by administrators within their locations."""

from __future__ import annotations

from dataclasses import dataclass, replace

from domain import visibility
from domain.error_codes import ErrorCode
from domain.errors import DomainError, not_found
from domain.model import ConfigurationGroup, Location, SessionSubject, User
from domain.ports import DocumentShape, Page, PasswordHasher, UnitOfWork, UserQuery
from domain.principals import (
    SYSTEM,
    AdminPrincipal,
    Principal,
    require_admin,
    require_user,
)
from domain.services.audit import AuditTrail
from domain.services.locations import changed_fields
from domain.services.paging import PageRequest
from domain.services.validation import MAX_SEARCH_LENGTH, Problems
from domain.unset import UNSET, Maybe, is_set


@dataclass(frozen=True)
class NewUser:
    login: str
    last_name: str
    location_id: int
    first_name: str | None = None
    email: str | None = None
    work_phone: str | None = None
    mobile_phone: str | None = None
    configuration_group_id: int | None = None
    is_vip: bool = False
    password: str | None = None
    language: str | None = None


@dataclass(frozen=True)
class UserChanges:
    id: int
    first_name: Maybe[str | None] = UNSET
    last_name: Maybe[str] = UNSET
    email: Maybe[str | None] = UNSET
    work_phone: Maybe[str | None] = UNSET
    mobile_phone: Maybe[str | None] = UNSET
    location_id: Maybe[int] = UNSET
    configuration_group_id: Maybe[int | None] = UNSET
    is_vip: Maybe[bool] = UNSET
    blocked: Maybe[bool] = UNSET
    language: Maybe[str | None] = UNSET


@dataclass(frozen=True)
class UserFilter:
    search: str | None = None
    location_id: int | None = None
    configuration_group_id: int | None = None
    team_id: int | None = None
    is_vip: bool | None = None


async def _placement(
    uow: UnitOfWork,
    admin: AdminPrincipal,
    problems: Problems,
    location_id: int,
    group_id: int | None,
) -> tuple[Location | None, ConfigurationGroup | None]:
    """The location and group a user is put into, both within the admin's reach."""
    location = await uow.locations.get(location_id)
    if location is None or not visibility.sees_location(admin, location_id):
        problems.add(ErrorCode.LOCATION_NOT_FOUND, "No such location.", "locationId")
        return None, None
    if group_id is None:
        return location, None
    group = await uow.groups.get(group_id)
    if group is None or group.location_id != location_id:
        problems.add(
            ErrorCode.CONFIGURATION_GROUP_NOT_FOUND,
            "No such configuration group in the user's location.",
            "configurationGroupId",
        )
        return location, None
    return location, group


def _with_names(user: User, changes: UserChanges, problems: Problems) -> User:
    """The user with its changed names and e-mail address, checked."""
    updated = user
    if is_set(changes.first_name):
        updated = replace(
            updated, first_name=problems.optional_name(changes.first_name, "firstName")
        )
    if is_set(changes.last_name):
        updated = replace(updated, last_name=problems.required_name(changes.last_name, "lastName"))
    if is_set(changes.email):
        updated = replace(updated, email=problems.email(changes.email, "email"))
    return updated


async def _with_work_phone(
    uow: UnitOfWork, user: User, updated: User, changes: UserChanges, problems: Problems
) -> User:
    """``updated`` with the changed work phone, checked: no other user's."""
    if not is_set(changes.work_phone):
        return updated
    phone = problems.phone(changes.work_phone, "workPhone")
    if (
        phone
        and problems.fine("workPhone")
        and phone != user.work_phone
        and await uow.users.work_phone_taken(phone, user.id)
    ):
        problems.add(ErrorCode.WORK_PHONE_TAKEN, "Another user has this work phone.", "workPhone")
    return replace(updated, work_phone=phone)


def _with_flags(
    updated: User, changes: UserChanges, problems: Problems, languages: tuple[str, ...]
) -> User:
    """``updated`` with the changed mobile phone, flags and language, checked."""
    if is_set(changes.mobile_phone):
        updated = replace(updated, mobile_phone=problems.phone(changes.mobile_phone, "mobilePhone"))
    if is_set(changes.is_vip):
        updated = replace(updated, is_vip=changes.is_vip)
    if is_set(changes.blocked):
        updated = replace(updated, blocked=changes.blocked)
    if is_set(changes.language):
        updated = replace(
            updated, language=problems.language(changes.language, languages, "language")
        )
    return updated


async def _with_placement(
    uow: UnitOfWork,
    admin: AdminPrincipal,
    problems: Problems,
    user: User,
    updated: User,
    changes: UserChanges,
) -> User:
    """``updated`` in its changed location and group, both checked."""
    if not (is_set(changes.location_id) or is_set(changes.configuration_group_id)):
        return updated
    location_id = changes.location_id if is_set(changes.location_id) else user.location_id
    # Moving to another location leaves the old location's group behind.
    group_id: int | None
    if is_set(changes.configuration_group_id):
        group_id = changes.configuration_group_id
    elif location_id == user.location_id:
        group_id = user.configuration_group_id
    else:
        group_id = None
    await _placement(uow, admin, problems, location_id, group_id)
    return replace(updated, location_id=location_id, configuration_group_id=group_id)


async def _check_new_user(
    uow: UnitOfWork,
    admin: AdminPrincipal,
    problems: Problems,
    new: NewUser,
    login: str,
    work_phone: str | None,
) -> None:
    """Raises the problems of the input so far and those the stored users show."""
    location, _ = await _placement(
        uow, admin, problems, new.location_id, new.configuration_group_id
    )
    if problems.fine("login") and await uow.users.login_taken(login):
        problems.add(ErrorCode.LOGIN_TAKEN, "Another user has this login.", "login")
    if work_phone and problems.fine("workPhone") and await uow.users.work_phone_taken(work_phone):
        problems.add(ErrorCode.WORK_PHONE_TAKEN, "Another user has this work phone.", "workPhone")
    if new.password is not None and location is not None:
        problems.password(location.password_policy, new.password, "password", login=login)
    problems.raise_if_any()


@dataclass(frozen=True)
class Users:
    """Users."""

    uow: UnitOfWork
    audit: AuditTrail
    hasher: PasswordHasher
    # The languages mails exist in (ServiceConfig.languages).
    languages: tuple[str, ...] = ("de", "en")

    async def get_user(self, actor: Principal, user_id: int) -> User:
        if not isinstance(actor, AdminPrincipal):
            require_user(actor)  # NotAuthenticated for anonymous, Forbidden while a change is due
        async with self.uow.reading() as uow:
            user = await uow.users.get(user_id)
        if user is None or not visibility.sees_user(actor, user):
            raise not_found(ErrorCode.USER_NOT_FOUND)
        return visibility.as_read_by(actor, user)

    async def users_page(
        self, actor: Principal, page: PageRequest, filter: UserFilter, *, with_total: bool = True
    ) -> Page[User]:
        query = _users_query(actor, filter)
        async with self.uow.reading() as uow:
            return await uow.users.page(
                query,
                page.after_id,
                page.first,
                with_total=with_total,
                before_id=page.before_id,
                from_end=page.from_end,
            )

    async def users_page_document(
        self, actor: Principal, page: PageRequest, filter: UserFilter, shape: DocumentShape
    ) -> str | None:
        """The page of ``users_page`` as a JSON document of ``shape`` (domain/ports/
        documents.py); None when the store cannot write one. Every user on it is one
        the administrator reads whole (``visibility.sees_private``): the query keeps to its
        locations."""
        query = _users_query(actor, filter)
        # The document is written for a page read forwards only.
        if not self.uow.writes_documents or page.before_id is not None or page.from_end:
            return None
        async with self.uow.reading() as uow:
            return await uow.users.page_document(query, page.after_id, page.first, shape)

    async def create_user(self, actor: Principal, new: NewUser) -> User:
        admin = require_admin(actor)
        problems = Problems()
        login = problems.login(new.login, "login")
        last_name = problems.required_name(new.last_name, "lastName")
        first_name = problems.optional_name(new.first_name, "firstName")
        email = problems.email(new.email, "email")
        work_phone = problems.phone(new.work_phone, "workPhone")
        mobile_phone = problems.phone(new.mobile_phone, "mobilePhone")
        language = problems.language(new.language, self.languages, "language")
        password_hash = None
        if new.password is not None:
            # Refused before the slow hash, hashed before the write lock; the
            # checks run again when storing.
            async with self.uow.reading() as uow:
                await _check_new_user(uow, admin, problems, new, login, work_phone)
            password_hash = await self.hasher.hash(new.password)
        async with self.uow as uow:
            await _check_new_user(uow, admin, problems, new, login, work_phone)
            user = await uow.users.add(
                User(
                    login=login,
                    first_name=first_name,
                    last_name=last_name,
                    email=email,
                    work_phone=work_phone,
                    mobile_phone=mobile_phone,
                    location_id=new.location_id,
                    configuration_group_id=new.configuration_group_id,
                    is_vip=new.is_vip,
                    password_hash=password_hash,
                    # An administrator's choice is a temporary password, as with
                    # setUserPassword: the administrator must not keep knowing it.
                    # The command line's (the demo data) is as given.
                    password_change_required=password_hash is not None and actor != SYSTEM,
                    language=language,
                )
            )
            await self.audit.record_about_and_commit(
                uow,
                actor,
                "USER_CREATED",
                user,
                login=login,
                initial_password=new.password is not None,
            )
        return user

    async def update_user(self, actor: Principal, changes: UserChanges) -> User:
        admin = require_admin(actor)
        problems = Problems()
        async with self.uow as uow:
            user = await uow.users.get(changes.id, for_update=True)
            if user is None or not visibility.sees_location(admin, user.location_id):
                raise not_found(ErrorCode.USER_NOT_FOUND, "id")
            updated = _with_names(user, changes, problems)
            updated = await _with_work_phone(uow, user, updated, changes, problems)
            updated = _with_flags(updated, changes, problems, self.languages)
            updated = await _with_placement(uow, admin, problems, user, updated, changes)
            problems.raise_if_any()
            await uow.users.update(updated)
            if updated.blocked and not user.blocked:
                await uow.sessions.delete_for(SessionSubject.USER, user.id)
                # A set-password link dies with the block (not revived by an unblock).
                await uow.password_links.revoke(user.id)
            # The location before the change: after a move, the old location's
            # sub-administrators still see it (the new ones through the user).
            await self.audit.record_about_and_commit(
                uow,
                actor,
                "USER_UPDATED",
                user,
                fields=changed_fields(changes),
            )
        return updated

    async def delete_user(self, actor: Principal, user_id: int) -> None:
        admin = require_admin(actor)
        async with self.uow as uow:
            user = await uow.users.get(user_id)
            if user is None or not visibility.sees_location(admin, user.location_id):
                raise not_found(ErrorCode.USER_NOT_FOUND, "id")
            for team in (await uow.teams.for_members([user_id])).get(user_id, []):
                if team.member_ids == [user_id]:
                    raise DomainError.of(
                        ErrorCode.LAST_TEAM_MEMBER,
                        f"The user is the last member of team {team.name!r}; "
                        "delete the team first.",
                        "id",
                    )
            await uow.users.delete(user_id)
            await self.audit.record_and_commit(
                uow,
                actor,
                "USER_DELETED",
                scope_location_id=user.location_id,
                user_id=user_id,
                login=user.login,
            )


def _users_query(actor: Principal, filter: UserFilter) -> UserQuery:
    """The users an administrator's page holds: those of its locations that match."""
    admin = require_admin(actor)
    search = (filter.search or "").strip()
    problems = Problems()
    problems.text(search, MAX_SEARCH_LENGTH, "filter", "search")
    problems.raise_if_any()
    return UserQuery(
        search=search or None,
        location_id=filter.location_id,
        configuration_group_id=filter.configuration_group_id,
        team_id=filter.team_id,
        is_vip=filter.is_vip,
        location_ids=visibility.location_scope(admin),
    )
