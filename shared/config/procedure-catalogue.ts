/**
 * The procedure catalogue (danh mục thủ tục hành chính) of a province: what each procedure
 * (TTHC) requires, who processes it in which order, and how long it may take, versioned by
 * effective date. Plugged into the province configuration as `procedures`; the cross-references
 * to the province's agencies and document types are checked by {@link checkProcedureCatalogue}.
 */
import { z } from 'zod';
import { ROLES } from '#shared/auth/authorize.ts';

/** National procedure code (MaTTHC), e.g. `1.001193` or `2.000815`. */
export const PROCEDURE_CODE_PATTERN = /^\d\.\d{6}$/;

const AGENCY_ID = /^\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}$/;

/** Government level a procedure belongs to; `district` only where the period still has districts. */
export const PROCEDURE_LEVELS = ['province', 'district', 'commune'] as const;
export type ProcedureLevel = (typeof PROCEDURE_LEVELS)[number];

/** Agency levels (of the province configuration) that may be competent for each procedure level. */
const COMPETENT_LEVELS: Record<ProcedureLevel, readonly string[]> = {
  province: ['province', 'department'],
  district: ['district'],
  commune: ['commune'],
};

/**
 * Units of a statutory limit. `same-day` (trong ngày) has no value: the route's shares are parts
 * of that one day and add up to 1.
 */
export const LIMIT_UNITS = ['working-days', 'calendar-days', 'working-hours', 'same-day'] as const;
export type LimitUnit = (typeof LIMIT_UNITS)[number];

/** Roles that carry out a step; auditors only read and province admins operate the stack. */
export const STEP_ROLES = ROLES.filter(
  (role): role is Exclude<(typeof ROLES)[number], 'auditor' | 'province-admin'> =>
    role !== 'auditor' && role !== 'province-admin',
);
export type StepRole = (typeof STEP_ROLES)[number];

const agencyIdSchema = z.string().regex(AGENCY_ID, 'must be a QCVN 102 identifier such as 000.00.00.H56');

const isoDateSchema = z.iso.date('must be an ISO date such as 2025-07-01');

const shareSchema = z.number().positive('must be more than 0');

const stepRoleSchema = z.enum(STEP_ROLES as [StepRole, ...StepRole[]], {
  error: `must be one of ${STEP_ROLES.join(', ')}`,
});

/** One agency's part of a route: who does it, in which role, and its share of the limit. */
const agencyStepSchema = z.strictObject({
  /** What the step does, as progress updates show it (NoiDungXuLy), e.g. `Thẩm định hồ sơ`. */
  name: z.string().min(1),
  agencyId: agencyIdSchema,
  role: stepRoleSchema,
  /** Part of the statutory limit, in the limit's unit (parts of the day for `same-day`). */
  share: shareSchema,
});

/**
 * A route step: one agency ({@link AgencyStep}) or a parallel consultation (liên thông) of two or
 * more agencies, written `{ name, parallel: [...] }`. Parsed as one object so that a mistake is
 * reported on the field that is wrong rather than as "no variant matched".
 */
const routeStepSchema = z
  .strictObject({
    name: z.string().min(1),
    agencyId: agencyIdSchema.optional(),
    role: stepRoleSchema.optional(),
    share: shareSchema.optional(),
    /** Agencies consulted at the same time; the group lasts as long as its longest share. */
    parallel: z
      .array(agencyStepSchema)
      .min(2, 'a parallel group needs at least two agencies (make a single agency an ordinary step)')
      .optional(),
  })
  .superRefine((step, ctx) => {
    const own = ['agencyId', 'role', 'share'] as const;
    if (step.parallel) {
      for (const key of own) {
        if (step[key] !== undefined) {
          ctx.addIssue({
            code: 'custom',
            path: [key],
            message: 'not allowed on a parallel group: set it on each agency under parallel',
          });
        }
      }
      const seen = new Set<string>();
      step.parallel.forEach((member, index) => {
        if (seen.has(member.agencyId)) {
          ctx.addIssue({
            code: 'custom',
            path: ['parallel', index, 'agencyId'],
            message: `agency ${member.agencyId} appears twice in this parallel group`,
          });
        }
        seen.add(member.agencyId);
      });
      return;
    }
    for (const key of own) {
      if (step[key] === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: [key],
          message: 'required (or list the agencies of a parallel group under parallel)',
        });
      }
    }
  })
  .transform((step): RouteStep => {
    if (step.parallel) return { name: step.name, parallel: step.parallel };
    // Reached only when superRefine found agencyId, role and share.
    return {
      name: step.name,
      agencyId: step.agencyId ?? '',
      role: step.role ?? 'processing-officer',
      share: step.share ?? 0,
    };
  });

