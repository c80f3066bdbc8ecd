import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLocalSignerDirectory } from '#shared/adapters/signing/local-signer-directory.ts';
import type { SignerDirectory } from '#shared/ports.ts';

/** Agencies' signing keys for tests: ECDSA P-256, generated on first use in a temporary folder. */
export function createTestSignerDirectory(): SignerDirectory {
  return createLocalSignerDirectory({
    directory: mkdtempSync(join(tmpdir(), 'motcua-test-keys-')),
    keySpec: 'ECC_NIST_P256',
    identityFor: (agencyId) => ({
      commonName: agencyId,
      organisation: 'Tỉnh Mẫu',
      province: 'Mẫu',
      country: 'VN',
    }),
  });
}
