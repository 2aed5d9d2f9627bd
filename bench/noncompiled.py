"""The non-compiled path (issue 14): requests the compiled executor (gql/compiled/)
does not answer, so Strawberry and graphql-core execute them field by field.

Two loads, each one wrk script:

- ``details``: a user's details with everything the user has (teams, relationships,
  effective and own settings, contacts), ``node(id:)`` as the SPA's details screen
  asks (its USER_DETAILS document plus the user's data), over many users: the
  users with own relationships, settings and contacts and as many others.
- ``mutations``: the SPA's mutations that repeat without piling up state, with its
  own documents (``server/admin/queries.js``): the dry run of a reset of a page of
  25 users (all six options), the dry run of undoing a reset (one real reset of the
  client settings of 25 users at the start, whose undo stays available), and the
  E-Mail Gateway configured with what it already has (an audit event each time).

Per document, in-process one at a time: whether the compiled executor answered it
(never, or the figure measures the wrong path) and ms per request.
"""

from __future__ import annotations

import json
from typing import Any

import httpx

from bench.spa import ALL_SIX, PAGE, _data, request, timed
from server.ui.web_admin import documents

DETAILS = """query UserDetailsFull($id: ID!) {
  node(id: $id) { ... on User {
    id login firstName lastName displayName email workPhone mobilePhone isVip blocked
    passwordChangeRequired voicemailPinState defaultRelationship
    configurationGroup { id name }
    location { id name passwordPolicy { minLength maxLength requireUppercase
                                        requireLowercase requireDigit requireSymbol } }
    teams { id name relationship }
    relationships { level source target { id displayName } }
    clientSettings { key value } presenceSettings { key value }
    clientSettingOverrides { key value } presenceSettingOverrides { key value }
    contacts { id displayName dataSource { id name active } user { id displayName } }
  } }
}"""

# (what it is, the load's name, the document's name or DETAILS)
DOCUMENTS = (
    ("user details, all data", "details", "DETAILS"),
    ("resetUsers dry run, 25 users", "mutations", "RESET_USERS"),
    ("undoReset dry run, 25 users", "mutations", "UNDO_RESET"),
    ("configureEmailGateway, same input", "mutations", "CONFIGURE_GATEWAY"),
)
LOADS = ("details", "mutations")


def _gid(type_name: str, pk: int) -> str:
    from gql.ids import to_global_id

    return to_global_id(type_name, pk)


async def bodies(
    url: str, token: str, user_ids: list[int], with_own_data: list[int], rounds: int
) -> dict[str, list[tuple[str, str]]]:
    """The bodies of both loads, as (document name, body), each checked to answer
    without errors."""
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    own = with_own_data[: 4 * rounds]
    others = [u for u in user_ids[:: max(1, len(user_ids) // (4 * rounds))] if u not in set(own)]
    details = [
        ("DETAILS", json.dumps({"query": DETAILS, "variables": {"id": _gid("User", pk)}}))
        for pair in zip(own, others, strict=False)
        for pk in pair
    ]
    async with httpx.AsyncClient(timeout=60, headers=headers) as client:
        gateway = (await _data(client, url, "GATEWAY"))["emailGateway"]
        same = {key: gateway[key] for key in ("host", "port", "security", "senderAddress")}
        same["senderName"] = gateway["senderName"]
        # One real reset whose undo the dry runs check: the client settings of the
        # last 25 users (no mail, no hash).
        undone = [_gid("User", pk) for pk in user_ids[-PAGE:]]
        options = dict.fromkeys(ALL_SIX, False) | {"resetClientSettings": True}
        reset = await _data(client, url, "RESET_USERS", ids=undone, options=options,
                            dryRun=False, operationId=None)  # fmt: skip
        reset_id = reset["resetUsers"]["resetId"]
        if not reset_id:
            raise RuntimeError(f"the reset to undo gave no resetId: {str(reset)[:500]}")
        mutations = []
        for r in range(rounds):
            page = [_gid("User", pk) for pk in user_ids[r * PAGE : (r + 1) * PAGE]]
            mutations += [
                request(
                    "RESET_USERS",
                    {"ids": page, "options": ALL_SIX, "dryRun": True, "operationId": None},
                ),
                request("UNDO_RESET", {"resetId": reset_id, "dryRun": True}),
                request("CONFIGURE_GATEWAY", {"input": same}),
            ]
        found = {"details": details, "mutations": mutations}
        for load in found.values():
            for name, body in load:
                answer = (await client.post(url, content=body)).json()
                if answer.get("errors") or _payload_errors(answer):
                    raise RuntimeError(f"{name} answered with errors: {str(answer)[:500]}")
    return found


def _payload_errors(answer: dict[str, Any]) -> list[Any]:
    data = answer.get("data") or {}
    return [
        e for value in data.values() if isinstance(value, dict) for e in value.get("errors") or []
    ]


async def per_document(
    client: httpx.AsyncClient, found: dict[str, list[tuple[str, str]]], repeat: int = 20
) -> dict[str, dict[str, Any]]:
    """In-process, one at a time: per document, whether the compiled executor answered
    and the ms per request."""
    result = {}
    for label, load, name in DOCUMENTS:
        mine = [body for n, body in found[load] if n == name]
        compiled, ms = await timed(client, name, mine, repeat)
        result[label] = {"document": name, "compiled": any(compiled), "ms": ms}
    return result


def documents_known() -> None:
    """Fails early when the SPA renamed a document the mutations load sends."""
    missing = {name for _, _, name in DOCUMENTS if name != "DETAILS"} - set(documents())
    if missing:
        raise RuntimeError(f"queries.js has no {', '.join(sorted(missing))}")
