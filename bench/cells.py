"""The cells of the report's table: figures formatted, "-" where one is missing,
"not run" for the peer that did not run."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bench.model import Result
from bench.targets import SAME_AS_PEER

Row = Callable[[str, str, Callable[[Result], str]], None]
"""Adds a row to the report's table: its label, its target, its cell of a result."""


def fmt(value: Any, spec: str = ".1f") -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return format(value, spec)
    return str(value)


def figure(result: Result, *path: str) -> Any:
    return get(result.rows, *path)


def peer_cell(rows: dict[str, Any], cell: Callable[[], str], *, why: bool = False) -> str:
    """A PostGraphile cell: ``cell()``, or "not run" (with the reason when ``why``)."""
    if "peer_not_run" in rows:
        return "not run" + (f": {rows['peer_not_run']}" if why else "")
    return cell()


def same_peer(rows: dict[str, Any]) -> str:
    if "peer_not_run" in rows:
        return "not run"
    if "same_peer" not in rows:
        return "-"
    return "yes" if rows["same_peer"] == SAME_AS_PEER else "NO"


LOADS = ("read_ours", "read_base", "read_peer")


def trio(rows: dict[str, Any], figure: Callable[[dict[str, Any]], Any], spec: str,
          sep: str = " / ") -> str:  # fmt: skip
    """One figure of ours, the baseline and PostGraphile: "-" where not measured."""
    cells = []
    for load in LOADS:
        try:
            cells.append(spec.format(figure(rows[load])))
        except KeyError:
            cells.append("-")
    return sep.join(cells)


def get(data: Any, *path: str) -> Any:
    for part in path:
        data = data[part]
    return data


def per_call(found: Any, name: str) -> str:
    """'12 / 12' for 10 and 100 users (with batches of 100: one batch each)."""
    if not isinstance(found, dict) or name not in found:
        return "-"
    return " / ".join(str(count) for _, count in found[name])


def screen(found: dict[str, Any]) -> str:
    text = f"{'yes' if found['compiled'] else 'no'}, {found['ms']:.1f}"
    if "p99_ms" in found:
        text += f" (p50 {found['p50_ms']:.1f} / p99 {found['p99_ms']:.1f})"
    return text


def statuses(statuses: dict[str, int]) -> str:
    return " ".join(f"{k[:4]}={v}" for k, v in sorted(statuses.items()))


def probe(data: dict[str, Any]) -> str:
    text = (
        f"{data['probe_p50_ms']:.0f} / {data['probe_p99_ms']:.0f} / "
        f"{data['probe_max_ms']:.0f} n={data['probe_n']}"
    )
    return text + (f" ({data['probe_failures']} failed)" if data["probe_failures"] else "")
