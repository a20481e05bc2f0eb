"""gas.py's measurement on a small draw: every transaction succeeds, figures hang together."""
import gas


def test_series_figures_are_consistent(caldera, tmp_path):
    s = gas.Series(caldera, 4, "contiguous", 5, 4, tmp_path)
    one, four = s.measure(1), s.measure(4)
    for row in (one, four):
        for k in ("individual", "meta", "hyperlane"):
            assert row[k]["gas"] > 21_000 * (row["messages"] if k != "meta" else 1)
            assert 0 < row[k]["overheadPerMessage"] < row[k]["gas"]
    # the batch of 4 contains the batch of 1: its individual proofs are the same transactions plus three
    assert four["individual"]["gas"] > 3 * one["individual"]["gas"]
    # one certificate instead of four: the meta-proof of 4 costs less than the 4 proofs
    assert four["meta"]["gas"] < four["individual"]["gas"]
    assert four["meta"]["overheadPerMessage"] < one["meta"]["overheadPerMessage"]
    assert four["signatures"] == 3 and four["rollups"] == 1
