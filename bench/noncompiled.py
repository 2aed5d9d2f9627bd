"""The non-compiled path: requests the compiled executor (gql/compiled/)
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

import asyncio
import json
import statistics
from pathlib import Path
from typing import Any

import httpx

from bench.database import settings_for
from bench.measure import measure_load, write_lua
from bench.model import Profile, Result, log
from bench.processes import Server
from bench.spa import ALL_SIX, PAGE, data_of, in_process, request, timed
from gql.ids import to_global_id
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


async def bodies(
    url: str, token: str, user_ids: list[int], with_own_data: list[int], rounds: int
) -> dict[str, list[tuple[str, str]]]:
    """The bodies of both loads, as (document name, body), each checked to answer
    without errors."""
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    own = with_own_data[: 4 * rounds]
    others = [u for u in user_ids[:: max(1, len(user_ids) // (4 * rounds))] if u not in set(own)]
    details = [
        ("DETAILS", json.dumps({"query": DETAILS, "variables": {"id": to_global_id("User", pk)}}))
        for pair in zip(own, others, strict=False)
        for pk in pair
    ]
    async with httpx.AsyncClient(timeout=60, headers=headers) as client:
        gateway = (await data_of(client, url, "GATEWAY"))["emailGateway"]
        same = {key: gateway[key] for key in ("host", "port", "security", "senderAddress")}
        same["senderName"] = gateway["senderName"]
        # One real reset whose undo the dry runs check: the client settings of the
        # last 25 users (no mail, no hash).
        undone = [to_global_id("User", pk) for pk in user_ids[-PAGE:]]
        options = dict.fromkeys(ALL_SIX, False) | {"resetClientSettings": True}
        reset = await data_of(client, url, "RESET_USERS", ids=undone, options=options,
                            dryRun=False, operationId=None)  # fmt: skip
        reset_id = reset["resetUsers"]["resetId"]
        if not reset_id:
            raise RuntimeError(f"the reset to undo gave no resetId: {str(reset)[:500]}")
        mutations = []
        for r in range(rounds):
            page = [to_global_id("User", pk) for pk in user_ids[r * PAGE : (r + 1) * PAGE]]
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


def measure(
    result: Result, kind: str, profile: Profile, seeded: Any, token: str, ours: Server,
    env: dict[str, str], pages: Path, workdir: Path,
) -> None:  # fmt: skip
    """Issue 14: what graphql-core executes field by field. The users page with
    compiled execution off (its own server), then the user details and the SPA's
    mutations (bench/noncompiled.py) against ours, each in-process and under wrk."""
    log(f"{kind}: read path, compiled execution off (1 worker)")
    off = Server("ours", {**env, "CONNECT_COMPILED_EXECUTION": "false"}, workdir)
    try:
        off.wait_ready()
        page_ms = 1000 / 20  # about 20 pages/s: the window needs a few rounds
        result.rows["read_off"] = measure_load(off, pages, profile, page_ms=page_ms)
    finally:
        off.stop()
    log(f"{kind}: the non-compiled path (user details, mutations)")
    documents_known()
    found = asyncio.run(bodies(
        ours.url, token, seeded.user_ids, seeded.with_own_data, rounds=profile.pages // 4
    ))  # fmt: skip
    url, key = env["CONNECT_DATABASE_URL"], env["CONNECT_SECRET_KEY"]

    async def one_at_a_time() -> dict[str, dict[str, Any]]:
        async with in_process(url, settings_for(url, key), token) as (client, _):
            return await per_document(client, found)

    timings = asyncio.run(one_at_a_time())
    result.rows["noncompiled_documents"] = timings
    for load in LOADS:
        lua = workdir / f"noncompiled-{load}-{kind}.lua"
        write_lua(lua, [body for _, body in found[load]], token)
        ms = statistics.mean(timings[label]["ms"] for label, mine, _ in DOCUMENTS if mine == load)
        result.rows[f"noncompiled_{load}"] = measure_load(ours, lua, profile, page_ms=ms)
