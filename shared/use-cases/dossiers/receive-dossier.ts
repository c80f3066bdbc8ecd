/**
 * Intake (tiếp nhận hồ sơ): a one-stop unit receives a dossier for a procedure in force, for an
 * owner, by a channel. Papers the archive already holds for the owner are attached as reused
 * (DuocTaiSuDung); the rest get upload tickets through the document pipeline. Every command
 * carries an idempotency key: a retried command answers as the first did and writes nothing new.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { authorize, authorizeRole, type Principal } from '#shared/auth/authorize.ts';
import {
  componentIdsOf,
  findProcedure,
  PROCEDURE_CODE_PATTERN,
  type Procedure,
} from '#shared/config/procedure-catalogue.ts';
import type { AgencyConfig, ProvinceConfig } from '#shared/config/province-config.ts';
import type { WorkingCalendar } from '#shared/domain/calendar/working-calendar.ts';
import { computeDueDate } from '#shared/domain/dossiers/compute-due-date.ts';
import {
  type ComponentUploadTicket,
  DOSSIER_STATUS,
  type Dossier,
  type DossierComponent,
  dossierCodeDay,
  formatDossierCode,
  validateOwnerId,
} from '#shared/domain/dossiers/dossier.ts';
import { planDossierSteps } from '#shared/domain/dossiers/plan-dossier-steps.ts';
import { ConflictError, ValidationError } from '#shared/domain/errors.ts';
import type { DossierRepository, IdempotencyRecord } from '#shared/ports/dossier-repository.ts';
import type { Clock, DocumentRepository } from '#shared/ports.ts';
import type { UploadTicket } from '#shared/use-cases/request-upload.ts';

/**
 * How long an unfinished first attempt holds its key: a retry within it is told to wait (409
 * IDEMPOTENCY_KEY_IN_PROGRESS); after it, the retry takes over (the first attempt has died).
 */
export const IDEMPOTENCY_LEASE_MS = 60_000;

export interface ReceiveDossierDependencies {
  config: ProvinceConfig;
  /** The province's working calendar, asked for on the first intake (reading it touches files). */
  calendar: () => WorkingCalendar;
  dossiers: DossierRepository;
  /** The archive index, searched for the owner's papers. */
  archive: Pick<DocumentRepository, 'searchArchive'>;
  /** The document pipeline's upload request (createRequestUpload). */
  requestUpload: (principal: Principal, input: unknown) => Promise<UploadTicket>;
  /** Starts the dossier's routing; starting it again for the same dossier does nothing. */
  startRouting: (dossierCode: string) => Promise<void>;
  /** Called once the dossier is written (the national-portal outbox); again on a replay. */
  onChange?: (dossier: Dossier) => Promise<void>;
  clock: Clock;
}

/** What intake answers: the dossier, and a ticket for each paper to upload now. */
export interface ReceivedDossier {
  dossier: Dossier;
  uploads: ComponentUploadTicket[];
  /** The answer of an earlier command with the same key (HTTP 200 rather than 201). */
  replayed: boolean;
}

const isoInstant = z.iso.datetime({ offset: true, error: 'must be an ISO instant' });
const literals = <T extends number>(values: readonly T[]) =>
  z.union(values.map((value) => z.literal(value)) as unknown as [z.ZodLiteral<T>, ...z.ZodLiteral<T>[]], {
    error: `must be one of ${values.join(', ')}`,
  });

const inputSchema = z.strictObject({
  /** Chosen by the client per command (a UUID, say); 8–128 letters, digits, `.`, `_`, `:`, `-`. */
  idempotencyKey: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{7,127}$/, 'must be 8–128 letters or digits'),
  procedureCode: z.string().regex(PROCEDURE_CODE_PATTERN, 'must be a procedure code such as 1.001193'),
  channel: literals([1, 2, 3] as const),
  receivingUnitId: z.string().min(1),
  /** For commune- and district-level procedures: the competent unit, when not the receiving one. */
  competentAgencyId: z.string().min(1).optional(),
  owner: z.strictObject({
    kind: literals([1, 2, 3, 4] as const),
    id: z.string().min(1),
    name: z.string().trim().min(1).max(200),
  }),
  queueTicket: z
    .strictObject({ issuedAt: isoInstant, calledAt: isoInstant.optional(), servedAt: isoInstant.optional() })
    .optional(),
  /** Scans the officer has ready, by component id: each gets an upload ticket unless reused. */
  files: z
    .record(z.string(), z.strictObject({ mediaType: z.string(), size: z.number(), sha256: z.string() }))
    .default({}),
});
type ReceiveInput = z.output<typeof inputSchema>;

function parseInput(input: unknown): ReceiveInput {
  const parsed = inputSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const path = issue?.path.join('.') || 'body';
  throw new ValidationError('INVALID_DOSSIER_REQUEST', `${path}: ${issue?.message ?? 'invalid'}`);
}

