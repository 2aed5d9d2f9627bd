"""The ports the domain needs, by concern; ``persistence/``, ``mail/`` and ``adapters/``
implement them. ``from domain.ports import …`` names any of them."""

from __future__ import annotations

from domain.ports.access import *  # noqa: F403
from domain.ports.documents import *  # noqa: F403
from domain.ports.mail import *  # noqa: F403
from domain.ports.progress import *  # noqa: F403
from domain.ports.repositories import *  # noqa: F403
from domain.ports.security import *  # noqa: F403
from domain.ports.tracing import *  # noqa: F403
from domain.ports.unit_of_work import *  # noqa: F403
from domain.ports.webhooks import *  # noqa: F403