const limitSchema = z.discriminatedUnion(
  'unit',
  [
    z.strictObject({ unit: z.literal('same-day') }),
    z.strictObject({
      unit: z.enum(['working-days', 'calendar-days', 'working-hours']),
      value: z.number().positive('must be more than 0'),
    }),
  ],
  { error: `unit must be one of ${LIMIT_UNITS.join(', ')}` },
);

/** A paper the applicant submits (thành phần hồ sơ). */
const componentSchema = z.strictObject({
  /** As the catalogue names it, e.g. `Tờ khai đăng ký khai sinh`. */
  name: z.string().min(1),
  /** Code of a document type of the province (`documentTypes[].code`). */
  documentType: z.string().min(1),
  /** Must be digitised at intake (Decree 45/2020: results of earlier procedures). */
  mustDigitise: z.boolean(),
  /** May be taken from the archive instead of being submitted again (DuocTaiSuDung). @default false */
  reusable: z.boolean().default(false),
});

export const procedureSchema = z
  .strictObject({
    /** MaTTHC, e.g. `1.001193`; repeated only for versions with non-overlapping periods. */
    code: z
      .string({
        error: (issue) =>
          typeof issue.input === 'number'
            ? 'must be quoted: YAML reads an unquoted 1.001193 as a number'
            : 'must be a procedure code (MaTTHC) such as 1.001193',
      })
      .regex(PROCEDURE_CODE_PATTERN, 'must be a procedure code (MaTTHC) such as 1.001193'),
    /** TenTTHC as published, in Vietnamese. */
    name: z.string().min(1),
    /** Field of the procedure (MaLinhVuc, TenLinhVuc), e.g. `{ code: HT, name: Hộ tịch }`. */
    field: z.strictObject({
      code: z.string().regex(/^[A-Z0-9][A-Z0-9._-]{0,19}$/, 'must be capitals, digits, dots or dashes'),
      name: z.string().min(1),
    }),
    level: z.enum(PROCEDURE_LEVELS),
    /**
     * The agency competent to decide (cơ quan có thẩm quyền). For commune- and district-level
     * procedures every agency of that level is competent for its own dossiers: name one of them
     * here and in the route; a dossier's own competent unit stands in for it.
     */
    competentAgencyId: agencyIdSchema,
    /** Statutory time limit (thời hạn giải quyết). */
    limit: limitSchema,
    /** Ordered steps; their shares (a parallel group counts its longest share) add up to the limit. */
    route: z.array(routeStepSchema).min(1, 'must have at least one step'),
    components: z.array(componentSchema).default([]),
    /** Document type of the result, when the province catalogues it (result codes, KPI 4.1). */
    resultDocumentType: z.string().min(1).optional(),
    /** Fee and charge in VND; 0 when free. */
    fee: z.number().int().min(0),
    /** `full` (toàn trình), `partial` (một phần), `none` (not offered online). */
    onlineLevel: z.enum(['full', 'partial', 'none']),
    /** Receipt allowed regardless of administrative boundary (phi địa giới hành chính). */
    anyBoundaryReceipt: z.boolean(),
    /** The result must also be issued on paper (for KPI 4.1, electronic results). */
    paperResult: z.boolean(),
    effectiveFrom: isoDateSchema,
    /** Last day in force (inclusive); absent while the version is current. */
    effectiveTo: isoDateSchema.optional(),
  })
  .superRefine((procedure, ctx) => {
    if (procedure.effectiveTo !== undefined && procedure.effectiveTo < procedure.effectiveFrom) {
      ctx.addIssue({
        code: 'custom',
        path: ['effectiveTo'],
        message: `must not be before effectiveFrom ${procedure.effectiveFrom}`,
      });
    }
    const total = limitTotal(procedure.limit);
    const sum = procedure.route.reduce((acc, step) => acc + stepShare(step), 0);
    // An empty route is reported as such, not as shares that add up to nothing.
    if (procedure.route.length > 0 && Math.abs(sum - total) > 1e-9) {
      ctx.addIssue({
        code: 'custom',
        path: ['route'],
        message: `step shares add up to ${round(sum)}, not the limit of ${describeLimit(procedure.limit)}`,
      });
    }
  });

