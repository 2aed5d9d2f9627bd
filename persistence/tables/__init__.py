"""The database schema as SQLAlchemy Core tables, one module per concern.

The migrations in ``persistence/migrations/versions/`` (0001 and the ones after
it) create exactly this; a test compares the two. The tables are all named here,
so that ``from persistence.tables import users`` needs no module name.
"""

from persistence.tables.access import (
    administrator_locations,
    administrators,
    api_tokens,
    audit_events,
    sign_in_failures,
    sign_in_lockouts,
    sign_in_sessions,
)
from persistence.tables.columns import NAMING_CONVENTION, UtcDateTime, metadata
from persistence.tables.directory import (
    configuration_groups,
    contacts,
    directory_data_sources,
    locations,
    team_members,
    teams,
    user_relationships,
    users,
)
from persistence.tables.mail import email_gateway, mail_templates, outbox
from persistence.tables.password_links import password_links
from persistence.tables.releases import release_compatibility
from persistence.tables.reset_jobs import reset_job_results, reset_jobs
from persistence.tables.reset_undo import reset_undo_records
from persistence.tables.shared_state import cost_budgets, idempotency_keys, operation_progress
from persistence.tables.webhooks import webhook_deliveries, webhook_endpoints

__all__ = [
    "NAMING_CONVENTION",
    "UtcDateTime",
    "administrator_locations",
    "administrators",
    "api_tokens",
    "audit_events",
    "configuration_groups",
    "contacts",
    "cost_budgets",
    "directory_data_sources",
    "email_gateway",
    "idempotency_keys",
    "locations",
    "mail_templates",
    "metadata",
    "operation_progress",
    "outbox",
    "password_links",
    "release_compatibility",
    "reset_job_results",
    "reset_jobs",
    "reset_undo_records",
    "sign_in_failures",
    "sign_in_lockouts",
    "sign_in_sessions",
    "team_members",
    "teams",
    "user_relationships",
    "users",
    "webhook_deliveries",
    "webhook_endpoints",
]
