/** What an archive export needs besides storage and the index: ZIP packaging and a manifest signature. */

/** One file of a package. */
export interface PackageEntry {
  /** Its path in the ZIP, e.g. `papers/038319001234.KS.01/038319001234.KS.01.pdf`. */
  name: string;
  /** Deflate it (text) or store it as it is (PDFs, already compressed). */
  compress: boolean;
  /**
   * Its bytes, whole or as they arrive; called only when the ZIP reaches the entry, so the entries
   * before it have been written (and hashed) by then: a manifest can come last.
   */
  open(): Promise<Uint8Array | AsyncIterable<Uint8Array>>;
}

/** Writes ZIP files as streams (ZIP64 where needed), one entry after the other. */
export interface ZipWriter {
  /** The ZIP of `entries`, in order, as it is produced; every entry dated `modifiedAt`. */
  zip(entries: readonly PackageEntry[], options: { modifiedAt: Date }): AsyncIterable<Uint8Array>;
}

/** Who signed a manifest, as its certificate says. */
export interface ManifestSignerIdentity {
  subject: string;
  /** SHA-256 (hex) of the DER certificate. */
  certificateFingerprint: string;
  algorithm: string;
}

/**
 * Signs a package manifest with the province's key (KMS in AWS, a local key in the embedded
 * runtime): a detached CMS signature (CAdES-BES, the signer's certificate included), so
 * that the package verifies offline (`openssl cms -verify`).
 */
export interface ManifestSigner {
  /** Who signs (read before signing, so that the manifest can name its signer). */
  identity(): Promise<ManifestSignerIdentity>;
  sign(content: Uint8Array): Promise<{ signature: Uint8Array; signer: ManifestSignerIdentity }>;
}
