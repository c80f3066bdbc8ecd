import { verifyPdfSignatures } from '#shared/adapters/signing/verify-pdf-signatures.ts';
import type { IssuedCertificateStore, PdfSignatureVerifier } from '#shared/ports.ts';

/**
 * Verifies PDF signatures (verifyPdfSignatures) and, for an agency whose CA-issued certificate
 * was imported, checks each signature's chain against the root CA imported with it.
 */
export function createPdfSignatureVerifier(
  issuedCertificates?: IssuedCertificateStore,
): PdfSignatureVerifier {
  return {
    async verify(pdf, options = {}) {
      const issued = options.agencyId ? await issuedCertificates?.get(options.agencyId) : undefined;
      const root = issued?.chain.at(-1);
      return verifyPdfSignatures(pdf, {
        ...(options.at ? { at: options.at } : {}),
        ...(root ? { trustedRoots: [root] } : {}),
      });
    },
  };
}
