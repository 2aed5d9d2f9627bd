"""All the use cases, each built with exactly the ports it uses.

The composition root (``server/container.py``) makes one ``Services`` per caller:
its own unit of work (a unit of work runs one transaction at a time, and
resolvers run concurrently), the other adapters shared. A service is built on
first use, so a caller pays only for what it calls.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from domain.ports import (
    Clock,
    MailSender,
    PasswordHasher,
    RandomSource,
    SecretBox,
    UnitOfWork,
)
from domain.services.administrators import Administrators
from domain.services.audit import Audit, AuditTrail
from domain.services.auth import Auth
from domain.services.config import ServiceConfig
from domain.services.credentials import Credentials
from domain.services.data_sources import DataSources
from domain.services.groups import Groups
from domain.services.locations import Locations
from domain.services.lookups import Lookups
from domain.services.mail import MailGateway
from domain.services.me import Me
from domain.services.outbox import Outbox
from domain.services.relationships import Relationships
from domain.services.reset import Resets
from domain.services.reset_undo import ResetUndo
from domain.services.teams import Teams
from domain.services.users import Users


@dataclass(frozen=True)
class Services:
    uow: UnitOfWork
    clock: Clock
    hasher: PasswordHasher
    random: RandomSource
    secrets: SecretBox
    mailer: MailSender
    config: ServiceConfig = field(default_factory=ServiceConfig)

    @cached_property
    def audit_trail(self) -> AuditTrail:
        return AuditTrail(self.clock)

    @cached_property
    def administrators(self) -> Administrators:
        return Administrators(self.uow, self.clock, self.audit_trail, self.hasher)

    @cached_property
    def audit(self) -> Audit:
        return Audit(self.uow)

    @cached_property
    def auth(self) -> Auth:
        return Auth(self.uow, self.clock, self.audit_trail, self.hasher, self.random, self.config)

    @cached_property
    def credentials(self) -> Credentials:
        return Credentials(
            self.uow,
            self.clock,
            self.audit_trail,
            self.hasher,
            self.random,
            self.secrets,
            self.config,
        )

    @cached_property
    def data_sources(self) -> DataSources:
        return DataSources(self.uow, self.audit_trail)

    @cached_property
    def groups(self) -> Groups:
        return Groups(self.uow, self.audit_trail)

    @cached_property
    def locations(self) -> Locations:
        return Locations(self.uow, self.audit_trail)

    @cached_property
    def lookups(self) -> Lookups:
        return Lookups(self.uow)

    @cached_property
    def mail(self) -> MailGateway:
        return MailGateway(self.uow, self.audit_trail, self.secrets, self.mailer)

    @cached_property
    def me(self) -> Me:
        return Me(self.uow, self.audit_trail)

    @cached_property
    def outbox(self) -> Outbox:
        return Outbox(
            self.uow, self.clock, self.audit_trail, self.secrets, self.mailer, self.config
        )

    @cached_property
    def relationships(self) -> Relationships:
        return Relationships(self.uow)

    @cached_property
    def reset(self) -> Resets:
        return Resets(
            self.uow,
            self.clock,
            self.audit_trail,
            self.hasher,
            self.random,
            self.secrets,
            self.config,
        )

    @cached_property
    def reset_undo(self) -> ResetUndo:
        return ResetUndo(self.uow, self.clock, self.audit_trail, self.config)

    @cached_property
    def teams(self) -> Teams:
        return Teams(self.uow, self.audit_trail)

    @cached_property
    def users(self) -> Users:
        return Users(self.uow, self.audit_trail, self.hasher)