export type ProcedureLimit = z.infer<typeof limitSchema>;
export type ProcedureComponent = z.output<typeof componentSchema>;
export type AgencyStep = z.infer<typeof agencyStepSchema>;
/** A group of agencies consulted in parallel (liên thông). */
export interface ParallelStep {
  name: string;
  parallel: AgencyStep[];
}
export type RouteStep = AgencyStep | ParallelStep;
export type Procedure = z.output<typeof procedureSchema>;

/**
 * A procedure's component ids (MaThanhPhanHoSo): the document type, suffixed `-2`, `-3` … when the
 * procedure asks for a type again.
 */
export function componentIdsOf(procedure: Pick<Procedure, 'components'>): string[] {
  const seen = new Map<string, number>();
  return procedure.components.map((component) => {
    const count = (seen.get(component.documentType) ?? 0) + 1;
    seen.set(component.documentType, count);
    return count === 1 ? component.documentType : `${component.documentType}-${count}`;
  });
}

/** Whether a route step is a parallel consultation. */
export function isParallelStep(step: RouteStep): step is ParallelStep {
  return 'parallel' in step;
}

/** The limit in its own unit; a same-day limit is one day. */
export function limitTotal(limit: ProcedureLimit): number {
  return limit.unit === 'same-day' ? 1 : limit.value;
}

/** What a step takes of the limit: its share, or the longest share of a parallel group. */
export function stepShare(step: RouteStep): number {
  return isParallelStep(step) ? Math.max(...step.parallel.map((member) => member.share)) : step.share;
}

function describeLimit(limit: ProcedureLimit): string {
  return limit.unit === 'same-day' ? '1 (same-day)' : `${limit.value} ${limit.unit}`;
}

function round(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}

/** What {@link checkProcedureCatalogue} needs of the province configuration. */
export interface CatalogueReferences {
  agencies: readonly { id: string; level: string; oneStop: boolean }[];
  documentTypes: readonly { code: string }[];
  procedures: readonly Procedure[];
}

/** Receives one problem of the catalogue, its path from the configuration's root. */
export type CatalogueIssueReporter = (path: PropertyKey[], message: string) => void;

/**
 * Checks what one procedure cannot check alone: agencies and document types exist in the
 * province, the competent agency fits the level, counter steps are at one-stop agencies, and
 * versions of one code do not overlap. Issues are reported under `procedures[i]…`.
 */
