/**
 * An RFC 3161 time-stamping authority, which proves that a signature existed at a time: what
 * keeps a PAdES signature verifiable (B-T) after its certificate expires.
 */

/** A timestamp token the authority issued, checked against the request that asked for it. */
export interface IssuedTimestamp {
  /** DER ContentInfo (SignedData over a TSTInfo), as it goes into the signature's unsigned attributes. */
  token: Uint8Array;
  /** ISO time the authority put in the token. */
  genTime: string;
  /** Subject common name of the authority's certificate. */
  authority: string;
  /** Serial number of the token, lowercase hex. */
  serialNumber: string;
  /** SHA-256 (hex) of the authority's certificate. */
  certificateFingerprint?: string;
}

export interface TimestampAuthority {
  /** A token over a SHA-256 digest; rejects with a TimestampAuthorityError naming what went wrong. */
  timestamp(sha256Digest: Uint8Array): Promise<IssuedTimestamp>;
}
