"""The Hyperlane baseline: its primitives against Hyperlane's published vectors (on the EVM), and the
ISM's verify() accepting t-of-n metadata and refusing what Hyperlane's refuses."""
import json
from pathlib import Path

import pytest
from eth_abi import encode
from eth_hash.auto import keccak
from eth_keys import keys

import hyperlane as hl
from evm import Chain, selector
from sources import hyperlane_exports, hyperlane_ism

VECTORS = Path(__file__).resolve().parents[3] / "shared" / "vectors" / "hyperlane"
N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141


def h(x: str) -> bytes:
    return bytes.fromhex(x[2:])


@pytest.fixture(scope="module")
def vectors():
    if not VECTORS.is_dir():
        pytest.skip(f"Hyperlane vectors not found at {VECTORS} (../shared/vectors/hyperlane)")
    return {p.stem: json.loads(p.read_text()) for p in VECTORS.glob("*.json")}


@pytest.fixture(scope="module")
def exports():
    chain = Chain()
    return chain, chain.deploy(hyperlane_exports())


def call(chain_and_address, signature, types, args, out):
    chain, address = chain_and_address
    from eth_abi import decode
    r = chain.send(address, selector(signature) + encode(types, args))
    assert r.success, r.error
    return decode([out], r.output)[0]


def test_message_id_and_domain_hash_match_the_vectors(vectors, exports):
    for m in vectors["message"]:
        msg = hl.message(m["nonce"], m["origin"], h(m["sender"]), m["destination"], h(m["recipient"]), bytes(m["body"]), m["version"])
        assert call(exports, "messageId(bytes)", ["bytes"], [msg], "bytes32") == h(m["id"])
    for d in vectors["domainHash"]:
        assert call(exports, "domainHash(uint32,bytes32)", ["uint32", "bytes32"], [d["domain"], h(d["mailbox"])], "bytes32") == h(d["expectedDomainHash"])


def test_branch_root_matches_the_vectors(vectors, exports):
    cases = [(p["leaf"], p["path"], p["index"], t["expectedRoot"]) for t in vectors["merkle"] for p in t["proofs"]]
    cases.append((vectors["proof"]["proof"]["leaf"], vectors["proof"]["proof"]["path"], vectors["proof"]["proof"]["index"], vectors["proof"]["root"]))
    mp = vectors["messageWithProof"]
    cases.append((mp["leaf"], mp["proof"], mp["index"], mp["root"]))
    for leaf, path, index, root in cases:
        got = call(exports, "branchRoot(bytes32,bytes32[32],uint256)", ["bytes32", "bytes32[32]", "uint256"], [h(leaf), [h(x) for x in path], index], "bytes32")
        assert got == h(root)
    # and the off-chain tree the gas runs use builds the same roots and branches
    for t in vectors["merkle"]:
        tree = hl.Tree([h(p["leaf"]) for p in t["proofs"]])
        assert tree.root == h(t["expectedRoot"])
        assert all(tree.branch(p["index"]) == [h(x) for x in p["path"]] for p in t["proofs"])


def test_signed_checkpoints_recover_to_the_signer(vectors, exports):
    # These vectors sign checkpoints without a message id: EIP-191 over keccak(domainHash ‖ root ‖ index).
    for c in vectors["signedCheckpoint"]:
        inner = keccak(hl.domain_hash(c["domain"], h(c["merkle_tree_hook"])) + h(c["root"]) + c["index"].to_bytes(4, "big"))
        digest = keccak(b"\x19Ethereum Signed Message:\n32" + inner)
        s = c["signature"]
        got = call(exports, "recover(bytes32,uint256,uint256,uint256)", ["bytes32"] + ["uint256"] * 3,
                   [digest, int(s["r"], 16), int(s["s"], 16), s["v"]], "address")
        assert got.lower() == c["signer"].lower()


def _ism(n, t, message_bytes=200):
    validator_keys = sorted((keys.PrivateKey(keccak(b"hyperlane-validator" + bytes([i]))) for i in range(n)),
                            key=lambda k: k.public_key.to_canonical_address())
    chain = Chain()
    args = encode([f"address[{n}]", "uint256"], [[k.public_key.to_checksum_address() for k in validator_keys], t])
    return chain, chain.deploy(hyperlane_ism(n, message_bytes), args), validator_keys


def _delivery(validator_keys, signer_positions, count=5, index=2):
    hook = b"\x00" * 12 + b"\x22" * 20
    msgs = [hl.message(i, 1000, b"\x11" * 20, 2000, b"\x33" * 20, b"payload %d" % i) for i in range(count)]
    tree = hl.Tree([keccak(m) for m in msgs])
    signed = count - 1
    digest = hl.checkpoint_digest(1000, hook, tree.root, signed, keccak(msgs[signed]))
    sigs = [hl.sign(digest, validator_keys[p]) for p in signer_positions]
    return hl.metadata(hook, index, keccak(msgs[signed]), tree.branch(index), signed, sigs), msgs[index]


VERIFY = selector("verify(bytes,bytes)")


def test_ism_verifies_t_of_n_and_refuses_bad_metadata():
    chain, ism, ks = _ism(5, 3)
    send = lambda md, msg: chain.send(ism, VERIFY + encode(["bytes", "bytes"], [md, msg]))
    md, msg = _delivery(ks, [0, 2, 4])
    assert send(md, msg).success
    assert not send(*_delivery(ks, [2, 0, 4])).success              # out of validator order
    assert not send(*_delivery(ks, [0, 2])).success                 # below the threshold
    bad = bytearray(md); bad[-1] ^= 1                               # v of the last signature
    assert not send(bytes(bad), msg).success
    other = msg[:-1] + b"X"                                         # another message
    assert not send(md, other).success
    r = int.from_bytes(md[1096:1128], "big"); s = int.from_bytes(md[1128:1160], "big"); v = md[1160]
    malleated = md[:1096] + r.to_bytes(32, "big") + (N - s).to_bytes(32, "big") + bytes([55 - v]) + md[1161:]
    assert "'s' value" in (send(malleated, msg).error or "")
