import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import workload  # noqa: E402


@pytest.fixture(scope="session")
def caldera():
    b = workload.caldera_binary()
    if b is None:
        pytest.skip("no caldera binary: run `swift build` first (or set CALDERA_BIN)")
    return b


@pytest.fixture(scope="session")
def workloads(caldera, tmp_path_factory):
    """Proofs and meta-proofs as the CLI writes them: contiguous and random, zstd and not, small trees
    with odd sizes (promoted nodes), 4 and 7 guardians."""
    out = []
    for name, kw in {"contiguous": dict(batch=6, guardians=4, rollups=5, messages=13, locality="contiguous", seed=3),
                     "random": dict(batch=9, guardians=7, rollups=6, messages=11, locality="random", seed=4)}.items():
        d = tmp_path_factory.mktemp(name)
        proofs = workload.generate(caldera, d, **kw)
        metas = [workload.compress(caldera, proofs, d / "meta.bin"), workload.compress(caldera, proofs, d / "meta-raw.bin", zstd=False),
                 workload.compress(caldera, proofs[:1], d / "meta-one.bin")]
        out.append({"dir": d, "proofs": proofs, "metas": metas, "guardians": d / "guardians.json", "seed": kw["seed"]})
    return out