/** JSON with object keys sorted, so that the same request always hashes the same. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** The administrative area an agency serves: its own for communes and districts, else the province. */
const areaOf = (agency: AgencyConfig) =>
  agency.level === 'commune' || agency.level === 'district' ? agency.id : 'province';

export function createReceiveDossier(deps: ReceiveDossierDependencies) {
  const agencies = new Map(deps.config.agencies.map((agency) => [agency.id, agency]));

  function receivingUnit(id: string): AgencyConfig {
    const agency = agencies.get(id);
    if (!agency) throw new ValidationError('UNKNOWN_AGENCY', `unknown receiving unit ${id}`);
    if (!agency.oneStop) {
      throw new ValidationError(
        'AGENCY_NOT_ONE_STOP',
        `agency ${id} has no one-stop department to receive dossiers`,
      );
    }
    return agency;
  }

  function procedureInForce(code: string, receivedAt: Date): Procedure {
    const lookup = findProcedure(deps.config, code, receivedAt);
    if (lookup.found) return lookup.procedure;
    if (lookup.reason === 'unknown-code') {
      throw new ValidationError('UNKNOWN_PROCEDURE', `procedure ${code} is not in the province's catalogue`);
    }
    throw new ValidationError(
      'PROCEDURE_NOT_IN_FORCE',
      `procedure ${code} is not in force on ${lookup.onDate}`,
    );
  }

  /** Commune- and district-level procedures: each unit of that level is competent for its own dossiers. */
  function competentAgency(procedure: Procedure, receiving: AgencyConfig, requested?: string): AgencyConfig {
    let id = procedure.competentAgencyId;
    if (procedure.level === 'province') {
      if (requested !== undefined && requested !== id) {
        throw new ValidationError(
          'INVALID_COMPETENT_AGENCY',
          `procedure ${procedure.code} is decided by ${id}, not ${requested}`,
        );
      }
    } else if (requested !== undefined) {
      id = requested;
    } else if (receiving.level === procedure.level) {
      id = receiving.id;
    }
    const agency = agencies.get(id);
    if (!agency || (procedure.level !== 'province' && agency.level !== procedure.level)) {
      throw new ValidationError(
        'INVALID_COMPETENT_AGENCY',
        `${id} is not a ${procedure.level}-level agency of the province`,
      );
    }
    return agency;
  }

  function checkQueueTicket(input: ReceiveInput): void {
    const ticket = input.queueTicket;
    if (!ticket) return;
    if (input.channel !== 1) {
      throw new ValidationError(
        'QUEUE_TICKET_NOT_AT_COUNTER',
        'queue-ticket times belong to counter visits (channel 1)',
      );
    }
    const times = [ticket.issuedAt, ticket.calledAt, ticket.servedAt]
      .filter((time): time is string => time !== undefined)
      .map((time) => Date.parse(time));
    if (times.some((time, index) => index > 0 && time < (times[index - 1] ?? time))) {
      throw new ValidationError('INVALID_QUEUE_TICKET', 'a ticket is issued, then called, then served');
    }
  }

  async function replay(existing: IdempotencyRecord, requestHash: string, now: Date) {
    if (existing.requestHash !== requestHash) {
      throw new ConflictError(
        'IDEMPOTENCY_KEY_REUSED',
        `idempotency key ${existing.key} was used for another request`,
      );
    }
    const dossier = existing.dossierCode ? await deps.dossiers.getDossier(existing.dossierCode) : undefined;
    if (dossier && existing.uploads) {
      // The first attempt may have died before its routing started or its sync was recorded.
      await deps.onChange?.(dossier);
      await deps.startRouting(dossier.code);
      return { dossier, uploads: existing.uploads, replayed: true };
    }
    if (now.getTime() - Date.parse(existing.startedAt) < IDEMPOTENCY_LEASE_MS) {
      throw new ConflictError(
        'IDEMPOTENCY_KEY_IN_PROGRESS',
        `the command with idempotency key ${existing.key} is still running: retry shortly`,
      );
    }
    return undefined;
  }

  return async function receiveDossier(principal: Principal, body: unknown): Promise<ReceivedDossier> {
    authorizeRole(principal, 'dossier:receive');
    const input = parseInput(body);
    const receiving = receivingUnit(input.receivingUnitId);
    authorize(principal, 'dossier:receive', receiving.id);
    const ownerId = validateOwnerId(input.owner.kind, input.owner.id);
    checkQueueTicket(input);
    const now = deps.clock.now();
    const procedure = procedureInForce(input.procedureCode, now);
    const competent = competentAgency(procedure, receiving, input.competentAgencyId);
    if (areaOf(competent) !== areaOf(receiving) && !procedure.anyBoundaryReceipt) {
      throw new ValidationError(
        'BOUNDARY_RECEIPT_NOT_ALLOWED',
        `procedure ${procedure.code} is received only within the competent agency's area (${competent.id}), not at ${receiving.id}`,
      );
    }
    const ids = componentIdsOf(procedure);
    const unknownFile = Object.keys(input.files).find((id) => !ids.includes(id));
    if (unknownFile !== undefined) {
      throw new ValidationError(
        'UNKNOWN_COMPONENT',
        `procedure ${procedure.code} has no component ${unknownFile} (it has ${ids.join(', ')})`,
      );
    }

    const { idempotencyKey, ...request } = input;
    const requestHash = createHash('sha256').update(canonicalJson(request)).digest('base64url');
    const existing = await deps.dossiers.claimIdempotencyKey({
      key: idempotencyKey,
      requestHash,
      startedAt: now.toISOString(),
    });
    if (existing) {
      const answered = await replay(existing, requestHash, now);
      if (answered) return answered;
    }
    // A first attempt, or a takeover of one that died: it keeps the code the key already holds.
    const day = dossierCodeDay(now);
    const code =
      existing?.dossierCode ??
      (await deps.dossiers.assignDossierCode(
        idempotencyKey,
        formatDossierCode(receiving.id, day, await deps.dossiers.nextDossierNumber(receiving.id, day)),
      ));

    const uploads: ComponentUploadTicket[] = [];
    const components: DossierComponent[] = [];
    for (const [index, component] of procedure.components.entries()) {
      const componentId = ids[index] ?? component.documentType;
      const base = {
        componentId,
        name: component.name,
        documentType: component.documentType,
        mustDigitise: component.mustDigitise,
      };
      if (component.reusable) {
        const { items } = await deps.archive.searchArchive({
          ownerId,
          docType: component.documentType,
          limit: 10,
        });
        const valid = items.find(
          (entry) => !entry.retainUntil || Date.parse(entry.retainUntil) > now.getTime(),
        );
        if (valid) {
          components.push({
            ...base,
            source: 'reused',
            digitisedCode: valid.code,
            documentId: valid.documentId,
          });
          continue;
        }
      }
      const file = input.files[componentId];
      if (!file) {
        components.push({ ...base, source: 'awaiting-upload' });
        continue;
      }
      const ticket = await deps.requestUpload(principal, {
        agencyId: receiving.id,
        dossierId: code,
        componentId,
        ...file,
      });
      uploads.push({ componentId, ...ticket });
      components.push({ ...base, source: 'awaiting-upload', documentId: ticket.documentId });
    }

    // An online submission is registered (1) until the counter checks and receives it (2).
    const online = input.channel === 2;
    const status = online ? DOSSIER_STATUS.registeredOnline : DOSSIER_STATUS.received;
    const steps = planDossierSteps(procedure, {
      receivingUnitId: receiving.id,
      competentAgencyId: competent.id,
      receivedAt: now.toISOString(),
      receivedBy: principal.userId,
    });
    const intake = steps.find((step) => step.kind === 'intake');
    if (online && intake) {
      intake.state = 'waiting';
      delete intake.finishedAt;
      delete intake.finishedBy;
    }
    const dossier: Dossier = {
      code,
      procedureCode: procedure.code,
      procedureVersion: procedure.effectiveFrom,
      receivingUnitId: receiving.id,
      competentAgencyId: competent.id,
      channel: input.channel,
      owner: { kind: input.owner.kind, id: ownerId, name: input.owner.name },
      receivedAt: now.toISOString(),
      dueAt: computeDueDate(now, procedure.limit, deps.calendar()).toISOString(),
      status,
      components,
      ...(input.queueTicket ? { queueTicket: input.queueTicket } : {}),
      receivedBy: principal.userId,
      steps,
      supplements: [],
      feeRequests: [],
      results: [],
      history: [
        {
          version: 1,
          at: now.toISOString(),
          action: online ? 'register' : 'receive',
          by: principal.userId,
          status,
        },
      ],
      version: 1,
      appliedCommands: { [idempotencyKey]: 1 },
    };
    try {
      await deps.dossiers.createDossier(dossier);
    } catch (error) {
      // Two takeovers of one dead attempt: the first to write the dossier answers for both.
      if (!(error instanceof ConflictError)) throw error;
      const written = await deps.dossiers.getDossier(code);
      if (!written) throw error;
      await deps.onChange?.(written);
      await deps.startRouting(written.code);
      return { dossier: written, uploads, replayed: true };
    }
    await deps.onChange?.(dossier);
    await deps.startRouting(dossier.code);
    await deps.dossiers.completeIdempotencyKey(idempotencyKey, uploads);
    return { dossier, uploads, replayed: false };
  };
}