export function checkProcedureCatalogue(config: CatalogueReferences, report: CatalogueIssueReporter): void {
  const agencies = new Map(config.agencies.map((agency) => [agency.id, agency]));
  const typeCodes = new Set(config.documentTypes.map((type) => type.code));
  const issue = (path: PropertyKey[], message: string) => report(['procedures', ...path], message);

  config.procedures.forEach((procedure, p) => {
    const competent = agencies.get(procedure.competentAgencyId);
    if (!competent) {
      issue([p, 'competentAgencyId'], `unknown agency ${procedure.competentAgencyId}`);
    } else if (!COMPETENT_LEVELS[procedure.level].includes(competent.level)) {
      issue(
        [p, 'competentAgencyId'],
        `agency ${competent.id} is at ${competent.level} level, not competent for a ${procedure.level}-level procedure`,
      );
    }
    const checkStep = (step: AgencyStep, path: PropertyKey[]) => {
      const agency = agencies.get(step.agencyId);
      if (!agency) issue([...path, 'agencyId'], `unknown agency ${step.agencyId}`);
      else if (step.role === 'counter-officer' && !agency.oneStop) {
        issue([...path, 'role'], `agency ${agency.id} has no one-stop department for a counter-officer`);
      }
    };
    procedure.route.forEach((step, s) => {
      if (isParallelStep(step)) {
        step.parallel.forEach((member, m) => {
          checkStep(member, [p, 'route', s, 'parallel', m]);
        });
      } else {
        checkStep(step, [p, 'route', s]);
      }
    });
    procedure.components.forEach((component, c) => {
      if (!typeCodes.has(component.documentType)) {
        issue([p, 'components', c, 'documentType'], `unknown document type ${component.documentType}`);
      }
    });
    if (procedure.resultDocumentType !== undefined && !typeCodes.has(procedure.resultDocumentType)) {
      issue([p, 'resultDocumentType'], `unknown document type ${procedure.resultDocumentType}`);
    }
    for (let earlier = 0; earlier < p; earlier++) {
      const other = config.procedures[earlier];
      if (other && other.code === procedure.code && periodsOverlap(other, procedure)) {
        issue(
          [p, 'effectiveFrom'],
          `${procedure.code} is already in force from ${other.effectiveFrom} to ${other.effectiveTo ?? 'open end'} (procedures[${earlier}]): versions of a procedure must not overlap`,
        );
      }
    }
  });
}

type Period = Pick<Procedure, 'effectiveFrom' | 'effectiveTo'>;

function periodsOverlap(a: Period, b: Period): boolean {
  return (
    (a.effectiveTo === undefined || b.effectiveFrom <= a.effectiveTo) &&
    (b.effectiveTo === undefined || a.effectiveFrom <= b.effectiveTo)
  );
}

/** Whether a procedure version is in force on an ISO date (both ends inclusive). */
export function isInForce(procedure: Period, onDate: string): boolean {
  return (
    procedure.effectiveFrom <= onDate &&
    (procedure.effectiveTo === undefined || onDate <= procedure.effectiveTo)
  );
}

/** The outcome of {@link findProcedure}. */
export type ProcedureLookup =
  | { found: true; procedure: Procedure }
  | {
      found: false;
      /** `unknown-code`: no version at all; `not-in-force`: versions exist, none on that date. */
      reason: 'unknown-code' | 'not-in-force';
      code: string;
      onDate: string;
    };

const VIETNAM_OFFSET_MS = 7 * 60 * 60 * 1000;

/** The calendar date in Vietnam (UTC+7, no daylight saving) of an instant, as `YYYY-MM-DD`. */
export function vietnamDate(instant: Date): string {
  return new Date(instant.getTime() + VIETNAM_OFFSET_MS).toISOString().slice(0, 10);
}

/**
 * The version of procedure `code` in force on a date: an ISO date, or an instant taken as its
 * date in Vietnam.
 * @throws RangeError when `onDate` is neither an ISO date nor a valid instant.
 */
export function findProcedure(
  config: { procedures: readonly Procedure[] },
  code: string,
  onDate: string | Date,
): ProcedureLookup {
  const date = typeof onDate === 'string' ? onDate : vietnamDate(onDate);
  if (!isoDateSchema.safeParse(date).success) {
    throw new RangeError(`not a date: ${typeof onDate === 'string' ? onDate : String(onDate)}`);
  }
  const versions = config.procedures.filter((procedure) => procedure.code === code);
  const procedure = versions.find((version) => isInForce(version, date));
  if (procedure) return { found: true, procedure };
  return {
    found: false,
    reason: versions.length === 0 ? 'unknown-code' : 'not-in-force',
    code,
    onDate: date,
  };
}
