/**
 * `npm run signing:csr` / `npm run signing:import`: certificates from the province's CA for the
 * agencies' signing keys.
 *
 *   npm run signing:csr -- --agency 000.17.22.H99 --out so-tu-phap.csr
 *   npm run signing:import -- --agency 000.17.22.H99 --cert so-tu-phap.pem --chain ca-chain.pem
 *
 * The request is signed by the agency's key itself: the local key of the data folder
 * (`{data-dir}/signing-keys`, generated on first use), or with `--aws` the KMS key behind the
 * agency's alias (credentials from the environment). The import checks the certificate against
 * that key and its chain up to the root, then stores it where signing picks it up: the key folder
 * (picked up within a minute), or with `--aws` `signing-certificates/{agency}.pem` in the archive
 * bucket (signing functions pick it up within 15 minutes).
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { KMSClient } from '@aws-sdk/client-kms';
import { S3Client } from '@aws-sdk/client-s3';
import { signerIdentityFor } from '#functions/create-signer-directory.ts';
import { createS3ObjectStore } from '#shared/adapters/aws/s3-object-store.ts';
import { parsePemCertificates } from '#shared/adapters/signing/check-issued-certificate.ts';
import {
  createFileIssuedCertificateStore,
  createObjectIssuedCertificateStore,
} from '#shared/adapters/signing/issued-certificate-stores.ts';
import { createKmsSignerDirectory } from '#shared/adapters/signing/kms-signer-directory.ts';
import { createLocalSignerDirectory } from '#shared/adapters/signing/local-signer-directory.ts';
import { loadProvinceConfig } from '#shared/config/load-province-config.ts';
import { signingKeyAlias } from '#shared/config/signing-key-alias.ts';
import { DomainError } from '#shared/domain/errors.ts';
import {
  type AgencyCertificateDeps,
  importAgencyCertificate,
  requestAgencyCertificate,
} from '#shared/use-cases/signing/agency-certificates.ts';

const USAGE = `Usage:
  npm run signing:csr -- --agency <id> [--out <file.csr>] [target]
  npm run signing:import -- --agency <id> --cert <certificate.pem> --chain <chain.pem> [target]

  --agency         a one-stop unit of the province configuration (QCVN 102 id)
  --out            where to write the PEM request (default: stdout)
  --cert           the certificate the CA issued on the request (PEM)
  --chain          the CA certificates up to and including the root (PEM, any order)
target (default: the embedded runtime's data folder):
  --data-dir       the back office's data folder (env MOTCUA_DATA_DIR, default ./data)
  --aws            the deployed province: KMS keys, and the archive bucket for certificates
  --archive-bucket the stack's ArchiveBucketName output (env MOTCUA_ARCHIVE_BUCKET); with --aws
  --config         province configuration (default config/provinces/sample-province.yaml)`;

/** A command line that cannot run; the message says what to change. */
export class SigningCertificateCommandError extends Error {
  override readonly name = 'SigningCertificateCommandError';
}

/** Where the keys and imported certificates are. */
export type SigningTarget = { kind: 'local'; dataDir: string } | { kind: 'aws'; archiveBucket: string };

/** The signer directory and certificate store of a target, as the signing code builds them. */
export function certificateDepsFor(configPath: string, target: SigningTarget): AgencyCertificateDeps {
  const province = loadProvinceConfig(configPath);
  const identityFor = (agencyId: string) => signerIdentityFor(province, agencyId);
  const clock = { now: () => new Date() };
  if (target.kind === 'local') {
    const directory = join(resolve(target.dataDir), 'signing-keys');
    const store = createFileIssuedCertificateStore(directory);
    const signers = createLocalSignerDirectory({
      directory,
      keySpec: province.signing.keySpec,
      identityFor,
      issuedCertificates: store,
    });
    return { province, identityFor, store, signers, clock };
  }
  const region = province.deployment.region;
  const store = createObjectIssuedCertificateStore(
    createS3ObjectStore(new S3Client({ region })),
    target.archiveBucket,
  );
  const signers = createKmsSignerDirectory({
    kms: new KMSClient({ region }),
    keyIdFor: (agencyId) => signingKeyAlias(province.province.slug, agencyId),
    identityFor,
    issuedCertificates: store,
  });
  return { province, identityFor, store, signers, clock };
}

const toPem = (der: Uint8Array, label: string): string =>
  `-----BEGIN ${label}-----\n${(
    Buffer.from(der)
      .toString('base64')
      .match(/.{1,64}/g) ?? []
  ).join('\n')}\n-----END ${label}-----\n`;

const readPem = async (path: string, option: string): Promise<string> => {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw new SigningCertificateCommandError(`${option} ${path}: ${(error as Error).message}`);
  }
};

/**
 * Runs `csr` or `import` with the given arguments; returns what to print on stdout. A request
 * written to `--out` prints the file name instead.
 */
export async function runSigningCertificateCommand(
  argv: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<string> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      agency: { type: 'string' },
      out: { type: 'string' },
      cert: { type: 'string' },
      chain: { type: 'string' },
      'data-dir': { type: 'string' },
      aws: { type: 'boolean' },
      'archive-bucket': { type: 'string' },
      config: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return USAGE;
  const [command] = positionals;
  if (command !== 'csr' && command !== 'import')
    throw new SigningCertificateCommandError(`unknown command ${command ?? '(none)'}\n\n${USAGE}`);
  const agencyId = values.agency;
  if (!agencyId) throw new SigningCertificateCommandError(`--agency is required\n\n${USAGE}`);
  const archiveBucket = values['archive-bucket'] ?? env.MOTCUA_ARCHIVE_BUCKET;
  if (values.aws && !archiveBucket)
    throw new SigningCertificateCommandError(
      '--aws needs --archive-bucket (the stack output ArchiveBucketName)',
    );
  const target: SigningTarget =
    values.aws && archiveBucket
      ? { kind: 'aws', archiveBucket }
      : { kind: 'local', dataDir: values['data-dir'] ?? env.MOTCUA_DATA_DIR ?? './data' };
  const deps = certificateDepsFor(values.config ?? 'config/provinces/sample-province.yaml', target);

  if (command === 'csr') {
    const pem = toPem(await requestAgencyCertificate(deps, agencyId), 'CERTIFICATE REQUEST');
    if (!values.out) return pem.trimEnd();
    await writeFile(values.out, pem);
    return `wrote the certificate request of ${agencyId} to ${values.out}`;
  }
  if (!values.cert) throw new SigningCertificateCommandError(`--cert is required\n\n${USAGE}`);
  const [certificate] = parsePemCertificates(await readPem(values.cert, '--cert'), values.cert);
  const chain = values.chain
    ? parsePemCertificates(await readPem(values.chain, '--chain'), values.chain)
    : [];
  const stored = await importAgencyCertificate(deps, agencyId, {
    certificate: certificate ?? new Uint8Array(),
    chain,
  });
  return `imported the certificate of ${agencyId} with ${stored.chain.length} CA certificate(s) up to its root`;
}

async function main(): Promise<void> {
  try {
    process.stdout.write(`${await runSigningCertificateCommand(process.argv.slice(2))}\n`);
  } catch (error) {
    if (!(error instanceof SigningCertificateCommandError || error instanceof DomainError)) throw error;
    const code = (error as { code?: string }).code;
    process.stderr.write(`${code ? `${code}: ` : ''}${error.message}\n`);
    process.exitCode = 1;
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
