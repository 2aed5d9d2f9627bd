"""The API's public identifiers: base64url of ``Type:number``.

The GraphQL layer reads and writes them (``gql/ids.py``); the domain names its
objects by them where it speaks to the outside without GraphQL (webhook payloads).
"""

from __future__ import annotations

import base64
import functools


# A users page makes some 500 ids, mostly of the same locations, groups and teams.
@functools.lru_cache(maxsize=16_384)
def to_global_id(type_name: str, pk: int) -> str:
    return base64.urlsafe_b64encode(f"{type_name}:{pk}".encode()).decode().rstrip("=")
