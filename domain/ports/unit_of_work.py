"""The unit of work: one transaction, and the repositories that work in it."""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from types import TracebackType
from typing import Protocol, Self

from domain.ports.access import (
    AdministratorRepository,
    ApiTokenRepository,
    AuditRepository,
    SessionRepository,
    SignInAttemptRepository,
)
from domain.ports.password_links import PasswordLinkRepository
from domain.ports.repositories import (
    ConfigurationGroupRepository,
    ContactRepository,
    DirectoryDataSourceRepository,
    EmailGatewayRepository,
    LocationRepository,
    MailTemplateRepository,
    OutboxRepository,
    RelationshipRepository,
    ResetUndoRepository,
    TeamRepository,
    UserRepository,
)
from domain.ports.reset_jobs import ResetJobRepository
from domain.ports.webhooks import WebhookRepository

__all__ = [
    "Repositories",
    "UnitOfWork",
]


class Repositories(Protocol):
    """The repositories of a unit of work, declared once: each unit of work (the SQL one,
    the tests' fake) binds one of each. Read-only, so that an adapter's own repository
    types conform."""

    @property
    def locations(self) -> LocationRepository: ...

    @property
    def groups(self) -> ConfigurationGroupRepository: ...

    @property
    def users(self) -> UserRepository: ...

    @property
    def teams(self) -> TeamRepository: ...

    @property
    def relationships(self) -> RelationshipRepository: ...

    @property
    def contacts(self) -> ContactRepository: ...

    @property
    def data_sources(self) -> DirectoryDataSourceRepository: ...

    @property
    def administrators(self) -> AdministratorRepository: ...

    @property
    def api_tokens(self) -> ApiTokenRepository: ...

    @property
    def sessions(self) -> SessionRepository: ...

    @property
    def sign_in_attempts(self) -> SignInAttemptRepository: ...

    @property
    def audit(self) -> AuditRepository: ...

    @property
    def email_gateway(self) -> EmailGatewayRepository: ...

    @property
    def outbox(self) -> OutboxRepository: ...

    @property
    def reset_undo(self) -> ResetUndoRepository: ...

    @property
    def mail_templates(self) -> MailTemplateRepository: ...

    @property
    def webhooks(self) -> WebhookRepository: ...

    @property
    def password_links(self) -> PasswordLinkRepository: ...

    @property
    def reset_jobs(self) -> ResetJobRepository: ...


class UnitOfWork(Repositories, Protocol):
    """One transaction. Leaving the block without ``commit()`` rolls back.

    A unit of work may be entered again after it was left; each entry is a
    new transaction.
    """

    async def __aenter__(self) -> Self: ...
    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...
    async def commit(self) -> None: ...

    def reading(self) -> UnitOfWork:
        """A unit of work for reads only, on its own transaction.

        It never takes a write lock (SQLite's writers would otherwise keep
        readers waiting), and it cannot commit.
        """
        ...

    @property
    def writes_documents(self) -> bool:
        """Whether ``users.page_document`` writes documents here (domain/ports/
        documents.py): asked before a unit of work is entered for one."""
        ...

    def snapshot(self) -> AbstractAsyncContextManager[UnitOfWork]:
        """One read transaction, open for the block: the ``reading()`` units of work
        of the yielded unit of work all use it, so several services' reads cost one
        transaction and see one state. It cannot commit."""
        ...
