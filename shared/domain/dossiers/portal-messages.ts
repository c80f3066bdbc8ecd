/**
 * What the national public-service portal (Cổng Dịch vụ công quốc gia) is told about a dossier:
 * the dossier sync (`DongBoHoSoMC`) and the progress updates (`CapNhatTienDoHoSoMC`) of each
 * version, with the field names public integration code uses (DOMAIN.md, "National-portal sync").
 *
 * Wire conventions, chosen to match what production integrations send:
 * - every scalar is a string: codes (`'1'`, `'4'`), flags (`'1'` yes, `'0'` no) and dates;
 * - dates are `yyyyMMddHHmmss` in Vietnam time (UTC+7, no daylight saving);
 * - a field with no value (a date not reached yet, a link not configured) is **omitted**, never
 *   sent as `""`: an empty string is not a `yyyyMMddHHmmss` date, and a missing key reads as "no
 *   value" to every receiver, whereas `""` has been read as "cleared" by some;
 * - lists are always present, empty when there is nothing to list.
 *
 * Messages are pure functions of the dossier at a version: generating them twice gives the same
 * ids, bodies and creation times, which is what makes the outbox's append idempotent.
 */
import type { Procedure } from '#shared/config/procedure-catalogue.ts';
import { HOUR_MS } from '#shared/domain/calendar/vietnam-time.ts';
import type {
  Dossier,
  DossierComponent,
  DossierEvent,
  DossierStatus,
  DossierStep,
} from '#shared/domain/dossiers/dossier.ts';

/** The portal's two services this back office calls; each is also the path it is POSTed to. */
export const PORTAL_SERVICES = ['DongBoHoSoMC', 'CapNhatTienDoHoSoMC'] as const;
export type PortalService = (typeof PORTAL_SERVICES)[number];

/**
 * Our status (1–10, TrangThaiHoSo as DOMAIN.md lists it) → the code the province sends to the
 * portal. A status missing from the map is sent as its own number. Some provinces send 5, 6 and
 * 8 as another code, e.g. `{ 5: '4', 6: '4', 8: '4' }`.
 */
export type PortalStatusMap = Readonly<Partial<Record<DossierStatus, string | number>>>;

/** A submitted paper (TaiLieuNop). Flags are `'1'` / `'0'`. */
export interface PortalSubmittedFile {
  /** The file's document id in this back office. */
  TepDinhKemId: string;
  TenTepDinhKem: string;
  IsDeleted: '0' | '1';
  MaThanhPhanHoSo: string;
  /** A download link, when the province configures one ({@link PortalMessageOptions.fileUrl}). */
  DuongDanTaiTepTin?: string;
  DuocSoHoa: '0' | '1';
  DuocTaiSuDung: '0' | '1';
  /** Taken from the national data store (kho dữ liệu DMQG): not modelled yet, always `'0'`. */
  DuocLayTuKhoDMQG: '0' | '1';
}

/** A supplement request (DanhSachHoSoBoSung). */
export interface PortalSupplement {
  NgayYeuCau?: string;
  NoiDung?: string;
  /** The due date before the request. */
  NgayHenTraTruoc: string;
  /** The due date once the supplement was answered; omitted while it is awaited. */
  NgayHenTraMoi?: string;
}

/** A result paper (DanhSachGiayToKetQua). */
export interface PortalResultPaper {
  TenGiayTo: string;
  GiayToId: string;
  /** The archived paper's digitised code. */
  MaGiayToKetQua: string;
}

/** The body of `DongBoHoSoMC`: the whole dossier as the portal keeps it. */
export interface DossierSyncBody {
  MaHoSo: string;
  MaTTHC: string;
  TenTTHC: string;
  MaLinhVuc: string;
  TenLinhVuc: string;
  /** 1 counter, 2 online, 3 postal. */
  KenhThucHien: string;
  ChuHoSo: string;
  /** 1 citizen, 2 enterprise, 3 state agency, 4 other. */
  LoaiDoiTuong: string;
  SoGiayToChuHoSo: string;
  NgayNopHoSo: string;
  /** Omitted while the dossier is registered online (1) or when it was refused (3): not received. */
  NgayTiepNhan?: string;
  NgayHenTra: string;
  /** Our status through the {@link PortalStatusMap}. */
  TrangThaiHoSo: string;
  NgayKetThucXuLy?: string;
  NgayTra?: string;
  /** The competent agency's name. */
  DonViXuLy: string;
  /** Only for a refused dossier (3). */
  NgayTuChoi?: string;
  HoSoCoThanhPhanSoHoa: '0' | '1';
  TaiLieuNop: PortalSubmittedFile[];
  DanhSachHoSoBoSung: PortalSupplement[];
  DanhSachGiayToKetQua: PortalResultPaper[];
  /** False on the dossier's first message to the portal (it creates the dossier there). */
  isUpdating: boolean;
}

