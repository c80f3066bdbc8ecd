/**
 * `npm run token`: mints a development token of the embedded runtime for any role and agency.
 *
 *   npm run token -- --role auditor
 *   npm run token -- --role processing-officer --agency 000.00.01.H99 --ttl 30m
 *
 * The token is signed with the key pair of the data folder (`{data-dir}/auth`), so the back office
 * running on that folder accepts it; it is printed alone on stdout (`TOKEN=$(npm run -s token -- …)`).
 */
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadLocalAuth } from '#infra/local/local-auth.ts';
import { ROLES, type Role } from '#shared/auth/authorize.ts';
import { loadProvinceConfig } from '#shared/config/load-province-config.ts';

const USAGE = `Usage: npm run token -- --role <role> [--role <role>…] [--agency <agency id>] [--user <name>] [--ttl <span>] [--data-dir <folder>] [--config <province.yaml>]

  --role      one of ${ROLES.join(', ')} (repeat for several)
  --agency    the user's agency (QCVN 102 id from the province configuration); default the first one-stop unit
  --user      user name and id (default dev-{first role})
  --ttl       lifetime: seconds or a span such as 30m, 2h (default 1h)
  --data-dir  the back office's data folder (env MOTCUA_DATA_DIR, default ./data)
  --config    province configuration (default config/provinces/sample-province.yaml)`;

/** What a development token is for. */
export interface DevTokenRequest {
  roles: readonly string[];
  agencyId?: string;
  user?: string;
  /** @default '1h' */
  ttl?: string;
  dataDir: string;
  configPath: string;
}

/** A request that cannot be turned into a token; the message says what to change. */
export class DevTokenError extends Error {
  override readonly name = 'DevTokenError';
}

const TTL = /^\d+[smhd]?$/;

/** Mints a token with the claims Cognito would give such a user (groups, agency). */
export async function issueDevToken(request: DevTokenRequest): Promise<string> {
  if (request.roles.length === 0) throw new DevTokenError(`--role is required: one of ${ROLES.join(', ')}`);
  const unknown = request.roles.filter((role) => !(ROLES as readonly string[]).includes(role));
  if (unknown.length > 0) {
    throw new DevTokenError(`unknown role ${unknown.join(', ')}: choose from ${ROLES.join(', ')}`);
  }
  const ttl = request.ttl ?? '1h';
  if (!TTL.test(ttl)) throw new DevTokenError(`invalid --ttl "${ttl}": seconds, or a span such as 30m or 2h`);
  const config = loadProvinceConfig(request.configPath);
  const agencyId =
    request.agencyId ?? (config.agencies.find((agency) => agency.oneStop) ?? config.agencies[0])?.id ?? '';
  if (!config.agencies.some((agency) => agency.id === agencyId)) {
    throw new DevTokenError(`unknown agency ${agencyId} in ${request.configPath}`);
  }
  const roles = request.roles as readonly Role[];
  const user = request.user ?? `dev-${roles[0]}`;
  const auth = await loadLocalAuth(join(resolve(request.dataDir), 'auth'));
  return auth.issueLocalToken({
    sub: user,
    username: user,
    groups: roles,
    agencyId,
    ttl: /^\d+$/.test(ttl) ? Number(ttl) : ttl,
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      role: { type: 'string', multiple: true },
      agency: { type: 'string' },
      user: { type: 'string' },
      ttl: { type: 'string' },
      'data-dir': { type: 'string' },
      config: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const token = await issueDevToken({
    roles: values.role ?? [],
    agencyId: values.agency,
    user: values.user,
    ttl: values.ttl,
    dataDir: values['data-dir'] ?? process.env.MOTCUA_DATA_DIR ?? './data',
    configPath: values.config ?? 'config/provinces/sample-province.yaml',
  });
  process.stdout.write(`${token}\n`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((error: unknown) => {
    const known = error instanceof DevTokenError || (error as Error).name === 'ProvinceConfigError';
    process.stderr.write(`${known ? (error as Error).message : String((error as Error).stack ?? error)}\n`);
    if (known) process.stderr.write(`\n${USAGE}\n`);
    process.exitCode = 2;
  });
}
