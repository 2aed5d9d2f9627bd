"""SQLAlchemy Core implementations of the repository ports of ``domain.ports``."""

from persistence.repositories._base import Executor
from persistence.repositories.access import (
    SqlAdministratorRepository,
    SqlApiTokenRepository,
    SqlSessionRepository,
    SqlSignInAttemptRepository,
)
from persistence.repositories.audit import SqlAuditRepository
from persistence.repositories.directory import SqlDirectoryDataSourceRepository
from persistence.repositories.locations import (
    SqlConfigurationGroupRepository,
    SqlLocationRepository,
)
from persistence.repositories.mail import (
    SqlEmailGatewayRepository,
    SqlOutboxRepository,
)
from persistence.repositories.reset_undo import SqlResetUndoRepository
from persistence.repositories.teams import SqlTeamRepository
from persistence.repositories.users import (
    SqlContactRepository,
    SqlRelationshipRepository,
    SqlUserRepository,
)

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
    "SqlOutboxRepository",
    "SqlRelationshipRepository",
    "SqlResetUndoRepository",
    "SqlSessionRepository",
    "SqlSignInAttemptRepository",
    "SqlTeamRepository",
    "SqlUserRepository",
]
