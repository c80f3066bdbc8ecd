/**
 * `npm run audit:verify`: verifies the audit trail's hash chains on an embedded runtime's data.
 *
 *   npm run audit:verify -- --day 2026-11-22
 *   npm run audit:verify -- --data-dir ./data --from 2026-11-01 --to 2026-11-30
 *
 * Opens the data folder's DynamoDB store itself, so the back office on that folder must be
 * stopped (its store has one owner); while it runs, ask `GET /audit/verify` instead. Prints
 * each day's entry count and head hash, or the first changed or missing entry; exits 1 then.
 */
import { parseArgs } from 'node:util';
import { createDynamoDbAuditTrail } from '#shared/adapters/aws/dynamodb-audit-trail.ts';
import { loadProvinceConfig } from '#shared/config/load-province-config.ts';
import { type AuditChainReport, verifyAuditChain } from '#shared/use-cases/audit/verify-audit-chain.ts';
import { ensureAuditTable, withLocalDynamoDb } from './start-local-dynamodb.ts';

const USAGE = `Usage: npm run audit:verify -- [--data-dir <folder>] [--day YYYY-MM-DD | --from YYYY-MM-DD --to YYYY-MM-DD] [--config <province.yaml>]

  --data-dir  the back office's data folder (env MOTCUA_DATA_DIR, default ./data); stop the back office first
  --day       one UTC day (default today)
  --from/--to a range of UTC days, inclusive
  --config    province configuration (default config/provinces/sample-province.yaml)`;

/** What to verify. */
export interface VerifyAuditRequest {
  dataDir: string;
  from: string;
  to: string;
  configPath: string;
}

/** Verifies the chains of a data folder's audit table (the table named after the province). */
export async function verifyLocalAuditChain(request: VerifyAuditRequest): Promise<AuditChainReport> {
  return withLocalDynamoDb({ dataDir: request.dataDir }, async (client) => {
    const config = loadProvinceConfig(request.configPath);
    const table = `motcua-${config.province.slug}-audit`;
    await ensureAuditTable(client, table);
    return verifyAuditChain(createDynamoDbAuditTrail(client, table), request);
  });
}

/** The report as lines for a terminal. */
export function formatAuditReport(report: AuditChainReport): string {
  const lines = report.chains.map(
    (chain) => `${chain.chain}  ${chain.entries} entries${chain.headHash ? `  head ${chain.headHash}` : ''}`,
  );
  const problem = report.firstProblem;
  lines.push(
    problem
      ? `BROKEN at ${problem.entryId} (${problem.kind}${problem.fields ? `: ${problem.fields.join(', ')}` : ''}): ${problem.message}`
      : 'OK: every chain is intact',
  );
  return lines.join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'data-dir': { type: 'string' },
      day: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      config: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const today = new Date().toISOString().slice(0, 10);
  const from = values.day ?? values.from ?? today;
  const to = values.day ?? values.to ?? from;
  for (const value of [from, to]) {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) throw new Error(`not a day (YYYY-MM-DD): ${value}\n\n${USAGE}`);
  }
  const report = await verifyLocalAuditChain({
    dataDir: values['data-dir'] ?? process.env.MOTCUA_DATA_DIR ?? './data',
    from,
    to,
    configPath: values.config ?? 'config/provinces/sample-province.yaml',
  });
  process.stdout.write(`${formatAuditReport(report)}\n`);
  if (!report.valid) process.exitCode = 1;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((error: unknown) => {
    process.stderr.write(`${(error as Error).message ?? String(error)}\n`);
    process.exitCode = 2;
  });
}