/** The body of `CapNhatTienDoHoSoMC`: one thing done on one step. */
export interface ProgressUpdateBody {
  MaHoSo: string;
  NguoiXuLy: string;
  ChucDanh: string;
  ThoiDiemXuLy: string;
  /** The step's agency. */
  PhongBanXuLy: string;
  /** The step's name and what was done, e.g. `Thẩm định hồ sơ: Hoàn thành`. */
  NoiDungXuLy: string;
  /** The dossier's status after the change, through the {@link PortalStatusMap}. */
  TrangThai: string;
  NgayBatDau?: string;
  NgayKetThucTheoQuyDinh?: string;
}

interface PortalMessageBase {
  /** `{dossierCode}#{version}#{service}#{n}`, n the message's position (1, 2, …) in its version. */
  messageId: string;
  dossierCode: string;
  version: number;
  /** ISO instant (UTC, `toISOString` form) of the change the message reports. */
  createdAt: string;
}

/** One message for the portal, as the outbox keeps it. */
export type PortalMessage =
  | (PortalMessageBase & { service: 'DongBoHoSoMC'; body: DossierSyncBody })
  | (PortalMessageBase & { service: 'CapNhatTienDoHoSoMC'; body: ProgressUpdateBody });

/** How a province presents its dossiers to the portal. Every option may be left out. */
export interface PortalMessageOptions {
  /** @default identity: each status is sent as its own number */
  statusMap?: PortalStatusMap;
  /** An agency's name (DonViXuLy, PhongBanXuLy). @default the agency id */
  agencyName?: (agencyId: string) => string | undefined;
  /** An officer's name and title (NguoiXuLy, ChucDanh). @default the user id and the step role's title */
  officer?: (userId: string) => { name: string; title?: string } | undefined;
  /** A download link for a submitted file (DuongDanTaiTepTin). @default none: the field is omitted */
  fileUrl?: (documentId: string) => string | undefined;
  /**
   * Whether the portal already has the dossier. Pass `false` for the first message of a dossier
   * that existed before the sync was switched on. @default `dossier.version > 1`
   */
  isUpdating?: boolean;
  /** Labels of event actions in NoiDungXuLy, over {@link DEFAULT_ACTION_LABELS}. */
  actionLabels?: Readonly<Record<string, string>>;
}

/** What each action is called in NoiDungXuLy; an action not listed is shown as it is named. */
export const DEFAULT_ACTION_LABELS: Readonly<Record<string, string>> = {
  receive: 'Tiếp nhận hồ sơ',
  accept: 'Nhận xử lý',
  complete: 'Hoàn thành',
  'request-supplement': 'Yêu cầu bổ sung hồ sơ',
  'answer-supplement': 'Bổ sung hồ sơ',
  'request-fee': 'Yêu cầu thực hiện nghĩa vụ tài chính',
  'pay-fee': 'Thực hiện nghĩa vụ tài chính',
  refuse: 'Từ chối tiếp nhận',
  stop: 'Dừng xử lý',
  withdraw: 'Rút hồ sơ',
};

/** Titles (ChucDanh) by step role, when no officer directory says otherwise. */
const ROLE_TITLES: Readonly<Record<string, string>> = {
  'counter-officer': 'Cán bộ tiếp nhận',
  'processing-officer': 'Chuyên viên xử lý',
  'agency-admin': 'Lãnh đạo đơn vị',
};

const SYSTEM_USER = 'system';

/**
 * An ISO instant as the portal writes dates: `yyyyMMddHHmmss` in Vietnam time.
 * @throws RangeError when `instant` is not a valid date.
 */
export function formatPortalDate(instant: string | Date): string {
  const ms = typeof instant === 'string' ? Date.parse(instant) : instant.getTime();
  if (Number.isNaN(ms)) throw new RangeError(`not an instant: ${String(instant)}`);
  return new Date(ms + 7 * HOUR_MS).toISOString().slice(0, 19).replace(/[-T:]/g, '');
}

