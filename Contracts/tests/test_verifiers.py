"""Every proof and meta-proof the CLI writes verifies in its contract on py-evm; tampering is refused."""
import json
import random
import subprocess
import sys
from pathlib import Path

import pytest
from eth_keys import keys

import caldera_proof as cp
import calls
import guardians
from evm import Chain

CONTRACTS = Path(__file__).resolve().parent.parent
N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141


def setup(w, path):
    gs = guardians.parse(w["guardians"].read_bytes())
    proof = cp.decode(path.read_bytes())
    chain = Chain()
    verifier = calls.deploy(chain, gs, calls.capacity_for(proof, len(gs.addresses)), isinstance(proof, cp.MetaProof))
    return gs, proof, chain, verifier


def test_every_written_proof_and_meta_proof_verifies(workloads):
    for w in workloads:
        gs = guardians.parse(w["guardians"].read_bytes())
        for path in w["proofs"] + w["metas"]:
            proof = cp.decode(path.read_bytes())
            chain = Chain()
            v = calls.deploy(chain, gs, calls.capacity_for(proof, len(gs.addresses)), isinstance(proof, cp.MetaProof))
            r = calls.submit(chain, v, proof)
            assert r.success, f"{path.name}: {r.error}"
            assert r.gas_used > 21_000


def test_zstd_and_plain_meta_proofs_decode_to_the_same_value(workloads):
    for w in workloads:
        a, b = (cp.decode(p.read_bytes()) for p in w["metas"][:2])
        assert a.compressed and not b.compressed
        assert calls.meta_calldata(a) == calls.meta_calldata(b)


def test_meta_proof_carries_the_individual_proofs_messages(workloads):
    for w in workloads:
        meta = cp.decode(w["metas"][0].read_bytes())
        singles = sorted((p.entry_index, p.message_index, p.message) for p in map(lambda f: cp.decode(f.read_bytes()), w["proofs"]))
        carried = sorted((r.entry_index, i, m) for r in meta.rollups for i, m in zip(r.message_indices, r.messages))
        assert carried == singles


@pytest.mark.parametrize("which", ["proof", "meta", "meta-raw"])
def test_random_single_byte_changes_are_refused(workloads, which):
    rng = random.Random(f"tamper-{which}")
    for w in workloads:
        path = {"proof": w["proofs"][0], "meta": w["metas"][0], "meta-raw": w["metas"][1]}[which]
        gs, _, chain, verifier = setup(w, path)
        original = path.read_bytes()
        positions = rng.sample(range(len(original)), min(40, len(original)))
        for pos in positions:
            b = bytearray(original)
            b[pos] ^= rng.randrange(1, 256)
            try:
                tampered = cp.decode(bytes(b))
            except cp.DecodeError:
                continue
            r = calls.submit(chain, verifier, tampered)
            assert not r.success, f"{path.name}: byte {pos} changed, still verifies"


def _certificate_cases(proof, gs, seed):
    """(name, signatures, expected revert) variants of a valid certificate."""
    sigs = calls.signature_tuples(proof.certificate)
    stake = lambda ss: sum(gs.stakes[s[0]] for s in ss)
    assert 3 * stake(sigs) > 2 * gs.total_stake
    # The relayer's certificate is trimmed: the smallest-stake signer was the last one needed.
    weakest = min(range(len(sigs)), key=lambda i: gs.stakes[sigs[i][0]])
    below = sigs[:weakest] + sigs[weakest + 1:]
    assert 3 * stake(below) <= 2 * gs.total_stake
    strongest = max(below, key=lambda s: gs.stakes[s[0]])
    duplicate = sorted(below + [strongest], key=lambda s: s[0])       # would reach quorum if counted twice
    assert 3 * stake(duplicate) > 2 * gs.total_stake
    digest = _digest(proof.header)
    outsider = keys.PrivateKey(b"\x42" * 32).sign_msg_hash(digest)
    outside = sigs + [(len(gs.addresses), outsider.r, outsider.s, 27 + outsider.v)]
    wrong = [(sigs[0][0], outsider.r, outsider.s, 27 + outsider.v)] + sigs[1:]
    pos, r, s, v = sigs[0]
    high_s = [(pos, r, N - s, 55 - v)] + sigs[1:]                     # the same signer, malleated
    bad_v = [(pos, r, s, v - 27)] + sigs[1:]
    return [("below two thirds", below, "two thirds"), ("duplicate signer", duplicate, "increasing"),
            ("signer outside the set", outside, "outside"), ("signer not the guardian", wrong, "wrong signer"),
            ("high s", high_s, "s not low"), ("v not 27/28", bad_v, "v must be")]


def _digest(h):
    from eth_hash.auto import keccak
    return keccak(b"caldera/snapshot/v2\x00" + h.guardian_set_id.to_bytes(8, "big") + h.height.to_bytes(8, "big")
                  + h.timestamp_millis.to_bytes(8, "big") + h.entry_count.to_bytes(8, "big") + h.root)


@pytest.mark.parametrize("kind", ["proof", "meta"])
def test_bad_certificates_revert(workloads, kind):
    for w in workloads:
        path = w["proofs"][0] if kind == "proof" else w["metas"][0]
        gs, proof, chain, verifier = setup(w, path)
        build = calls.proof_calldata if kind == "proof" else calls.meta_calldata
        assert chain.send(verifier, build(proof)).success
        for name, sigs, reason in _certificate_cases(proof, gs, w["seed"]):
            r = chain.send(verifier, build(proof, sigs))
            assert not r.success, f"{name} verified"
            assert reason in (r.error or ""), f"{name}: reverted with {r.error!r}, expected {reason!r}"


def test_high_s_signature_recovers_the_same_guardian():
    """Why the contract checks s itself: ecrecover accepts the malleated signature."""
    from eth_keys.datatypes import Signature
    digest = b"\x07" * 32
    key = keys.PrivateKey(b"\x11" * 32)
    sig = key.sign_msg_hash(digest)
    malleated = Signature(vrs=(1 - sig.v, sig.r, N - sig.s))
    assert malleated.recover_public_key_from_msg_hash(digest) == key.public_key


def _verify_cli(*args):
    return subprocess.run([sys.executable, str(CONTRACTS / "verify.py"), *map(str, args)], capture_output=True, text=True, timeout=300)


def test_verify_command_exit_codes_and_json(workloads, tmp_path):
    w = workloads[0]
    r = _verify_cli(w["metas"][0], "--guardians", w["guardians"], "--json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert set(out) == {"gasUsed", "messages", "calldataBytes", "overheadPerMessage"}
    assert out["messages"] == len(w["proofs"]) and out["gasUsed"] > 21_000 and out["calldataBytes"] > 0
    assert _verify_cli(w["proofs"][0], "--guardians", w["guardians"]).returncode == 0
    # Another guardian set (the other workload's): the transaction reverts.
    assert _verify_cli(w["proofs"][0], "--guardians", workloads[1]["guardians"]).returncode == 1
    # Unreadable input: exit 2.
    garbage = tmp_path / "garbage.bin"
    garbage.write_bytes(b"CLDX\x01\x01")
    assert _verify_cli(garbage, "--guardians", w["guardians"]).returncode == 2
    assert _verify_cli(w["guardians"], "--guardians", w["guardians"]).returncode == 2
    assert _verify_cli(w["proofs"][0], "--guardians", w["proofs"][0]).returncode == 2
    assert _verify_cli(tmp_path / "missing.bin", "--guardians", w["guardians"]).returncode == 2
