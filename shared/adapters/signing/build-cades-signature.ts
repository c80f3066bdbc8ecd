import { createHash } from 'node:crypto';
import { readCertificate } from '#shared/adapters/signing/build-self-signed-certificate.ts';
import { CMS_OID } from '#shared/adapters/signing/cms-oids.ts';
import {
  contentTypeAttribute,
  derAttribute,
  encodeSignedData,
  messageDigestAttribute,
  orderSignedAttributes,
  signingCertificateV2Attribute,
} from '#shared/adapters/signing/encode-signed-data.ts';
import type { IssuedTimestamp, TimestampAuthority } from '#shared/ports/timestamp-authority.ts';
import type { DigestSigner } from '#shared/ports.ts';

const sha256 = (...parts: Uint8Array[]): Buffer => {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  return hash.digest();
};

/**
 * CMS SignedData (detached) over `content`, signed attributes contentType, messageDigest and
 * signingCertificateV2 (no signingTime: PAdES baseline puts the time in /M), its signature made
 * by `signer` over SHA-256 of the DER signed attributes; carries the signer's certificate and,
 * for a CA-issued one, its chain.
 */
export async function buildCadesDetachedSignature(
  content: Uint8Array,
  signer: DigestSigner,
): Promise<Uint8Array> {
  return buildCadesSignatureOverDigest(sha256(content), signer);
}

/** The CMS of buildCadesDetachedSignature, from the SHA-256 of the content. */
export async function buildCadesSignatureOverDigest(
  contentDigest: Uint8Array,
  signer: DigestSigner,
): Promise<Uint8Array> {
  return (await buildTimestampedCadesSignature(contentDigest, signer)).cms;
}

/**
 * The CMS of {@link buildCadesSignatureOverDigest}; with a time-stamping authority, its SignerInfo
 * also carries a signature timestamp (unsigned attribute id-aa-signatureTimeStampToken over the
 * SHA-256 of the signature value), which makes it CAdES-T / PAdES B-T.
 */
export async function buildTimestampedCadesSignature(
  contentDigest: Uint8Array,
  signer: DigestSigner,
  timestamps?: TimestampAuthority,
): Promise<{ cms: Uint8Array; timestamp?: IssuedTimestamp }> {
  const certificateDer = await signer.certificate();
  const read = readCertificate(certificateDer);
  const chain = (await signer.chain?.()) ?? [];
  // Every chain certificate must be one; a bad one fails here as it did when pkijs parsed it.
  for (const der of chain) readCertificate(der);
  const { ordered, signedBytes } = orderSignedAttributes([
    contentTypeAttribute(CMS_OID.data),
    messageDigestAttribute(contentDigest),
    signingCertificateV2Attribute(certificateDer, read),
  ]);
  const signature = await signer.signDigest(sha256(signedBytes));
  const timestamp = await timestamps?.timestamp(sha256(signature));
  const cms = encodeSignedData({
    version: 1,
    eContentType: CMS_OID.data,
    // The issuing CAs travel with the signature, so a verifier can build the path to the root.
    certificates: [certificateDer, ...chain],
    signer: read,
    signedAttributes: ordered,
    signatureAlgorithm: signer.algorithm(),
    signature,
    ...(timestamp
      ? { unsignedAttributes: [derAttribute(CMS_OID.signatureTimeStampToken, timestamp.token)] }
      : {}),
  });
  return {
    cms: new Uint8Array(cms.buffer, cms.byteOffset, cms.byteLength),
    ...(timestamp ? { timestamp } : {}),
  };
}
