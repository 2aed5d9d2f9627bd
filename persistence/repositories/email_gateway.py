"""The one E-Mail Gateway."""

from __future__ import annotations

import functools
from typing import Any

from sqlalchemy import Executable, Row, bindparam, select

from domain.model import (
    EmailGateway,
    SmtpSecurity,
)
from persistence.repositories._base import Executor, row_values
from persistence.tables import email_gateway
from persistence.upsert import upsert_into

# The id of the one gateway row (a CHECK constraint allows no other).
GATEWAY_ID = 1
_GET_GATEWAY = select(email_gateway).where(email_gateway.c.id == GATEWAY_ID)


def _gateway(row: Row[Any]) -> EmailGateway:
    return EmailGateway(
        host=row.host,
        port=row.port,
        security=SmtpSecurity[row.security],
        sender_address=row.sender_address,
        sender_name=row.sender_name,
        username=row.username,
        password_ciphertext=row.password_ciphertext,
    )


class SqlEmailGatewayRepository:
    def __init__(self, executor: Executor) -> None:
        self._ex = executor

    async def get(self) -> EmailGateway | None:
        return await self._ex.first(_GET_GATEWAY, _gateway)

    async def save(self, gateway: EmailGateway) -> None:
        """Creates the gateway or replaces every field of it."""
        values = row_values(gateway, email_gateway, security=gateway.security.name)
        statement = _save_gateway(self._ex.dialect_name, tuple(values))
        await self._ex.execute(statement, values)


@functools.cache
def _save_gateway(dialect_name: str, columns: tuple[str, ...]) -> Executable:
    """The upsert of the gateway row, built once: building it (its ``excluded``
    columns) and its cache key cost more than running it."""
    insert_ = upsert_into(dialect_name, email_gateway).values(
        id=GATEWAY_ID, **{name: bindparam(name) for name in columns}
    )
    return insert_.on_conflict_do_update(
        index_elements=[email_gateway.c.id], set_={name: insert_.excluded[name] for name in columns}
    )
