"""The benchmark's verdicts cannot say "met" when it was not (bench/targets.py,
bench/hostile.py, bench/report.py): hand-made rows of a run for each way a
figure can be missing or wrong."""

from __future__ import annotations

import copy
import subprocess
from pathlib import Path
from typing import Any

import pytest

from bench import hostile
from bench.model import Profile, Result
from bench.report import commit_of, report
from bench.targets import SAME_AS_PEER, SAME_JSON, Verdict, judge, summary

LOAD = {"rps": 100.0, "p50_ms": 40.0, "p99_ms": 100.0, "socket_errors": 0, "status_errors": 0,
        "peak_rss_mb": 150.0, "machine_busy_cores": 1.0}  # fmt: skip
RESET = {"seconds": 3.0, "statuses": {"SUCCEEDED": 1000}, "errors": [], "probe_p99_ms": 40.0,
         "probe_failures": 0}  # fmt: skip
REFUSED = {"ms": 4.0, "status": 200, "code": "QUERY_TOO_COSTLY", "sends": 10, "executed": 0.0,
           "answers": {"200 QUERY_TOO_COSTLY": 10}, "metrics_error": ""}  # fmt: skip
# A PostgreSQL run that meets every target: 20 of them.
MET = {
    "same_json": SAME_JSON, "same_peer": SAME_AS_PEER,
    "read_ours": LOAD, "read_base": {**LOAD, "rps": 150.0},
    "read_peer": {**LOAD, "rps": 70.0, "p99_ms": 250.0},
    "read_two": {**LOAD, "rps": 170.0, "machine_busy_cores": 1.9,
                 "server_cpu_pct_each": [90.0, 88.0]},
    "mail": {"queued": 1000, "sent": 1000, "seconds": 5.0, "smtp_connections": 1},
    "reset_n": 1000, "hash_s": 0.028, "hash_all_s": 0.032,
    "reset5": RESET, "reset6": {**RESET, "seconds": 17.0}, "reset6_probed": RESET,
    "reset_statements": {"five": [[10, 12], [100, 12]], "six": [[10, 14], [100, 14]]},
    "hostile": {
        "aliased": REFUSED, "fragments": REFUSED, "bystander_n": 500, "bystander_p50_ms": 10.0,
        "bystander_p99_ms": 50.0, "bystander_failures": 0, "bystander_5xx": 0,
        "bystander_first_failure": None, "rss_before_kib": 100 * 1024,
        "rss_peak_kib": 150 * 1024, "rss_after_kib": 110 * 1024,
    },
    "noncompiled_details": {**LOAD, "rps": 20.0}, "noncompiled_mutations": {**LOAD, "rps": 100.0},
}  # fmt: skip
ALL = 20


def rows(**changes: Any) -> dict[str, Any]:
    """The rows that meet everything, with ``changes`` (a value of None: left out)."""
    found = copy.deepcopy(MET)
    for key, value in changes.items():
        if value is None:
            del found[key]
        else:
            found[key] = value
    return found


def by_target(found: list[Verdict]) -> dict[str, Verdict]:
    return {v.target: v for v in found}


def unmet(found: list[Verdict]) -> dict[str, Verdict]:
    return {v.target: v for v in found if not v.met}


def test_a_run_with_every_figure_meets_every_target() -> None:
    found = judge("postgresql", rows(), cores=2)
    assert len(found) == ALL
    assert unmet(found) == {}
    assert summary(found) == f"targets: {ALL} of {ALL} met"


def test_a_peer_that_silently_did_not_run_is_not_measured_and_counted() -> None:
    found = judge("postgresql", rows(read_peer=None, same_peer=None), cores=2)
    assert len(found) == ALL
    missed = unmet(found)
    assert sorted(missed) == [
        "read: ours / PostGraphile req/s >= 1.3",
        "read: ours p99 <= PostGraphile p99",
        "same answers as PostGraphile (one shape), no failed request",
    ]
    assert all(not v.judged and "not measured: no figure" in v.why for v in missed.values())
    assert summary(found) == f"targets: {ALL - 3} of {ALL} met; 0 missed, 3 not measured"


def test_a_peer_that_did_not_run_says_why() -> None:
    changed = rows(read_peer=None, same_peer=None, peer_not_run="npm not found")
    missed = unmet(judge("postgresql", changed, cores=2))
    assert len(missed) == 3
    assert {v.why for v in missed.values()} == {
        "not measured: PostGraphile did not run: npm not found"
    }


def test_a_load_without_its_p99_loses_only_that_verdict_and_names_it() -> None:
    peer_load = {key: v for key, v in MET["read_peer"].items() if key != "p99_ms"}
    found = judge("postgresql", rows(read_peer=peer_load), cores=2)
    assert len(found) == ALL
    [missed] = unmet(found).values()
    assert missed.target == "read: ours p99 <= PostGraphile p99"
    assert missed.why == "not measured: no figure 'p99_ms'"
    assert by_target(found)["read: ours / PostGraphile req/s >= 1.3"].met


