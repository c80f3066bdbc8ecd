import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  runSigningCertificateCommand,
  SigningCertificateCommandError,
} from '#infra/bin/signing-certificates.ts';
import { parsePemCertificates } from '#shared/adapters/signing/check-issued-certificate.ts';
import { asPem, createTestCertificateAuthority } from '#test/unit/signing/test-certificate-authority.ts';

const CONFIG = join(import.meta.dirname, '../../../config/provinces/sample-province.yaml');
const AGENCY = '000.17.22.H99';

describe('npm run signing:csr / signing:import (embedded runtime)', () => {
  let folder: string;
  const run = (...args: string[]) =>
    runSigningCertificateCommand([...args, '--data-dir', join(folder, 'data'), '--config', CONFIG], {});

  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'motcua-signing-command-'));
  });

  afterAll(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  it('writes a request, imports what the CA issued on it into the key folder, and imports it again unchanged', async () => {
    const request = join(folder, 'request.csr');
    expect(await run('csr', '--agency', AGENCY, '--out', request)).toContain(request);
    const pem = await readFile(request, 'utf8');
    expect(pem).toMatch(/^-----BEGIN CERTIFICATE REQUEST-----\n/);
    const der = Buffer.from(pem.replace(/-----[A-Z ]+-----|\s/g, ''), 'base64');
    const ca = await createTestCertificateAuthority(folder);
    const certificate = await ca.issue(der);
    await writeFile(join(folder, 'issued.pem'), asPem([certificate]));
    await writeFile(join(folder, 'chain.pem'), asPem([ca.issuing, ca.root]));
    const importIt = () =>
      run(
        'import',
        '--agency',
        AGENCY,
        '--cert',
        join(folder, 'issued.pem'),
        '--chain',
        join(folder, 'chain.pem'),
      );
    expect(await importIt()).toBe(
      `imported the certificate of ${AGENCY} with 2 CA certificate(s) up to its root`,
    );
    const stored = join(folder, 'data', 'signing-keys', `${AGENCY}.issued.pem`);
    expect(parsePemCertificates(await readFile(stored, 'utf8'), stored)).toEqual([
      certificate,
      ca.issuing,
      ca.root,
    ]);
    await importIt();
    expect(parsePemCertificates(await readFile(stored, 'utf8'), stored)).toEqual([
      certificate,
      ca.issuing,
      ca.root,
    ]);
  });

  it('names what is missing or wrong', async () => {
    await expect(run('csr')).rejects.toThrow(SigningCertificateCommandError);
    await expect(run('renew', '--agency', AGENCY)).rejects.toThrow('unknown command renew');
    await expect(run('import', '--agency', AGENCY)).rejects.toThrow('--cert is required');
    await expect(run('csr', '--agency', AGENCY, '--aws')).rejects.toThrow('--archive-bucket');
    await writeFile(join(folder, 'empty.pem'), 'not a certificate');
    await expect(
      run('import', '--agency', AGENCY, '--cert', join(folder, 'empty.pem')),
    ).rejects.toMatchObject({
      code: 'CERTIFICATE_UNREADABLE',
    });
  });
});
