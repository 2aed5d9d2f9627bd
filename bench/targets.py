"""The performance targets, judged from one backend's figures: met or not, and why.

Every target of a backend gets a verdict. One whose figures are missing (the run
stopped early, a ``--read-only`` run, a load without ``p99_ms``) is "not measured"
and not met, with the reason; so is a target on the peer (PostGraphile) when the
peer did not run. A ``--quick`` run scales the mail and reset targets to its
smaller counts; the read-path ratios, the comparison with PostGraphile and the
scale-out are targets on PostgreSQL only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

READ_RATIO = 0.40
# Ours against PostGraphile 5 (bench/peer.py), the same page, the same database.
PEER_RATIO = 1.3
SCALE_OUT = 1.6
RSS_MB = 300
PROBE_P99_MS = 100
HOSTILE_P99_MS = 200
# What the bench's answer checks write when the answers were the same (bench/reads.py
# check_same, bench/peer.py check); anything else says where they differ.
SAME_JSON = "identical JSON (3 pages compared after parsing; all pages error-free)"
SAME_AS_PEER = "identical (3 pages compared in one shape; all pages error-free)"
# What each user of the bench's resets must end as: every selected action done.
RESET_STATUS = "SUCCEEDED"
# After the costly traffic, RSS within this much of its level before it.
RSS_RETURN_MB = 50
# Issue 14: the non-compiled path (what graphql-core executes field by field) serves
# NON_COMPILED_FACTOR times the requests/s it served at main's 7cc3a1e. Those figures:
# `python -m bench --non-compiled-only --no-profile` with both backends, 7cc3a1e's code
# with this bench, on the project's 2-core machine shared with other work (load average
# about 3.3); the higher of two such runs. Server CPU ms/request then, a figure less
# bound to the machine's load: sqlite 131 (details) / 24.0 (mutations), postgresql
# 120 / 18.8; the users page with compiled execution off: 7.3 / 7.6 req/s, 133 / 122 ms.
NON_COMPILED_FACTOR = 2.0
NON_COMPILED_TODAY = {
    "sqlite": {"details": 7.5, "mutations": 39.2},
    "postgresql": {"details": 7.2, "mutations": 48.4},
}


@dataclass(frozen=True)
class Verdict:
    database: str
    target: str
    figure: str
    met: bool
    why: str = ""
    # False: the figures it needs were not measured (``why`` says why); not met either.
    judged: bool = True

    def line(self) -> str:
        mark = "met" if self.met else "NOT MET" if self.judged else "NOT MEASURED"
        text = f"  {mark:<12} {self.database:<11} {self.target:<64} {self.figure}"
        return text + (f"\n{'':<26}{self.why}" if self.why else "")


def judge(database: str, rows: dict[str, Any], *, cores: int) -> list[Verdict]:
    """Every target's verdict for the figures of one backend. A figure not measured
    makes its target "not measured" (not met, and why); one that cannot be judged (a
    zero baseline, say) is not met either."""
    verdicts: list[Verdict] = []
    for targets, check in CHECKS:
        done: list[Verdict] = []
        detail = ""
        try:
            for verdict in check(database, rows, cores):
                done.append(verdict)
        except KeyError as missing:
            detail = f"no figure {missing}"
        except (TypeError, ValueError, ZeroDivisionError) as error:
            detail = f"cannot judge {error!r}"
        verdicts.extend(done)
        if detail:
            # The targets this check had not reached, each by its name.
            verdicts.extend(not_measured(database, t, rows, detail) for t in targets[len(done) :])
    return verdicts


def not_measured(database: str, target: str, rows: dict[str, Any], detail: str) -> Verdict:
    """A target without its figures: why the run has none (it stopped early, it measured
    only a part) when the run says so, then which figure is missing."""
    context = [rows[key] for key in ("stopped_early", "scope") if rows.get(key)]
    why = "; ".join(["not measured: " + detail, *context])
    return Verdict(database, target, "-", False, why, judged=False)


def summary(verdicts: list[Verdict]) -> str:
    """The count line: how many of all targets were met, and of the others how many
    were missed and how many not measured."""
    met = sum(v.met for v in verdicts)
    unmeasured = sum(not v.judged for v in verdicts)
    missed = len(verdicts) - met - unmeasured
    line = f"targets: {met} of {len(verdicts)} met"
    if met < len(verdicts):
        line += f"; {missed} missed, {unmeasured} not measured"
    return line


Check = Callable[[str, dict[str, Any], int], Iterator[Verdict]]


def _same_answers(db: str, rows: dict[str, Any], cores: int) -> Iterator[Verdict]:
    same = rows["same_json"] == SAME_JSON
    errors = sum(
        rows[load]["socket_errors"] + rows[load]["status_errors"]
        for load in ("read_ours", "read_base")
    )
    yield Verdict(db, "same JSON as the baseline, no failed request", f"{errors} errors",
                  same and errors == 0, "" if same else str(rows["same_json"]))  # fmt: skip


def _not_run(db: str, target: str, rows: dict[str, Any]) -> Verdict:
    why = f"not measured: PostGraphile did not run: {rows['peer_not_run']}"
    return Verdict(db, target, "-", False, why, judged=False)


def _same_as_peer(db: str, rows: dict[str, Any], cores: int) -> Iterator[Verdict]:
    if db != "postgresql":
        return
    target = "same answers as PostGraphile (one shape), no failed request"
    if "peer_not_run" in rows:
        yield _not_run(db, target, rows)
        return
    load = rows["read_peer"]
    errors = load["socket_errors"] + load["status_errors"]
    same = rows["same_peer"] == SAME_AS_PEER
    yield Verdict(db, target, f"{errors} errors", same and errors == 0,
                  "" if same else rows["same_peer"])  # fmt: skip


def _peer(db: str, rows: dict[str, Any], cores: int) -> Iterator[Verdict]:
    if db != "postgresql":
        return
    ratio_target = f"read: ours / PostGraphile req/s >= {PEER_RATIO:.1f}"
    p99_target = "read: ours p99 <= PostGraphile p99"
    if "peer_not_run" in rows:
        yield _not_run(db, ratio_target, rows)
        yield _not_run(db, p99_target, rows)
        return
    ours, theirs = rows["read_ours"], rows["read_peer"]
    ratio = ours["rps"] / theirs["rps"]
    yield Verdict(db, ratio_target, f"{ratio:.2f}", ratio >= PEER_RATIO)
    yield Verdict(db, p99_target, f"{ours['p99_ms']:.0f} / {theirs['p99_ms']:.0f} ms",
                  ours["p99_ms"] <= theirs["p99_ms"])  # fmt: skip


def _read_ratio(db: str, rows: dict[str, Any], cores: int) -> Iterator[Verdict]:
    if db != "postgresql":
        return
    ratio = rows["read_ours"]["rps"] / rows["read_base"]["rps"]
    yield Verdict(db, f"read: ours / baseline req/s >= {READ_RATIO:.2f}", f"{ratio:.2f}",
                  ratio >= READ_RATIO)  # fmt: skip


def _memory(db: str, rows: dict[str, Any], cores: int) -> Iterator[Verdict]:
    peak = rows["read_ours"]["peak_rss_mb"]
    yield Verdict(db, f"peak RSS under the read load < {RSS_MB} MB", f"{peak:.0f} MB",
                  peak < RSS_MB)  # fmt: skip


def _mail(db: str, rows: dict[str, Any], cores: int) -> Iterator[Verdict]:
    mail = rows["mail"]
    limit = 10 * mail["queued"] / 1000
    met = 0 < mail["queued"] == mail["sent"] and mail["seconds"] <= limit
    yield Verdict(
        db, f"{mail['queued']} mails delivered in <= {limit:g} s",
        f"{mail['seconds']:.2f} s, {mail['sent']} sent, {mail['smtp_connections']} connections",
        met, "" if mail["queued"] else "no mail was queued",
    )  # fmt: skip


def reset_hash_s(rows: dict[str, Any]) -> float:
    """One hash's share of the pure hashing time: timed with every core hashing at once,
    as in the reset (one hash alone, from runs before that figure)."""
    return float(rows.get("hash_all_s", rows["hash_s"]))


def reset_outcome(run: dict[str, Any], users: int) -> tuple[bool, str]:
    """Whether every one of the ``users`` ended as the scenario expects (RESET_STATUS)
    and the request had no error; and the statuses counted, as printed."""
    statuses: dict[str, int] = run["statuses"]
    errors: list[dict[str, Any]] = run["errors"]
    text = " ".join(f"{status}={count}" for status, count in sorted(statuses.items()))
    text = text or "no results"
    if errors:
        text += ", request refused: " + " ".join(str(e.get("code")) for e in errors)
    return statuses == {RESET_STATUS: users} and not errors, text


def _resets(db: str, rows: dict[str, Any], cores: int) -> Iterator[Verdict]:
    n = rows["reset_n"]
    expected = f"not every one of the {n} users ended {RESET_STATUS}"

    def timed(target: str, run: dict[str, Any], limit: float, figure: str) -> Verdict:
        ok, outcome = reset_outcome(run, n)
        return Verdict(db, target, f"{figure}; {outcome}", ok and run["seconds"] <= limit,
                       "" if ok else expected)  # fmt: skip

    five = rows["reset5"]
    yield timed(f"reset {n} users, 5 options, <= {5 * n / 1000:g} s", five, 5 * n / 1000,
                f"{five['seconds']:.2f} s")  # fmt: skip
    six = rows["reset6"]
    hash_s = reset_hash_s(rows)
    limit = n * hash_s / cores * 1.15
    yield timed(
        f"reset {n} users, 6 options, <= 1.15 x {n} hashes / {cores} cores", six, limit,
        f"{six['seconds']:.2f} s of {limit:.1f} s (hash {1000 * hash_s:.0f} ms each on all "
        f"cores, {1000 * rows['hash_s']:.0f} alone)",
    )  # fmt: skip
    # The six-option reset is timed alone; the second client queries during another.
    for name, data in (("5", five), ("6", rows.get("reset6_probed", six))):
        p99 = data["probe_p99_ms"]
        ok, outcome = reset_outcome(data, n)
        met = ok and p99 < PROBE_P99_MS and not data["probe_failures"]
        yield Verdict(db, f"a 2nd client's p99 during the {name}-option reset < 100 ms",
                      f"{p99:.0f} ms, {data['probe_failures']} failed; {outcome}", met,
                      "" if ok else expected)  # fmt: skip


def _reset_statements(db: str, rows: dict[str, Any], cores: int) -> Iterator[Verdict]:
    for name in ("five", "six"):
        counts = [count for _, count in rows["reset_statements"][name]]
        yield Verdict(db, f"SQL per resetUsers call ({name} options) alike for 10 and 100 users",
                      " / ".join(map(str, counts)), len(set(counts)) == 1)  # fmt: skip


def _scale_out(db: str, rows: dict[str, Any], cores: int) -> Iterator[Verdict]:
    if db != "postgresql":
        return
    one, two = rows["read_ours"], rows["read_two"]
    ratio = two["rps"] / one["rps"]
    # A request costs the machine (server, PostgreSQL, wrk) busy/rps core-seconds;
    # with every core busy, no number of workers serves more than cores / busy times.
    ceiling = min(2.0, cores / one["machine_busy_cores"])
    why = ""
    if ratio < SCALE_OUT:
        why = (
            f"one worker with PostgreSQL and wrk kept {one['machine_busy_cores']:.2f} of "
            f"{cores} cores busy, so two can reach about {ceiling:.2f}x here; measured "
            f"{ratio / ceiling:.0%} of that, with {two['machine_busy_cores']:.2f} cores busy"
        )
        if ceiling >= SCALE_OUT:
            why = "the machine had the cores: " + why
        else:
            why = "the machine lacks the cores for it: " + why
        each = two.get("server_cpu_pct_each", [])
        if len(each) == 2 and min(each) < max(each) / 2:
            why += (
                f"; and the workers' CPU was uneven ({each[0]:.0f} / {each[1]:.0f} %): "
                "the connections went to one"
            )
    yield Verdict(db, f"scale-out: 2 / 1 workers >= {SCALE_OUT} ({cores} cores)",
                  f"{ratio:.2f}x", ratio >= SCALE_OUT, why)  # fmt: skip


def _hostile(db: str, rows: dict[str, Any], cores: int) -> Iterator[Verdict]:
    hostile = rows["hostile"]
    for name, label in (("aliased", "30 aliased nested pages"), ("fragments", "fragment bomb")):
        yield _refused(db, f"hostile: {label} refused before it runs", hostile[name], rows)
    target = f"hostile: a bystander's p99 < {HOSTILE_P99_MS} ms, every request answered"
    sent, failed = hostile["bystander_n"], hostile["bystander_failures"]
    if not sent:
        yield not_measured(db, target, rows, "the bystander got no answer at all")
    else:
        p99 = hostile["bystander_p99_ms"]
        # A refusal (429, RATE_LIMITED), an error, a lost connection: no data, a failure.
        yield Verdict(db, target, f"{p99:.0f} ms, {failed} of {sent} without their data "
                      f"({hostile['bystander_5xx']} 5xx)", p99 < HOSTILE_P99_MS and not failed,
                      f"first: {hostile['bystander_first_failure']}" if failed else "")  # fmt: skip
    before, after = hostile["rss_before_kib"] / 1024, hostile["rss_after_kib"] / 1024
    yield Verdict(db, f"hostile: RSS after the storm within {RSS_RETURN_MB} MB of before",
                  f"{before:.0f} -> {hostile['rss_peak_kib'] / 1024:.0f} -> {after:.0f} MB",
                  after - before <= RSS_RETURN_MB)  # fmt: skip


def _refused(db: str, target: str, sent: dict[str, Any], rows: dict[str, Any]) -> Verdict:
    """Refused before it runs: the server's own count of the operations it executed
    (/metrics, bench/hostile.py) did not move while the query was sent."""
    executed, sends = sent["executed"], sent["sends"]
    if executed is None:
        why = f"the server's count of executed operations: {sent.get('metrics_error')}"
        return not_measured(db, target, rows, why)
    answers = ", ".join(f"{answer} x{count}" for answer, count in sorted(sent["answers"].items()))
    met = sends > 0 and executed == 0
    return Verdict(db, target, f"{executed:g} of {sends} sends executed, {sent['ms']:.0f} ms",
                   met, "" if met else f"the server executed it; answers: {answers}")  # fmt: skip


def _non_compiled(db: str, rows: dict[str, Any], cores: int) -> Iterator[Verdict]:
    for load, label in (("details", "user details"), ("mutations", "SPA mutations")):
        today = NON_COMPILED_TODAY[db][load]
        rps = rows[f"noncompiled_{load}"]["rps"]
        errors = (
            rows[f"noncompiled_{load}"]["socket_errors"]
            + rows[f"noncompiled_{load}"]["status_errors"]
        )
        yield Verdict(db, f"non-compiled {label}: req/s >= {NON_COMPILED_FACTOR:g} x {today:.1f}",
                      f"{rps:.1f} ({rps / today:.2f}x), {errors} errors",
                      rps >= NON_COMPILED_FACTOR * today and errors == 0)  # fmt: skip


# Each check with the names of its targets, in the order it yields them: a target
# whose figures are missing is named so in its verdict.
CHECKS: tuple[tuple[tuple[str, ...], Check], ...] = (
    (("same JSON as the baseline, no failed request",), _same_answers),
    (("same answers as PostGraphile (one shape), no failed request",), _same_as_peer),
    ((f"read: ours / baseline req/s >= {READ_RATIO:.2f}",), _read_ratio),
    ((f"read: ours / PostGraphile req/s >= {PEER_RATIO:.1f}",
      "read: ours p99 <= PostGraphile p99"), _peer),
    ((f"peak RSS under the read load < {RSS_MB} MB",), _memory),
    (("mails delivered in <= 10 s per 1000",), _mail),
    (("reset, 5 options, <= 5 s per 1000 users", "reset, 6 options, <= 1.15 x hashing time",
      "a 2nd client's p99 during the 5-option reset < 100 ms",
      "a 2nd client's p99 during the 6-option reset < 100 ms"), _resets),
    (("SQL per resetUsers call (five options) alike for 10 and 100 users",
      "SQL per resetUsers call (six options) alike for 10 and 100 users"), _reset_statements),
    ((f"scale-out: 2 / 1 workers >= {SCALE_OUT}",), _scale_out),
    (("hostile: 30 aliased nested pages refused before it runs",
      "hostile: fragment bomb refused before it runs",
      f"hostile: a bystander's p99 < {HOSTILE_P99_MS} ms, every request answered",
      f"hostile: RSS after the storm within {RSS_RETURN_MB} MB of before"), _hostile),
    ((f"non-compiled user details: req/s >= {NON_COMPILED_FACTOR:g} x today",
      f"non-compiled SPA mutations: req/s >= {NON_COMPILED_FACTOR:g} x today"), _non_compiled),
)  # fmt: skip
