"""The unit of work: one connection and one transaction per ``async with``."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from types import TracebackType
from typing import TYPE_CHECKING, Self

from sqlalchemy.exc import PendingRollbackError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from domain.errors import ServiceUnavailable
from domain.ports import UnitOfWork
from persistence.database import READ_ONLY_OPTION
from persistence.repositories import (
    Executor,
    SqlAdministratorRepository,
    SqlApiTokenRepository,
    SqlAuditRepository,
    SqlConfigurationGroupRepository,
    SqlContactRepository,
    SqlDirectoryDataSourceRepository,
    SqlEmailGatewayRepository,
    SqlLocationRepository,
    SqlMailTemplateRepository,
    SqlOutboxRepository,
    SqlRelationshipRepository,
    SqlResetUndoRepository,
    SqlSessionRepository,
    SqlSignInAttemptRepository,
    SqlTeamRepository,
    SqlUserRepository,
    SqlWebhookRepository,
)
from persistence.repositories.document_json import json_of
from persistence.repositories.password_links import SqlPasswordLinkRepository
from persistence.repositories.reset_jobs import SqlResetJobRepository


class SqlAlchemyUnitOfWork:
    """Implements :class:`domain.ports.UnitOfWork`.

    Each entry checks out a connection and begins a transaction; ``commit()``
    commits it, leaving the block without commit rolls back, and the
    connection goes back to the pool. Statements after a ``commit()`` run in a
    new transaction. The repositories exist only inside the block. Statements
    of one unit of work never overlap (see :class:`Executor`), so repository
    calls may be gathered concurrently. One unit of work is not re-entrant:
    nest two instances instead.

    After the database refused a statement (an ``IntegrityError``, say) the
    transaction is spoilt: ``commit()`` raises ``PendingRollbackError`` on
    every backend; ``rollback()`` starts afresh. Check first (``login_taken``
    …) rather than catch a violation and go on.
    """

    def __init__(
        self,
        engine: AsyncEngine,
        *,
        read_only: bool = False,
        borrowed: Executor | None = None,
        consistent: bool = False,
    ) -> None:
        self._engine = engine
        self._read_only = read_only
        # Reads that must see one state (a snapshot), not each statement its own.
        self._consistent = consistent
        # A snapshot's transaction: entering binds to it instead of checking out a connection.
        self._borrowed = borrowed
        self._executor: Executor | None = None

    def reading(self) -> SqlAlchemyUnitOfWork:
        return SqlAlchemyUnitOfWork(self._engine, read_only=True, borrowed=self._borrowed)

    @property
    def writes_documents(self) -> bool:
        return json_of(self._engine.dialect.name) is not None

    @asynccontextmanager
    async def snapshot(self) -> AsyncIterator[SqlAlchemyUnitOfWork]:
        """One read transaction for several services' reads (a page and its look-ups).

        Each checkout, BEGIN and ROLLBACK costs about as much as a small statement,
        so a request that reads five things reads them in one. On PostgreSQL the
        transaction is REPEATABLE READ, so its statements all see one state.
        """
        async with SqlAlchemyUnitOfWork(self._engine, read_only=True, consistent=True) as reader:
            yield SqlAlchemyUnitOfWork(self._engine, read_only=True, borrowed=reader.executor)

    @property
    def executor(self) -> Executor:
        """The current transaction's executor, for adapters that add their own tables."""
        if self._executor is None:
            raise RuntimeError("the unit of work is not entered")
        return self._executor

    @property
    def connection(self) -> AsyncConnection:
        return self.executor.connection

    async def __aenter__(self) -> Self:
        if self._executor is not None:
            raise RuntimeError("this unit of work is already entered")
        if self._borrowed is not None:
            self._bind(self._borrowed)
            return self
        try:
            connection = await self._engine.connect()
        except PoolTimeout:
            # Every pooled connection stayed busy for the pool's whole timeout: the
            # server is saturated, which the caller must hear as "try again", not as
            # an internal error.
            raise ServiceUnavailable(
                "The database is busy: no connection became free in time.", retry_after=1
            ) from None
        try:
            options = self._connection_options(connection.dialect.name)
            if options:
                await connection.execution_options(**options)
            await connection.begin()
        except BaseException:
            await connection.close()
            raise
        self._bind(Executor(connection))
        return self

    def _connection_options(self, dialect: str) -> dict[str, object]:
        if not self._read_only:
            return {}
        if dialect != "postgresql":
            # Seen by the SQLite engine's BEGIN (persistence/database.py): deferred.
            return {READ_ONLY_OPTION: True}
        if self._consistent:
            return {"isolation_level": "REPEATABLE READ", "postgresql_readonly": True}
        # Reads without BEGIN and ROLLBACK (two round trips): each statement sees what
        # was committed before it, as in a READ COMMITTED transaction.
        return {"isolation_level": "AUTOCOMMIT"}

    def _bind(self, executor: Executor) -> None:
        self._executor = executor
        self.locations = SqlLocationRepository(executor)
        self.groups = SqlConfigurationGroupRepository(executor)
        self.users = SqlUserRepository(executor)
        self.teams = SqlTeamRepository(executor)
        self.relationships = SqlRelationshipRepository(executor)
        self.contacts = SqlContactRepository(executor)
        self.data_sources = SqlDirectoryDataSourceRepository(executor)
        self.administrators = SqlAdministratorRepository(executor)
        self.api_tokens = SqlApiTokenRepository(executor)
        self.sessions = SqlSessionRepository(executor)
        self.sign_in_attempts = SqlSignInAttemptRepository(executor)
        self.audit = SqlAuditRepository(executor)
        self.email_gateway = SqlEmailGatewayRepository(executor)
        self.outbox = SqlOutboxRepository(executor)
        self.reset_undo = SqlResetUndoRepository(executor)
        self.mail_templates = SqlMailTemplateRepository(executor)
        self.webhooks = SqlWebhookRepository(executor)
        self.password_links = SqlPasswordLinkRepository(executor)
        self.reset_jobs = SqlResetJobRepository(executor)

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        executor = self.executor
        self._executor = None
        if self._borrowed is not None:
            return  # the snapshot's owner ends its transaction
        connection = executor.connection
        try:
            async with executor.lock:
                if connection.in_transaction():
                    await connection.rollback()
        finally:
            await connection.close()

    async def commit(self) -> None:
        if self._read_only:
            raise RuntimeError("a unit of work for reading cannot commit")
        executor = self.executor
        async with executor.lock:
            if executor.failed:
                raise PendingRollbackError(
                    "a statement of this transaction failed; it can only be rolled back"
                )
            await executor.connection.commit()

    async def rollback(self) -> None:
        """Discards the changes so far; the block may go on in a new transaction."""
        executor = self.executor
        async with executor.lock:
            await executor.connection.rollback()
            executor.failed = False


if TYPE_CHECKING:

    def _conforms(engine: AsyncEngine) -> UnitOfWork:
        return SqlAlchemyUnitOfWork(engine)
