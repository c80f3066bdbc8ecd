/**
 * A dossier (hồ sơ, HoSo) as the one-stop department receives it: its code, procedure, units,
 * owner, dates, status and the papers it is made of. Field names are ours; the national portal's
 * names are given beside them for the sync that maps one to the other.
 */
import { vietnamDate } from '#shared/config/procedure-catalogue.ts';
import { ValidationError } from '#shared/domain/errors.ts';
import { parsePersonalId, parseTaxCode } from '#shared/domain/identifiers.ts';

/** How the dossier came in (KenhThucHien): 1 counter, 2 online, 3 public postal service. */
export const DOSSIER_CHANNELS = [1, 2, 3] as const;
export type DossierChannel = (typeof DOSSIER_CHANNELS)[number];

/** Who owns the dossier (LoaiDoiTuong): 1 citizen, 2 enterprise, 3 state agency, 4 other. */
export const OWNER_KINDS = [1, 2, 3, 4] as const;
export type DossierOwnerKind = (typeof OWNER_KINDS)[number];

/** Status codes as synced to the national portal (TrangThaiHoSo), see DOMAIN.md. */
export const DOSSIER_STATUS = {
  registeredOnline: 1,
  received: 2,
  refused: 3,
  processing: 4,
  supplementRequested: 5,
  feeRequested: 6,
  withdrawn: 7,
  stopped: 8,
  processed: 9,
  returned: 10,
} as const;
export type DossierStatus = (typeof DOSSIER_STATUS)[keyof typeof DOSSIER_STATUS];

/** The owner (ChuHoSo, SoGiayToChuHoSo, LoaiDoiTuong). */
export interface DossierOwner {
  kind: DossierOwnerKind;
  /** Personal ID or tax code, in canonical form. */
  id: string;
  name: string;
}

/** What every component carries, whatever its source. */
interface ComponentBase {
  /** MaThanhPhanHoSo: the document type, suffixed `-2`, `-3` when a procedure asks for a type twice. */
  componentId: string;
  name: string;
  documentType: string;
  mustDigitise: boolean;
}

/** A paper taken from the archive (DuocTaiSuDung): the applicant does not hand it over again. */
export interface ReusedComponent extends ComponentBase {
  source: 'reused';
  /** The archived paper's digitised code. */
  digitisedCode: string;
  documentId: string;
}

/**
 * A paper to be scanned and uploaded through the document pipeline. `documentId` is the upload
 * request's document; absent when no file was declared at intake (the upload is asked for later).
 */
export interface AwaitingUploadComponent extends ComponentBase {
  source: 'awaiting-upload';
  documentId?: string;
}

/** A paper scanned at intake that the document pipeline has archived: digitised (DuocSoHoa). */
export interface UploadedComponent extends ComponentBase {
  source: 'uploaded';
  documentId: string;
  /** The archived paper's digitised code. */
  digitisedCode: string;
  archivedAt: string;
}

export type DossierComponent = ReusedComponent | AwaitingUploadComponent | UploadedComponent;

/** Queue-ticket times of a counter visit (ISO instants), for waiting-time figures. */
export interface QueueTicket {
  issuedAt: string;
  calledAt?: string;
  servedAt?: string;
}

export interface Dossier {
  /** MaHoSo: `{receivingUnitId}-{yyMMdd}-{NNNN}`. */
  code: string;
  /** MaTTHC. */
  procedureCode: string;
  /** The version in force at receipt: its `effectiveFrom`. */
  procedureVersion: string;
  receivingUnitId: string;
  competentAgencyId: string;
  channel: DossierChannel;
  owner: DossierOwner;
  /** NgayTiepNhan, ISO instant. */
  receivedAt: string;
  /** NgayHenTra, ISO instant. */
  dueAt: string;
  status: DossierStatus;
  components: DossierComponent[];
  queueTicket?: QueueTicket;
  /** The officer who received it (the token's `sub`). */
  receivedBy: string;
  /** Processing steps (QuaTrinhXuLy), the intake and return steps included, in route order. */
  steps: DossierStep[];
  /** Supplement requests (DanhSachHoSoBoSung), oldest first. */
  supplements: SupplementRequest[];
  /** Financial-obligation requests, oldest first. */
  feeRequests: FeeRequest[];
  /** Result papers (DanhSachGiayToKetQua): archived documents of the result. */
  results: ResultPaper[];
  /** NgayKetThucXuLy: when processing ended (processed, refused, stopped or withdrawn). */
  finishedAt?: string;
  /** NgayTra: when the result was handed back. */
  returnedAt?: string;
  /** Why the dossier was refused (3), stopped (8) or withdrawn (7). */
  endReason?: string;
  /** The applicant's rating once the result is returned: 1 (very poor) to 5 (very good). */
  rating?: { score: number; comment?: string; at: string };
  /** Every change, oldest first: what the timeline and the portal's progress updates show. */
  history: DossierEvent[];
  /** Grows by one with every change; the portal sync is keyed on (code, version). */
  version: number;
  /** The signed electronic transfer from the receiving unit to the competent agency. */
  transfer?: DossierTransfer;
  /** Idempotency keys of the commands applied, with the version each produced (the newest few). */
  appliedCommands: Record<string, number>;
}

