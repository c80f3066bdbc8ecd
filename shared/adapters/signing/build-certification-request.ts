import { createHash } from 'node:crypto';
import * as asn1js from 'asn1js';
import { Attribute, Certificate, CertificationRequest, Extension, Extensions } from 'pkijs';
import {
  buildSubjectName,
  type SignerIdentity,
  signatureAlgorithmIdentifier,
} from '#shared/adapters/signing/build-self-signed-certificate.ts';
import type { DigestSigner } from '#shared/ports.ts';

const EXTENSION_REQUEST_OID = '1.2.840.113549.1.9.14';
const KEY_USAGE_OID = '2.5.29.15';
/** keyUsage = digitalSignature | nonRepudiation (contentCommitment). */
const KEY_USAGE_DER = Uint8Array.of(0x03, 0x02, 0x06, 0xc0);

/**
 * A PKCS#10 certification request (DER) for the signer's key, naming `identity` as subject and
 * asking for keyUsage digitalSignature + nonRepudiation. The request is signed through
 * `signer.signDigest`, the same path as the documents' signatures (KMS Sign in AWS, the local
 * key in the embedded runtime), so the private key never leaves where it lives; the public
 * key is read from the signer's current certificate.
 */
export async function buildCertificationRequest(
  signer: DigestSigner,
  identity: SignerIdentity,
): Promise<Uint8Array> {
  const current = Certificate.fromBER(await signer.certificate());
  const request = new CertificationRequest({
    version: 0,
    subject: buildSubjectName(identity),
    subjectPublicKeyInfo: current.subjectPublicKeyInfo,
    attributes: [
      new Attribute({
        type: EXTENSION_REQUEST_OID,
        values: [
          new Extensions({
            extensions: [
              new Extension({
                extnID: KEY_USAGE_OID,
                critical: true,
                extnValue: KEY_USAGE_DER.slice().buffer,
              }),
            ],
          }).toSchema(),
        ],
      }),
    ],
  });
  request.signatureAlgorithm = signatureAlgorithmIdentifier(signer.algorithm());
  const tbs = request.toSchema(true).valueBlock.value[0];
  if (!tbs) throw new Error('could not encode the certification request');
  request.tbsView = new Uint8Array(tbs.toBER());
  const digest = createHash('sha256').update(request.tbsView).digest();
  request.signatureValue = new asn1js.BitString({ valueHex: await signer.signDigest(digest) });
  return new Uint8Array(request.toSchema().toBER());
}
