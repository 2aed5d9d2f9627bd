"""What every service needs: the unit of work and the other ports, and tunables."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from connect_admin.domain.ports import Clock, PasswordHasher, RandomSource, UnitOfWork


@dataclass(frozen=True)
class ServiceConfig:
    session_ttl: timedelta = timedelta(hours=12)
    sign_in_max_failures: int = 10
    sign_in_window: timedelta = timedelta(minutes=15)
    sign_in_lockout: timedelta = timedelta(minutes=15)
    default_page_size: int = 20
    max_page_size: int = 100
    # API tokens record their last use at most this often, to keep reads cheap.
    token_last_use_resolution: timedelta = timedelta(minutes=1)


@dataclass(frozen=True)
class Deps:
    uow: UnitOfWork
    clock: Clock
    hasher: PasswordHasher
    random: RandomSource
    config: ServiceConfig = field(default_factory=ServiceConfig)
