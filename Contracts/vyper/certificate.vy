
# Entry point that checks a certificate alone (measurement: the ecrecover side of docs/proof-format.md's
# BLS comparison; a bridge would always check a certificate together with a proof).
@external
@view
def verifyCertificate(header: Header, guardianCount: uint256, signatures: DynArray[Signature, N_GUARDIANS]) -> bool:
    self._check_certificate(header, guardianCount, signatures)
    return True
