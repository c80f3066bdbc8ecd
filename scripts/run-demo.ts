/**
 * `npm run demo`: uploads sample scans to the back office, waits for the pipeline and shows what
 * it made of each: code, type, owner, title as read, signature, archive key; then walks one
 * inter-agency dossier from intake to return and prints its timeline. Signed PDFs land in
 * demo-output/. Uses the back office `npm start` runs on ./data, or starts one in-process.
 *
 *   npm run demo -- [--data-dir data] [--out demo-output] [--config config/provinces/sample-province.yaml]
 *
 * Exits non-zero when a good sample is not archived with a valid signature or the bad one is
 * not quarantined.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { loadProvinceConfig } from '#shared/config/load-province-config.ts';
import { loadWorkingCalendar } from '#shared/config/load-working-calendar.ts';
import type { ProvinceConfig } from '#shared/config/province-config.ts';
import { createApiClient, type DocumentView } from './lib/api-client.ts';
import { captureConsole } from './lib/capture-console.ts';
import { checkDemoOutcome } from './lib/check-demo-outcome.ts';
import { connectBackOffice, tokenAgency } from './lib/connect-back-office.ts';
import { type DemoSample, makeDemoSamples } from './lib/make-demo-samples.ts';
import { type PdfsigVerdict, runPdfsig } from './lib/run-pdfsig.ts';
import { dossierTimeline, walkDemoDossier } from './lib/walk-demo-dossier.ts';

const { values: args } = parseArgs({
  options: {
    'data-dir': { type: 'string', default: 'data' },
    out: { type: 'string', default: 'demo-output' },
    config: { type: 'string', default: 'config/provinces/sample-province.yaml' },
  },
});
const dataDir = args['data-dir'];
const outDir = args.out;
const print = (line = '') => process.stdout.write(`${line}\n`);
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

interface Outcome {
  sample: DemoSample;
  view: DocumentView;
  problems: string[];
  pdfPath?: string;
  pdfsig?: PdfsigVerdict;
}

async function main(): Promise<number> {
  const config = loadProvinceConfig(args.config);
  print(`motcua demo — ${config.province.name}`);
  print();
  const captured = captureConsole();
  // The handlers' log lines (INFO and up) go to back-office.log, not the terminal.
  const backOffice = await connectBackOffice({ dataDir, logLevel: 'INFO' }).catch((error: unknown) => {
    captured.restore();
    throw error;
  });
  if (!backOffice.embedded) captured.restore();
  let outcomes: Outcome[] = [];
  let timeline: string[] = [];
  try {
    print(
      backOffice.embedded
        ? `No back office running on ${dataDir}/: started one in this process (API ${backOffice.apiUrl}).`
        : `Using the back office already running on ${dataDir}/ (API ${backOffice.apiUrl}).`,
    );
    outcomes = await runSamples(backOffice.apiUrl, backOffice.token, config);
    print('Walking an inter-agency dossier from intake to return (parallel consultation, one supplement)…');
    const dossier = await walkDemoDossier(createApiClient(backOffice.apiUrl, backOffice.token));
    const procedure = config.procedures.find((candidate) => candidate.code === dossier.procedureCode);
    const agencies = new Map(config.agencies.map((agency) => [agency.id, agency.name]));
    timeline = dossierTimeline(dossier, {
      agencyName: (id) => agencies.get(id) ?? id,
      limit: procedure?.limit ?? { unit: 'same-day' },
      calendar: loadWorkingCalendar(config.calendar),
      supplementResume: config.dossiers.supplementResume,
    });
  } finally {
    await backOffice.close();
    captured.restore();
    if (backOffice.embedded) {
      await mkdir(outDir, { recursive: true });
      await writeFile(join(outDir, 'back-office.log'), captured.lines.map((line) => `${line}\n`).join(''));
    }
  }
  printOutcomes(outcomes, config);
  print();
  for (const line of timeline) print(line);
  return printSummary(outcomes, backOffice.embedded);
}

async function runSamples(apiUrl: string, token: string, config: ProvinceConfig): Promise<Outcome[]> {
  const api = createApiClient(apiUrl, token);
  const agencyId = tokenAgency(token) ?? config.agencies.find((agency) => agency.oneStop)?.id ?? '';
  const agencyName = config.agencies.find((agency) => agency.id === agencyId)?.name ?? agencyId;

  let started = Date.now();
  const samples = await makeDemoSamples();
  print(`Generated ${samples.length} sample scans in ${seconds(Date.now() - started)}.`);

  started = Date.now();
  const dossierId = `DEMO-${new Date().toISOString().slice(0, 10).replaceAll('-', '')}`;
  const tickets = await Promise.all(
    samples.map((sample) => api.upload(sample.bytes, { agencyId, mediaType: sample.mediaType, dossierId })),
  );
  const totalBytes = samples.reduce((sum, sample) => sum + sample.bytes.byteLength, 0);
  print(
    `Uploaded them (${(totalBytes / 1024 ** 2).toFixed(1)} MB) through presigned URLs for ${agencyId} ${agencyName}, dossier ${dossierId}.`,
  );
  print('Waiting for the pipeline (OCR, classification, coding, signing, archiving)…');
  await Promise.all(tickets.map((ticket) => api.waitUntilSettled(ticket.documentId)));
  print(`All settled ${seconds(Date.now() - started)} after the first upload.`);

  await mkdir(outDir, { recursive: true });
  return Promise.all(
    samples.map(async (sample, index) => {
      const documentId = tickets[index]?.documentId ?? '';
      const view = await api.getDocument(documentId, { download: true, verify: true });
      const outcome: Outcome = { sample, view, problems: checkDemoOutcome(sample.expected, view) };
      if (view.downloadUrl && view.document.code) {
        outcome.pdfPath = join(outDir, `${view.document.code}.pdf`);
        await writeFile(outcome.pdfPath, await api.download(view.downloadUrl));
        outcome.pdfsig = await runPdfsig(outcome.pdfPath);
      }
      return outcome;
    }),
  );
}

function printOutcomes(outcomes: Outcome[], config: ProvinceConfig): void {
  const typeName = (code: string | undefined) =>
    config.documentTypes.find((type) => type.code === code)?.name ?? '';
  const labelWidth = Math.max(...outcomes.map((outcome) => outcome.sample.label.length)) + 4;
  for (const { sample, view, problems, pdfPath, pdfsig } of outcomes) {
    const { document } = view;
    const mark = problems.length === 0 ? '✔' : '✘';
    print();
    print(`${mark} ${sample.label.padEnd(labelWidth)}${document.status}`);
    const row = (name: string, value: string | undefined) => {
      if (value) print(`    ${name.padEnd(10)} ${value}`);
    };
    const classification = document.classification;
    row('code', document.code);
    if (classification?.docType)
      row('type', `${classification.docType} — ${typeName(classification.docType)}`);
    row('owner', classification?.ownerId);
    row('title', classification?.title);
    if (document.pageCount !== undefined) {
      const source = `OCR${document.ocrConfidence === undefined ? '' : `, confidence ${Math.round(document.ocrConfidence * 100)} %`}`;
      row('pages', `${document.pageCount} (${source})`);
    }
    for (const signature of view.verification ?? []) {
      row(
        'signature',
        `${signature.valid ? 'valid' : 'INVALID'} — ${signature.message} — ${signature.signer}`,
      );
    }
    if (document.archive) row('archive', `${document.archive.bucket}/${document.archive.signedPdfKey}`);
    if (pdfPath) row('pdf', relative('.', pdfPath));
    if (pdfsig?.available) row('pdfsig', pdfsig.verdicts.join('; ') || 'no verdict');
    if (document.quarantine) {
      row('reason', document.quarantine.reason);
      row('message', document.quarantine.message);
    }
    if (classification?.reviewReason) row('review', classification.reviewReason);
    for (const problem of problems) row('PROBLEM', problem);
  }
}

function printSummary(outcomes: Outcome[], embedded: boolean): number {
  const good = outcomes.filter((outcome) => outcome.sample.expected.status === 'ARCHIVED');
  const bad = outcomes.filter((outcome) => outcome.sample.expected.status === 'QUARANTINED');
  const ok = (list: Outcome[]) => list.filter((outcome) => outcome.problems.length === 0).length;
  print();
  print(
    `${ok(good)}/${good.length} papers archived with a valid signature; ${ok(bad)}/${bad.length} bad upload quarantined as expected.`,
  );
  if (outcomes.some((outcome) => outcome.pdfsig && !outcome.pdfsig.available)) {
    print('pdfsig is not installed: `apt-get install poppler-utils` to check the signed PDFs independently.');
  } else if (outcomes.some((outcome) => outcome.pdfPath)) {
    print(`Signed PDFs are in ${outDir}/; pdfsig (poppler-utils) checked them independently.`);
  }
  print(
    'Codes end in .01, .02, … per owner and type: the data in data/ persists, so each run adds the next number.',
  );
  if (embedded) print(`The back office's own log lines are in ${outDir}/back-office.log.`);
  const failed = outcomes.length === 0 || outcomes.some((outcome) => outcome.problems.length > 0);
  return failed ? 1 : 0;
}

try {
  process.exitCode = await main();
} catch (error) {
  process.stderr.write(`demo failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
}
