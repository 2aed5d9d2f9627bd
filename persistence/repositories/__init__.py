"""SQLAlchemy Core implementations of the repository ports of ``domain.ports``: a
module per repository, named for what it stores."""

from persistence.repositories._base import Executor
from persistence.repositories.administrators import SqlAdministratorRepository
from persistence.repositories.api_tokens import SqlApiTokenRepository
from persistence.repositories.audit import SqlAuditRepository
from persistence.repositories.configuration_groups import SqlConfigurationGroupRepository
from persistence.repositories.contacts import SqlContactRepository
from persistence.repositories.directory import SqlDirectoryDataSourceRepository
from persistence.repositories.email_gateway import SqlEmailGatewayRepository
from persistence.repositories.locations import SqlLocationRepository
from persistence.repositories.mail_templates import SqlMailTemplateRepository
from persistence.repositories.outbox import SqlOutboxRepository
from persistence.repositories.relationships import SqlRelationshipRepository
from persistence.repositories.reset_undo import SqlResetUndoRepository
from persistence.repositories.sessions import SqlSessionRepository
from persistence.repositories.sign_in_attempts import SqlSignInAttemptRepository
from persistence.repositories.teams import SqlTeamRepository
from persistence.repositories.users import SqlUserRepository
from persistence.repositories.webhooks import SqlWebhookRepository

__all__ = [
    "Executor",
    "SqlAdministratorRepository",
    "SqlApiTokenRepository",
    "SqlAuditRepository",
    "SqlConfigurationGroupRepository",
    "SqlContactRepository",
    "SqlDirectoryDataSourceRepository",
    "SqlEmailGatewayRepository",
    "SqlLocationRepository",
    "SqlMailTemplateRepository",
    "SqlOutboxRepository",
    "SqlRelationshipRepository",
    "SqlResetUndoRepository",
    "SqlSessionRepository",
    "SqlSignInAttemptRepository",
    "SqlTeamRepository",
    "SqlUserRepository",
    "SqlWebhookRepository",
]
