"""SQLAlchemy Core implementations of the repository ports of ``domain.ports``."""

from connect_admin.persistence.repositories._base import Executor
from connect_admin.persistence.repositories.access import (
    SqlAdministratorRepository,
    SqlApiTokenRepository,
    SqlSessionRepository,
    SqlSignInAttemptRepository,
)
from connect_admin.persistence.repositories.audit import SqlAuditRepository
from connect_admin.persistence.repositories.directory import SqlDirectoryDataSourceRepository
from connect_admin.persistence.repositories.locations import (
    SqlConfigurationGroupRepository,
    SqlLocationRepository,
)
from connect_admin.persistence.repositories.mail import (
    SqlEmailGatewayRepository,
    SqlOutboxRepository,
)
from connect_admin.persistence.repositories.teams import SqlTeamRepository
from connect_admin.persistence.repositories.users import (
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
    "SqlSessionRepository",
    "SqlSignInAttemptRepository",
    "SqlTeamRepository",
    "SqlUserRepository",
]
