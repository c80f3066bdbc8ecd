import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  formatPemCertificates,
  parsePemCertificates,
} from '#shared/adapters/signing/check-issued-certificate.ts';

const execFileAsync = promisify(execFile);
const openssl = (args: string[]) => execFileAsync('openssl', args);

const CA_EXTENSIONS = 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n';
const SIGNING_EXTENSIONS =
  'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,nonRepudiation\n';

/** A two-level test CA made with the openssl CLI: a root and an issuing CA under it. */
export interface TestCertificateAuthority {
  /** DER of the self-signed root. */
  root: Uint8Array;
  /** DER of the issuing CA (signed by the root). */
  issuing: Uint8Array;
  /**
   * Issues an end-entity certificate (DER) on a PKCS#10 request (DER), signed by the issuing
   * CA, valid `days` from now, with the given extensions (default: keyUsage digitalSignature,
   * nonRepudiation).
   */
  issue(request: Uint8Array, options?: { days?: number; extensions?: string }): Promise<Uint8Array>;
}

let serial = 1000;

const pemFile = async (path: string) => {
  const [der] = parsePemCertificates(await readFile(path, 'utf8'), path);
  if (!der) throw new Error(`${path} holds no certificate`);
  return der;
};

/** A new CA in `folder`, its names prefixed with `name` (two CAs of one name differ by key only). */
export async function createTestCertificateAuthority(
  folder: string,
  name = 'Test',
): Promise<TestCertificateAuthority> {
  const at = (file: string) => join(folder, `${name}-${file}`);
  const newKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  await writeFile(at('ca.ext'), CA_EXTENSIONS);
  await openssl([
    'req',
    '-x509',
    ...newKey,
    '-keyout',
    at('root.key'),
    '-out',
    at('root.pem'),
    '-days',
    '3650',
    '-subj',
    `/C=VN/O=${name} Root CA`,
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  await openssl([
    'req',
    ...newKey,
    '-keyout',
    at('issuing.key'),
    '-out',
    at('issuing.csr'),
    '-subj',
    '/C=VN/O=Issuing CA',
  ]);
  await openssl([
    'x509',
    '-req',
    '-in',
    at('issuing.csr'),
    '-CA',
    at('root.pem'),
    '-CAkey',
    at('root.key'),
    '-set_serial',
    String(serial++),
    '-days',
    '1825',
    '-extfile',
    at('ca.ext'),
    '-out',
    at('issuing.pem'),
  ]);
  return {
    root: await pemFile(at('root.pem')),
    issuing: await pemFile(at('issuing.pem')),
    async issue(request, options = {}) {
      const n = serial++;
      const requestPem = Buffer.from(request)
        .toString('base64')
        .replace(/.{1,64}/g, (line) => `${line}\n`);
      await writeFile(
        at(`${n}.csr`),
        `-----BEGIN CERTIFICATE REQUEST-----\n${requestPem}-----END CERTIFICATE REQUEST-----\n`,
      );
      await writeFile(at(`${n}.ext`), options.extensions ?? SIGNING_EXTENSIONS);
      await openssl([
        'x509',
        '-req',
        '-in',
        at(`${n}.csr`),
        '-CA',
        at('issuing.pem'),
        '-CAkey',
        at('issuing.key'),
        '-set_serial',
        String(n),
        '-days',
        String(options.days ?? 365),
        '-extfile',
        at(`${n}.ext`),
        '-out',
        at(`${n}.pem`),
      ]);
      return pemFile(at(`${n}.pem`));
    },
  };
}

/** DER certificates as a PEM file's text (for the import command's --chain). */
export const asPem = (ders: Uint8Array[]): string => formatPemCertificates(ders);