def test_a_run_that_stopped_early_names_each_missing_target_with_the_reason() -> None:
    stopped = "the run stopped early: RuntimeError: ours server exited"
    changed = rows(hostile=None, reset5=None, stopped_early=stopped)
    found = judge("postgresql", changed, cores=2)
    assert len(found) == ALL
    missed = unmet(found)
    assert sorted(missed) == [
        "a 2nd client's p99 during the 5-option reset < 100 ms",
        "a 2nd client's p99 during the 6-option reset < 100 ms",
        "hostile: 30 aliased nested pages refused before it runs",
        "hostile: RSS after the storm within 50 MB of before",
        "hostile: a bystander's p99 < 200 ms, every request answered",
        "hostile: fragment bomb refused before it runs",
        "reset, 5 options, <= 5 s per 1000 users",
        "reset, 6 options, <= 1.15 x hashing time",
    ]
    assert missed["hostile: fragment bomb refused before it runs"].why == (
        f"not measured: no figure 'hostile'; {stopped}"
    )


def test_a_partial_run_says_what_it_measured() -> None:
    scope = "--read-only measures the read path only"
    found = judge("sqlite", rows(mail=None, scope=scope), cores=2)
    assert unmet(found)["mails delivered in <= 10 s per 1000"].why == (
        f"not measured: no figure 'mail'; {scope}"
    )


def test_a_figure_that_cannot_be_judged_is_not_met() -> None:
    found = judge("postgresql", rows(read_base={**LOAD, "rps": 0.0}), cores=2)
    verdict = unmet(found)["read: ours / baseline req/s >= 0.40"]
    assert verdict.why == "not measured: cannot judge ZeroDivisionError('float division by zero')"


def test_a_reset_whose_users_all_failed_is_not_met_whatever_its_time() -> None:
    failed = {**RESET, "statuses": {"FAILED": 1000}}
    found = judge("postgresql", rows(reset5=failed), cores=2)
    missed = unmet(found)
    assert sorted(missed) == [
        "a 2nd client's p99 during the 5-option reset < 100 ms",
        "reset 1000 users, 5 options, <= 5 s",
    ]
    verdict = missed["reset 1000 users, 5 options, <= 5 s"]
    assert verdict.figure == "3.00 s; FAILED=1000"
    assert verdict.why == "not every one of the 1000 users ended SUCCEEDED"


def test_a_reset_with_some_users_partial_or_missing_is_not_met() -> None:
    partial = {**RESET, "seconds": 17.0, "statuses": {"SUCCEEDED": 990, "PARTIAL": 10}}
    verdict = by_target(judge("postgresql", rows(reset6=partial), cores=2))[
        "reset 1000 users, 6 options, <= 1.15 x 1000 hashes / 2 cores"
    ]
    assert not verdict.met
    assert verdict.figure.endswith("; PARTIAL=10 SUCCEEDED=990")
    fewer = {**RESET, "statuses": {"SUCCEEDED": 999}}
    assert not by_target(judge("postgresql", rows(reset5=fewer), cores=2))[
        "reset 1000 users, 5 options, <= 5 s"
    ].met


def test_a_reset_refused_as_a_whole_is_not_met() -> None:
    refused = {**RESET, "statuses": {}, "errors": [{"code": "TOO_MANY_USERS", "message": "…"}]}
    verdict = by_target(judge("postgresql", rows(reset5=refused), cores=2))[
        "reset 1000 users, 5 options, <= 5 s"
    ]
    assert not verdict.met
    assert verdict.figure == "3.00 s; no results, request refused: TOO_MANY_USERS"


@pytest.mark.parametrize(
    "failure",
    [
        '429 {"errors":[{"extensions":{"code":"RATE_LIMITED"}}]}',
        '200 {"data":null,"errors":[{"extensions":{"code":"RATE_LIMITED"}}]}',
        "ConnectError: [Errno 111] Connection refused",
    ],
)
def test_a_bystander_that_did_not_get_its_data_fails_however_fast(failure: str) -> None:
    storm = {**MET["hostile"], "bystander_failures": 3, "bystander_first_failure": failure}
    verdict = by_target(judge("postgresql", rows(hostile=storm), cores=2))[
        "hostile: a bystander's p99 < 200 ms, every request answered"
    ]
    assert not verdict.met
    assert verdict.figure == "50 ms, 3 of 500 without their data (0 5xx)"
    assert verdict.why == f"first: {failure}"


def test_a_bystander_that_got_no_answer_at_all_is_not_measured() -> None:
    storm = {**MET["hostile"], "bystander_n": 0, "bystander_p99_ms": None}
    verdict = by_target(judge("postgresql", rows(hostile=storm), cores=2))[
        "hostile: a bystander's p99 < 200 ms, every request answered"
    ]
    assert (verdict.met, verdict.judged) == (False, False)


