/** Statements the back office signs with an agency's key (a transfer, an audit anchor), verified offline. */
import { createPublicKey, verify, X509Certificate } from 'node:crypto';

/** Whether `signature` (base64; DER for ECDSA) over `statement` verifies with the certificate's key (DER, base64). */
export function verifyStatementSignature(statement: string, signature: string, certificate: string): boolean {
  try {
    const x509 = new X509Certificate(Buffer.from(certificate, 'base64'));
    return verify(
      'sha256',
      Buffer.from(statement),
      createPublicKey(x509.publicKey.export({ format: 'pem', type: 'spki' })),
      Buffer.from(signature, 'base64'),
    );
  } catch {
    return false;
  }
}
