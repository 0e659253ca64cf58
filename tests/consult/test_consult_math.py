"""The opinion maths on small synthetic data and on a real Pol.is export (fast parts only)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from tests.conftest import DATA

from massline.consult.analysis import IncrementalAnalyzer, analyze
from massline.consult.groups import choose_k
from massline.consult.matrix import Vote, VoteMatrix, min_votes
from massline.consult.polis_io import read_export
from massline.consult.repness import one_prop_test, two_prop_test
from massline.core.errors import MasslineError

POLIS = DATA / "polis"


def two_camps(n: int = 60, m: int = 12, seed: int = 0) -> list[Vote]:
    """Half agree with statements 0..5 and reject 6..11, the other half the opposite; 0 = shared."""
    rng = np.random.default_rng(seed)
    votes = []
    for p in range(n):
        camp = p % 2
        for s in range(m):
            if rng.random() < 0.15 and s != 0:
                continue
            want = 1 if (s < m // 2) == (camp == 0) else -1
            if s == 0:
                want = 1
            votes.append(Vote(p, s, want if rng.random() > 0.1 else 0, at=float(s)))
    return votes


def test_latest_vote_wins_and_missing_is_nan() -> None:
    m = VoteMatrix.from_votes([Vote("a", 1, 1, 1.0), Vote("a", 1, -1, 2.0), Vote("b", 2, 0, 1.0)])
    assert m.values[m.row("a"), m.col(1)] == -1
    assert np.isnan(m.values[m.row("a"), m.col(2)])
    assert m.values[m.row("b"), m.col(2)] == 0
    assert min_votes(3) == 3 and min_votes(50) == 7


def test_two_camps_found_with_consensus_and_representatives() -> None:
    votes = two_camps()
    result = analyze(VoteMatrix.from_votes(votes))
    assert result.groups is not None and result.groups.k == 2
    camp = {p: p % 2 for p in range(60)}
    labels = result.groups.group_of()
    agree = sum(labels[p] == labels[q] for p in labels for q in labels if camp[p] == camp[q] and p != q)
    assert agree == sum(1 for p in labels for q in labels if camp[p] == camp[q] and p != q)
    assert 0 in [s.statement for s in result.consensus]
    assert all(result.representative[g] for g in range(2))
    out = result.as_json()
    assert set(out) == {"groups", "k", "consensus", "representative"}


def test_participants_below_minimum_left_out() -> None:
    votes = [*two_camps(), Vote("lurker", 1, 1), Vote("lurker", 2, 1)]
    result = analyze(VoteMatrix.from_votes(votes))
    assert result.groups is not None and "lurker" not in result.groups.group_of()


def test_incremental_update_keeps_labels_and_k() -> None:
    an = IncrementalAnalyzer(two_camps(), list(range(12)))
    before = an.result.groups
    assert before is not None
    after = an.add_vote(0, 3, -1).groups
    assert after is not None and after.k == before.k
    same = np.mean([before.group_of()[p] == after.group_of()[p] for p in before.group_of()])
    assert same > 0.95
    full = an.recompute().groups
    assert full is not None and np.mean([full.group_of()[p] == before.group_of()[p] for p in before.group_of()]) > 0.95


def test_choose_k_prefers_fewer_groups_unless_clearly_better() -> None:
    assert choose_k({2: 0.50, 3: 0.53}) == 2
    assert choose_k({2: 0.40, 3: 0.60}) == 3
    assert choose_k({2: 0.55, 3: 0.53}, previous_k=3) == 3


def test_significance_tests_match_hand_computation() -> None:
    z = one_prop_test(np.array([9.0]), np.array([10.0]))
    assert z[0] == pytest.approx(2 * np.sqrt(11) * (10 / 11 - 0.5))
    assert two_prop_test(np.array([5.0]), np.array([5.0]), np.array([10.0]), np.array([10.0]))[0] == 0.0


def test_export_reader_errors_name_the_file(tmp_path: Path) -> None:
    with pytest.raises(MasslineError, match=r"comments\.csv"):
        read_export(tmp_path)


@pytest.mark.skipif(not (POLIS / "15-per-hour-seattle").is_dir(), reason="shared Pol.is data not present")
def test_seattle_export_matches_polis_groups() -> None:
    from massline.consult.evaluate import evaluate_export

    out = evaluate_export(POLIS / "15-per-hour-seattle")
    assert out["ari"] >= 0.7 and out["k"] == 2
