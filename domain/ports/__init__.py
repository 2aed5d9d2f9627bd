"""The ports the domain needs, by concern; ``persistence/``, ``mail/`` and ``adapters/``
implement them. Importing from ``domain.ports`` names any of them."""

from __future__ import annotations

from domain.ports.mail import (
    Delivery,
    DeliveryOutcome,
    MailConnection,
    MailMessage,
    MailSender,
    SmtpSettings,
)
from domain.ports.progress import (
    FinishedRun,
    ProgressClaim,
    ProgressKey,
    ProgressSnapshot,
    ProgressStore,
    StoredProgress,
)
from domain.ports.repositories import (
    AdministratorRepository,
    ApiTokenRepository,
    AuditQuery,
    AuditRepository,
    ConfigurationGroupRepository,
    ContactRepository,
    DirectoryDataSourceRepository,
    EmailGatewayRepository,
    LocationRepository,
    OutboxRepository,
    Page,
    RelationshipRepository,
    SessionRepository,
    SignInAttemptRepository,
    TeamRepository,
    UserQuery,
    UserRepository,
)
from domain.ports.security import (
    Clock,
    PasswordHasher,
    RandomSource,
    SecretBox,
)
from domain.ports.unit_of_work import (
    Repositories,
    UnitOfWork,
)

__all__ = [
    "AdministratorRepository",
    "ApiTokenRepository",
    "AuditQuery",
    "AuditRepository",
    "Clock",
    "ConfigurationGroupRepository",
    "ContactRepository",
    "Delivery",
    "DeliveryOutcome",
    "DirectoryDataSourceRepository",
    "EmailGatewayRepository",
    "FinishedRun",
    "LocationRepository",
    "MailConnection",
    "MailMessage",
    "MailSender",
    "OutboxRepository",
    "Page",
    "PasswordHasher",
    "ProgressClaim",
    "ProgressKey",
    "ProgressSnapshot",
    "ProgressStore",
    "RandomSource",
    "RelationshipRepository",
    "Repositories",
    "SecretBox",
    "SessionRepository",
    "SignInAttemptRepository",
    "SmtpSettings",
    "StoredProgress",
    "TeamRepository",
    "UnitOfWork",
    "UserQuery",
    "UserRepository",
]
