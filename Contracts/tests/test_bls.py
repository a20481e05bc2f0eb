"""The BLS measurement contract accepts a py_ecc aggregate signature and refuses a wrong message.
Pairings in py-evm are pure Python (about a second a transaction): opt in with CALDERA_LONG_TESTS=1."""
import os

import pytest

import bls
from evm import Chain


@pytest.mark.skipif(os.environ.get("CALDERA_LONG_TESTS") != "1", reason="long test: set CALDERA_LONG_TESTS=1")
def test_aggregate_signature_verifies_and_a_wrong_message_reverts():
    row = bls.measure(4, Chain())   # raises if the signature is refused or the wrong message verifies
    assert row["signers"] == 3 and row["executionGas"] > row["pairingGas"]
