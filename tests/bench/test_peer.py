"""The benchmark's comparison with PostGraphile: both answers in one shape, and how
the report and the targets speak of the peer (bench/peer.py, bench/targets.py)."""

from __future__ import annotations

import copy
from typing import Any

from bench.cells import peer_cell, same_peer, trio
from bench.peer import first_difference, from_ours, from_peer
from bench.targets import SAME_AS_PEER, SAME_JSON, judge
from gql.ids import to_global_id


def ours(teams: list[tuple[int, str]], group: bool = True, vip: bool = False) -> dict[str, Any]:
    return {"data": {"users": {"edges": [{"node": {
        "id": to_global_id("User", 7), "login": "user00007", "displayName": "Greta Becker",
        "email": "user00007@bench.example", "isVip": vip,
        "location": {"id": to_global_id("Location", 10), "name": "Location 10"},
        "configurationGroup": {"id": to_global_id("ConfigurationGroup", 31),
                               "name": "Group 031"} if group else None,
        "teams": [{"id": to_global_id("Team", pk), "name": name} for pk, name in teams],
        "defaultRelationship": None if vip else "EXTERNAL" if group else "EMPLOYEE",
    }}]}}}  # fmt: skip


def peer(teams: list[tuple[int, str]], group: bool = True, vip: bool = False) -> dict[str, Any]:
    return {"data": {"allUsers": {"nodes": [{
        "rowId": 7, "login": "user00007", "firstName": "Greta", "lastName": "Becker",
        "email": "user00007@bench.example", "isVip": vip,
        "locationByLocationId": {"rowId": 10, "name": "Location 10",
                                 "defaultRelationship": "EMPLOYEE"},
        "configurationGroupByConfigurationGroupId": {
            "rowId": 31, "name": "Group 031", "defaultRelationship": "EXTERNAL"
        } if group else None,
        "teamMembersByUserId": {"nodes": [{"teamByTeamId": {"rowId": pk, "name": name}}
                                          for pk, name in teams]},
    }]}}}  # fmt: skip


TEAMS = [(3, "Team B"), (11, "Team A"), (20, "Team C")]
BY_NAME = [(11, "Team A"), (3, "Team B"), (20, "Team C")]


def test_the_same_users_are_the_same_in_one_shape_whatever_the_order_of_teams() -> None:
    assert first_difference(from_ours(ours(BY_NAME)), from_peer(peer(TEAMS))) is None


def test_the_default_relationship_is_derived_as_ours_derives_it() -> None:
    for group in (True, False):
        for vip in (True, False):
            a = from_ours(ours(BY_NAME, group=group, vip=vip))
            assert first_difference(a, from_peer(peer(TEAMS, group=group, vip=vip))) is None


def test_the_first_difference_names_the_user_and_the_field() -> None:
    other = peer(TEAMS[:2])
    assert first_difference(from_ours(ours(BY_NAME)), from_peer(other)) == (
        "user 7, teams: ours [[11, 'Team A'], [3, 'Team B'], [20, 'Team C']], "
        "PostGraphile [[11, 'Team A'], [3, 'Team B']]"
    )
    moved = peer(TEAMS)
    moved["data"]["allUsers"]["nodes"][0]["rowId"] = 8
    assert first_difference(from_ours(ours(BY_NAME)), from_peer(moved)) == (
        "other users: ours 1 from id 7, PostGraphile 1 from id 8"
    )


LOAD = {"rps": 100.0, "p50_ms": 100.0, "p99_ms": 200.0, "socket_errors": 0,
        "status_errors": 0, "server_cpu_ms_per_req": 9.5}  # fmt: skip


def measured(peer_rps: float, peer_p99: float) -> dict[str, Any]:
    rows: dict[str, Any] = {
        "same_json": SAME_JSON, "same_peer": SAME_AS_PEER, "read_ours": LOAD,
        "read_base": copy.deepcopy(LOAD),
        "read_peer": {**LOAD, "rps": peer_rps, "p99_ms": peer_p99},
    }  # fmt: skip
    return rows


def verdicts(rows: dict[str, Any]) -> dict[str, tuple[bool, bool, str]]:
    return {
        v.target: (v.met, v.judged, v.why)
        for v in judge("postgresql", rows, cores=2)
        if "PostGraphile" in v.target
    }


def test_ours_against_postgraphile_is_judged_by_req_per_s_and_p99() -> None:
    assert verdicts(measured(peer_rps=70.0, peer_p99=250.0)) == {
        "same answers as PostGraphile (one shape), no failed request": (True, True, ""),
        "read: ours / PostGraphile req/s >= 1.3": (True, True, ""),
        "read: ours p99 <= PostGraphile p99": (True, True, ""),
    }
    missed = verdicts(measured(peer_rps=90.0, peer_p99=150.0))
    assert missed["read: ours / PostGraphile req/s >= 1.3"][0] is False
    assert missed["read: ours p99 <= PostGraphile p99"][0] is False


def test_a_difference_from_postgraphile_is_not_met_and_says_where() -> None:
    rows = {**measured(70.0, 250.0), "same_peer": "differs: page 1: user 7, login: ..."}
    found = verdicts(rows)["same answers as PostGraphile (one shape), no failed request"]
    assert found == (False, True, "differs: page 1: user 7, login: ...")


def test_without_the_peer_its_targets_are_not_judged_and_say_why() -> None:
    rows = measured(70.0, 250.0)
    del rows["read_peer"], rows["same_peer"]
    rows["peer_not_run"] = "npm not found"
    found = verdicts(rows)
    why = "not measured: PostGraphile did not run: npm not found"
    assert set(found.values()) == {(False, False, why)}
    assert len(found) == 3
    assert peer_cell(rows, lambda: "65.1", why=True) == "not run: npm not found"
    assert peer_cell(rows, lambda: "65.1") == "not run"
    assert same_peer(rows) == "not run"


def test_sqlite_has_no_peer_targets_and_its_cells_stay_empty() -> None:
    rows: dict[str, Any] = {"same_json": SAME_JSON, "read_ours": LOAD, "read_base": LOAD}
    assert not [v for v in judge("sqlite", rows, cores=2) if "PostGraphile" in v.target]
    assert same_peer(rows) == "-"
    assert trio(rows, lambda d: d["server_cpu_ms_per_req"], "{:.1f}") == "9.5 / 9.5 / -"