/** The portal's code for a status under a province's map. */
export function portalStatusCode(status: DossierStatus, statusMap: PortalStatusMap = {}): string {
  return String(statusMap[status] ?? status);
}

/** `{dossierCode}#{version}#{service}#{n}`. */
export function portalMessageId(dossierCode: string, version: number, service: PortalService, n: number) {
  return `${dossierCode}#${version}#${service}#${n}`;
}

/**
 * The parts of a {@link portalMessageId}, or undefined when `messageId` is not one (dossier codes
 * never contain `#`).
 */
export function parsePortalMessageId(
  messageId: string,
): { dossierCode: string; version: number; service: PortalService; n: number } | undefined {
  const parts = messageId.split('#');
  if (parts.length !== 4) return undefined;
  const [dossierCode = '', version = '', service = '', n = ''] = parts;
  if (dossierCode === '' || !/^[1-9]\d*$/.test(version) || !/^[1-9]\d*$/.test(n)) return undefined;
  if (!(PORTAL_SERVICES as readonly string[]).includes(service)) return undefined;
  return { dossierCode, version: Number(version), service: service as PortalService, n: Number(n) };
}

const flag = (value: boolean): '0' | '1' => (value ? '1' : '0');
const optionalDate = (instant: string | undefined) =>
  instant === undefined ? undefined : formatPortalDate(instant);

/** Whether a component is a digitised paper: reused from the archive, or given a digitised code. */
function isDigitised(component: DossierComponent): boolean {
  if (component.source === 'reused') return true;
  // An uploaded component gets its code once the pipeline archives it.
  const code = (component as { digitisedCode?: unknown }).digitisedCode;
  return typeof code === 'string' && code !== '';
}

/** The latest event (by position) of the dossier's history with the given status, if any. */
function lastEventWith(dossier: Dossier, status: DossierStatus): DossierEvent | undefined {
  return dossier.history.findLast((event) => event.status === status);
}

/** Drops keys whose value is undefined, so that absent fields are absent from the JSON too. */
function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined)) as T;
}

/**
 * The `DongBoHoSoMC` body of the dossier as it stands. Components without a file yet (an upload
 * still to be asked for) are not listed in TaiLieuNop: the portal lists files.
 */
export function toDossierSync(
  dossier: Dossier,
  procedure: Pick<Procedure, 'name' | 'field'>,
  options: PortalMessageOptions = {},
): DossierSyncBody {
  const agencyName = (id: string) => options.agencyName?.(id) ?? id;
  const firstAt = dossier.history[0]?.at;
  const submittedAt =
    firstAt !== undefined && Date.parse(firstAt) < Date.parse(dossier.receivedAt)
      ? firstAt
      : dossier.receivedAt;
  const received = dossier.status !== 1 && dossier.status !== 3;
  const refusedAt = dossier.status === 3 ? (dossier.finishedAt ?? lastEventWith(dossier, 3)?.at) : undefined;
  const files = dossier.components.filter(
    (component): component is DossierComponent & { documentId: string } => component.documentId !== undefined,
  );
  return withoutUndefined<DossierSyncBody>({
    MaHoSo: dossier.code,
    MaTTHC: dossier.procedureCode,
    TenTTHC: procedure.name,
    MaLinhVuc: procedure.field.code,
    TenLinhVuc: procedure.field.name,
    KenhThucHien: String(dossier.channel),
    ChuHoSo: dossier.owner.name,
    LoaiDoiTuong: String(dossier.owner.kind),
    SoGiayToChuHoSo: dossier.owner.id,
    NgayNopHoSo: formatPortalDate(submittedAt),
    NgayTiepNhan: received ? formatPortalDate(dossier.receivedAt) : undefined,
    NgayHenTra: formatPortalDate(dossier.dueAt),
    TrangThaiHoSo: portalStatusCode(dossier.status, options.statusMap),
    NgayKetThucXuLy: optionalDate(dossier.finishedAt),
    NgayTra: optionalDate(dossier.returnedAt),
    DonViXuLy: agencyName(dossier.competentAgencyId),
    NgayTuChoi: optionalDate(refusedAt),
    HoSoCoThanhPhanSoHoa: flag(dossier.components.some(isDigitised)),
    TaiLieuNop: files.map((component) =>
      withoutUndefined<PortalSubmittedFile>({
        TepDinhKemId: component.documentId,
        TenTepDinhKem: component.name,
        IsDeleted: '0',
        MaThanhPhanHoSo: component.componentId,
        DuongDanTaiTepTin: options.fileUrl?.(component.documentId),
        DuocSoHoa: flag(isDigitised(component)),
        DuocTaiSuDung: flag(component.source === 'reused'),
        DuocLayTuKhoDMQG: '0',
      }),
    ),
    DanhSachHoSoBoSung: dossier.supplements.map((supplement) =>
      withoutUndefined<PortalSupplement>({
        NgayYeuCau: formatPortalDate(supplement.requestedAt),
        NoiDung: supplement.reason,
        NgayHenTraTruoc: formatPortalDate(supplement.dueBefore),
        NgayHenTraMoi: optionalDate(supplement.dueAfter),
      }),
    ),
    DanhSachGiayToKetQua: dossier.results.map((paper) => ({
      TenGiayTo: paper.name,
      GiayToId: paper.documentId,
      MaGiayToKetQua: paper.digitisedCode,
    })),
    isUpdating: options.isUpdating ?? dossier.version > 1,
  });
}

