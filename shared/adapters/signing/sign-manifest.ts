import { buildCadesDetachedSignature } from '#shared/adapters/signing/build-cades-signature.ts';
import {
  certificateFingerprint,
  describeCertificate,
} from '#shared/adapters/signing/build-self-signed-certificate.ts';
import type { ManifestSigner, ManifestSignerIdentity } from '#shared/ports/archive-export.ts';
import type { DigestSigner, SignerDirectory } from '#shared/ports.ts';

/**
 * Signs manifests with the directory's key of `agencyId` (the province's: provinceSigningAgencyId): CMS SignedData over the manifest's bytes,
 * detached, with contentType, messageDigest and signingCertificateV2 signed attributes (the same
 * builder as the PAdES signatures, so KMS signs only a digest).
 */
export function createManifestSigner(signers: SignerDirectory, agencyId: string): ManifestSigner {
  const identityOf = async (signer: DigestSigner): Promise<ManifestSignerIdentity> => {
    const certificate = await signer.certificate();
    return {
      subject: describeCertificate(certificate).subject,
      certificateFingerprint: certificateFingerprint(certificate),
      algorithm: signer.algorithm(),
    };
  };
  return {
    async identity() {
      return identityOf(await signers.forAgency(agencyId));
    },
    async sign(content) {
      const signer = await signers.forAgency(agencyId);
      const signature = await buildCadesDetachedSignature(content, signer);
      return { signature, signer: await identityOf(signer) };
    },
  };
}