def test_the_bystander_counts_only_an_answer_with_its_data() -> None:
    data = {"data": {"locations": [{"id": "TG9jYXRpb246MQ=="}]}}
    assert hostile.answered(200, data)
    rate_limited = {"data": None, "errors": [{"extensions": {"code": "RATE_LIMITED"}}]}
    assert not hostile.answered(200, rate_limited)
    assert not hostile.answered(429, rate_limited)
    assert not hostile.answered(503, {"errors": [{"message": "unavailable"}]})
    assert not hostile.answered(200, {"data": {"locations": None}})
    assert not hostile.answered(200, ["not", "an", "object"])


def test_a_costly_query_the_server_executed_is_not_refused_whatever_its_last_code() -> None:
    # Three sends ran (the server counted them), then the budget stepped in.
    ran = {**REFUSED, "code": "RATE_LIMITED", "status": 429, "sends": 4, "executed": 3.0,
           "answers": {"200": 3, "429 RATE_LIMITED": 1}}  # fmt: skip
    storm = {**MET["hostile"], "aliased": ran}
    verdict = by_target(judge("postgresql", rows(hostile=storm), cores=2))[
        "hostile: 30 aliased nested pages refused before it runs"
    ]
    assert not verdict.met
    assert verdict.figure == "3 of 4 sends executed, 4 ms"
    assert verdict.why == "the server executed it; answers: 200 x3, 429 RATE_LIMITED x1"


def test_a_refusal_without_the_servers_count_is_not_measured() -> None:
    unread = {**REFUSED, "executed": None, "metrics_error": "HTTPStatusError: 404 Not Found"}
    storm = {**MET["hostile"], "fragments": unread}
    verdict = by_target(judge("postgresql", rows(hostile=storm), cores=2))[
        "hostile: fragment bomb refused before it runs"
    ]
    assert (verdict.met, verdict.judged) == (False, False)
    assert verdict.why == (
        "not measured: the server's count of executed operations: HTTPStatusError: 404 Not Found"
    )


def test_the_servers_count_is_read_from_its_metrics() -> None:
    text = (
        "# TYPE connect_admin_graphql_operations_executed counter\n"
        'connect_admin_graphql_operations_executed_total{executor="compiled",'
        'operation_type="query"} 5.0\n'
        'connect_admin_graphql_operations_executed_created{executor="compiled",'
        'operation_type="query"} 1.7e9\n'
        'connect_admin_graphql_operations_executed_total{executor="standard",'
        'operation_type="mutation"} 2.0\n'
    )
    assert hostile.executed_operations(text) == 7.0


@pytest.mark.parametrize("text", ["not identical", "identical", SAME_JSON + " (but 1 differs)"])
def test_answers_count_as_the_same_only_when_the_check_said_exactly_so(text: str) -> None:
    found = judge("postgresql", rows(same_json=text, same_peer=text), cores=2)
    missed = unmet(found)
    assert sorted(missed) == [
        "same JSON as the baseline, no failed request",
        "same answers as PostGraphile (one shape), no failed request",
    ]
    assert missed["same JSON as the baseline, no failed request"].why == text


def test_the_report_names_what_was_not_measured_and_why(
    capsys: pytest.CaptureFixture[str],
) -> None:
    changed = rows(read_peer=None, same_peer=None, peer_not_run="npm not found")
    report([Result("postgresql", rows=changed)], Profile(quick=False, warmup=1, duration=1))
    printed = capsys.readouterr().out
    assert f"targets: {ALL - 3} of {ALL} met; 0 missed, 3 not measured\n" in printed
    assert printed.count("NOT MEASURED postgresql  read: ours") == 2
    assert printed.count("not measured: PostGraphile did not run: npm not found") == 3


def git(folder: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=folder, check=True, capture_output=True)


def test_the_commit_says_when_the_tree_differs_from_it(tmp_path: Path) -> None:
    git(tmp_path, "init", "-q")
    (tmp_path / "domain").mkdir()
    (tmp_path / "domain" / "model.py").write_text("A = 1\n")
    (tmp_path / ".gitignore").write_text(".venv/\n")
    git(tmp_path, "add", ".")
    git(tmp_path, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "one")
    head = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=tmp_path, capture_output=True, text=True
    ).stdout.strip()
    (tmp_path / ".venv").mkdir()
    (tmp_path / ".venv" / "x.py").write_text("ignored\n")
    assert commit_of(tmp_path) == f"commit {head}"
    (tmp_path / "domain" / "model.py").write_text("A = 2\n")
    assert commit_of(tmp_path) == f"commit {head} + uncommitted changes (1 files)"
    (tmp_path / "gql.py").write_text("new\n")
    assert commit_of(tmp_path) == f"commit {head} + uncommitted changes (2 files)"


def test_outside_a_checkout_the_commit_is_unknown(tmp_path: Path) -> None:
    assert commit_of(tmp_path) == "commit unknown"