/**
 * The `CapNhatTienDoHoSoMC` body for a history event that concerns a step. A step the dossier
 * does not list (it should) is reported under the competent agency with the action alone.
 * @throws RangeError when the event names no step.
 */
export function toProgressUpdate(
  dossier: Dossier,
  event: DossierEvent,
  options: PortalMessageOptions = {},
): ProgressUpdateBody {
  if (event.stepId === undefined) {
    throw new RangeError(`event ${event.action} of ${dossier.code} v${event.version} concerns no step`);
  }
  const step: DossierStep | undefined = dossier.steps.find((candidate) => candidate.stepId === event.stepId);
  const label = options.actionLabels?.[event.action] ?? DEFAULT_ACTION_LABELS[event.action] ?? event.action;
  const officer = event.by === SYSTEM_USER ? undefined : options.officer?.(event.by);
  const agencyId = step?.agencyId ?? dossier.competentAgencyId;
  return withoutUndefined<ProgressUpdateBody>({
    MaHoSo: dossier.code,
    NguoiXuLy: officer?.name ?? (event.by === SYSTEM_USER ? 'Hệ thống' : event.by),
    ChucDanh:
      officer?.title ??
      (event.by === SYSTEM_USER ? 'Hệ thống' : ((step && ROLE_TITLES[step.role]) ?? step?.role ?? '')),
    ThoiDiemXuLy: formatPortalDate(event.at),
    PhongBanXuLy: options.agencyName?.(agencyId) ?? agencyId,
    NoiDungXuLy: step ? `${step.name}: ${label}` : label,
    TrangThai: portalStatusCode(event.status, options.statusMap),
    NgayBatDau: optionalDate(step?.startedAt),
    NgayKetThucTheoQuyDinh: optionalDate(step?.dueAt),
  });
}

/**
 * The messages of the dossier's latest version: its `DongBoHoSoMC` (n = 1, sent first: it creates
 * the dossier on the portal), then one `CapNhatTienDoHoSoMC` per event of that version that names a
 * step, in history order (n = 2, 3, …). All carry the time of the version's last event as
 * `createdAt` (the receipt time when the version has no event).
 */
export function portalMessagesFor(
  dossier: Dossier,
  procedure: Pick<Procedure, 'name' | 'field'>,
  options: PortalMessageOptions = {},
): PortalMessage[] {
  const events = dossier.history.filter((event) => event.version === dossier.version);
  const createdAt = new Date(events.at(-1)?.at ?? dossier.receivedAt).toISOString();
  const base = (service: PortalService, n: number) => ({
    messageId: portalMessageId(dossier.code, dossier.version, service, n),
    dossierCode: dossier.code,
    version: dossier.version,
    createdAt,
  });
  const messages: PortalMessage[] = [
    { ...base('DongBoHoSoMC', 1), service: 'DongBoHoSoMC', body: toDossierSync(dossier, procedure, options) },
  ];
  for (const event of events) {
    if (event.stepId === undefined) continue;
    messages.push({
      ...base('CapNhatTienDoHoSoMC', messages.length + 1),
      service: 'CapNhatTienDoHoSoMC',
      body: toProgressUpdate(dossier, event, options),
    });
  }
  return messages;
}