/**
 * The electronic transfer (chuyển hồ sơ điện tử): what the receiving unit hands over (the dossier,
 * its papers and their codes), signed with the receiving unit's key, so the competent agency can
 * check what it received and from whom.
 */
export interface DossierTransfer {
  at: string;
  from: string;
  to: string;
  /** The canonical JSON that is signed. */
  statement: string;
  algorithm: string;
  /** DER X.509 certificate of the receiving unit's key, base64. */
  certificate: string;
  signature: string;
}

/** The kind of a processing step: intake and return happen at the receiving unit's counter. */
export type StepKind = 'intake' | 'processing' | 'return';

/**
 * A step's state: `pending` until its stage opens, `waiting` for an officer to take it,
 * `in-progress` once accepted, `completed`, or `cancelled` when the dossier ended before it.
 */
export type StepState = 'pending' | 'waiting' | 'in-progress' | 'completed' | 'cancelled';

/** One agency's part of the processing (QuaTrinhXuLy). */
export interface DossierStep {
  /** `1`, `2`, … by stage; `3.1`, `3.2` for the agencies of a parallel consultation. */
  stepId: string;
  /** Position in the route (0 for intake); steps of one stage run in parallel. */
  stage: number;
  kind: StepKind;
  /** NoiDungXuLy. */
  name: string;
  agencyId: string;
  role: string;
  /** The step's share of the statutory limit, in the limit's unit. */
  share: number;
  state: StepState;
  /** NgayBatDau: when the step's stage opened. */
  startedAt?: string;
  /** NgayKetThucTheoQuyDinh: the statutory end of the step, from its start and share. */
  dueAt?: string;
  acceptedAt?: string;
  acceptedBy?: string;
  finishedAt?: string;
  finishedBy?: string;
  note?: string;
  /** Archived papers the step produced (intermediate results). */
  resultDocumentIds?: string[];
  /** Step Functions' callback token while the routing waits on this step; never shown by the API. */
  taskToken?: string;
}

export interface SupplementRequest {
  requestedAt: string;
  requestedBy: string;
  stepId: string;
  reason: string;
  answeredAt?: string;
  /** NgayHenTraTruoc / NgayHenTraMoi: the due date before the request and after the answer. */
  dueBefore: string;
  dueAfter?: string;
}

export interface FeeRequest {
  requestedAt: string;
  requestedBy: string;
  stepId: string;
  amount: number;
  reason: string;
  paidAt?: string;
}

export interface ResultPaper {
  documentId: string;
  /** MaGiayToKetQua: the archived paper's digitised code. */
  digitisedCode: string;
  name: string;
  stepId: string;
}

/** One change of a dossier. */
export interface DossierEvent {
  version: number;
  at: string;
  action: string;
  /** Who did it: a user id, or `system` for what routing does by itself. */
  by: string;
  /** The status after the change. */
  status: DossierStatus;
  stepId?: string;
  note?: string;
}

/** An upload ticket handed out at intake, with the component it is for. */
export interface ComponentUploadTicket {
  componentId: string;
  documentId: string;
  key: string;
  method: 'PUT';
  url: string;
  headers: Record<string, string>;
  expiresAt: string;
}

/** The day part of a dossier code: the Vietnam date of receipt as `yyMMdd`. */
export function dossierCodeDay(receivedAt: Date): string {
  return vietnamDate(receivedAt).slice(2).replaceAll('-', '');
}

/** The shape of a dossier code: a QCVN 102 unit id, the day, the number (four digits or more). */
const DOSSIER_CODE_PATTERN = /^\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}-\d{6}-\d{4,}$/;

/** Whether `code` has the shape of a dossier code (whether such a dossier exists is another matter). */
export function isDossierCode(code: string): boolean {
  return DOSSIER_CODE_PATTERN.test(code);
}

/** `{unit}-{yyMMdd}-{NNNN}`; the number is padded to four digits and may grow past them. */
export function formatDossierCode(receivingUnitId: string, day: string, sequence: number): string {
  return `${receivingUnitId}-${day}-${String(sequence).padStart(4, '0')}`;
}

/**
 * The owner's identifier in canonical form: a citizen's 12-digit personal ID; an enterprise's or
 * state agency's tax code; either for other owners.
 * @throws ValidationError INVALID_OWNER_ID with the reason.
 */
export function validateOwnerId(kind: DossierOwnerKind, id: string): string {
  const person = parsePersonalId(id);
  const tax = parseTaxCode(id);
  const parsed = kind === 1 ? person : kind === 4 ? (person.ok ? person : tax) : tax;
  if (!parsed.ok) {
    const expected = kind === 1 ? 'personal ID' : kind === 4 ? 'personal ID or tax code' : 'tax code';
    throw new ValidationError('INVALID_OWNER_ID', `owner id must be a valid ${expected}: ${parsed.reason}`);
  }
  return parsed.value;
}
