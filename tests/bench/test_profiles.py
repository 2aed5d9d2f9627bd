"""The bench's profile names costs a reader can act on: our layers and libraries."""

from __future__ import annotations

import cProfile
import pstats

from bench import profiles


def test_our_files_count_to_their_layer_and_libraries_to_their_name() -> None:
    root = profiles.ROOT
    assert profiles.cost_of(str(root / "gql/compiled/results.py")).startswith(
        "ours: answer assembly"
    )
    assert profiles.cost_of(str(root / "gql/compiled/bulk.py")) == "ours: compiled executor, twins"
    assert profiles.cost_of(str(root / "persistence/repositories/users.py")) == (
        "ours: statements, row mapping"
    )
    assert profiles.cost_of(str(root / "bench/baseline.py")) == "baseline: its endpoint"
    venv = root / ".venv/lib/python3.11/site-packages"
    assert profiles.cost_of(str(venv / "sqlalchemy/engine/base.py")) == "sqlalchemy"
    assert profiles.cost_of("~") == "built-ins (C)"


def _busy() -> int:
    return sum(i * i for i in range(20_000))


def test_side_by_side_prints_ms_per_page_for_both() -> None:
    profiler = cProfile.Profile()
    profiler.runcall(_busy)
    stats = pstats.Stats(profiler)
    text = profiles.side_by_side(stats, stats, pages=2)
    assert "ours" in text
    assert "baseline" in text
    row = next(line for line in text.splitlines() if "test_profiles.py" in line)
    ours, theirs = row.split()[-2:]
    assert float(ours) == float(theirs) > 0
