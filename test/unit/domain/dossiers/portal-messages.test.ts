import { describe, expect, it } from 'vitest';
import {
  formatPortalDate,
  parsePortalMessageId,
  portalMessagesFor,
  portalStatusCode,
  toDossierSync,
  toProgressUpdate,
} from '#shared/domain/dossiers/portal-messages.ts';
import { AGENCY, makePortalDossier, PROCEDURE, UNIT } from '#test/support/portal-sync.ts';

describe('formatPortalDate', () => {
  it('writes an instant as yyyyMMddHHmmss in Vietnam time, across the local midnight', () => {
    expect(formatPortalDate('2026-11-23T02:00:00.000Z')).toBe('20261123090000');
    expect(formatPortalDate('2026-12-31T17:30:05.900Z')).toBe('20270101003005');
    expect(formatPortalDate('2026-11-23T23:59:59+07:00')).toBe('20261123235959');
    expect(formatPortalDate(new Date('2026-02-28T16:59:59Z'))).toBe('20260228235959');
    expect(() => formatPortalDate('yesterday')).toThrow(RangeError);
  });
});

describe('toDossierSync', () => {
  it('maps the dossier with its dates in Vietnam time and codes as strings', () => {
    const body = toDossierSync(makePortalDossier(), PROCEDURE);
    expect(body).toMatchObject({
      MaHoSo: `${UNIT}-261123-0001`,
      MaTTHC: '1.000894',
      TenTTHC: 'Đăng ký kết hôn',
      MaLinhVuc: 'HT',
      TenLinhVuc: 'Hộ tịch',
      KenhThucHien: '1',
      ChuHoSo: 'Nguyễn Thị Hoa',
      LoaiDoiTuong: '1',
      SoGiayToChuHoSo: '001195006789',
      NgayNopHoSo: '20261123090000',
      NgayTiepNhan: '20261123090000',
      NgayHenTra: '20261130163000',
      TrangThaiHoSo: '4',
      DonViXuLy: AGENCY,
      isUpdating: true,
    });
    // Absent values are absent keys, never empty strings.
    for (const absent of ['NgayKetThucXuLy', 'NgayTra', 'NgayTuChoi'])
      expect(body).not.toHaveProperty(absent);
    expect(JSON.stringify(body)).not.toContain('""');
  });

  it('flags reused and digitised papers, lists only components with a file, and links them when asked', () => {
    const body = toDossierSync(makePortalDossier(), PROCEDURE, {
      fileUrl: (documentId) => `https://dvc.example.vn/files/${documentId}`,
    });
    expect(body.HoSoCoThanhPhanSoHoa).toBe('1');
    expect(body.TaiLieuNop).toEqual([
      {
        TepDinhKemId: 'doc-reused',
        TenTepDinhKem: 'Giấy xác nhận tình trạng hôn nhân',
        IsDeleted: '0',
        MaThanhPhanHoSo: 'TTHN',
        DuongDanTaiTepTin: 'https://dvc.example.vn/files/doc-reused',
        DuocSoHoa: '1',
        DuocTaiSuDung: '1',
        DuocLayTuKhoDMQG: '0',
      },
      {
        TepDinhKemId: 'doc-upload',
        TenTepDinhKem: 'Tờ khai đăng ký kết hôn',
        IsDeleted: '0',
        MaThanhPhanHoSo: 'TK',
        DuongDanTaiTepTin: 'https://dvc.example.vn/files/doc-upload',
        DuocSoHoa: '0',
        DuocTaiSuDung: '0',
        DuocLayTuKhoDMQG: '0',
      },
    ]);
    const fresh = makePortalDossier();
    const uploadsOnly = fresh.components.filter((component) => component.source !== 'reused');
    const plain = toDossierSync({ ...fresh, components: uploadsOnly }, PROCEDURE);
    expect(plain.HoSoCoThanhPhanSoHoa).toBe('0');
    expect(plain.TaiLieuNop[0]).not.toHaveProperty('DuongDanTaiTepTin');
  });

  it('lists supplements with the due dates before and after, and result papers with their codes', () => {
    const body = toDossierSync(
      makePortalDossier({
        status: 10,
        supplements: [
          {
            requestedAt: '2026-11-24T03:00:00.000Z',
            requestedBy: 'officer-2',
            stepId: '1',
            reason: 'Bổ sung bản sao giấy khai sinh',
            answeredAt: '2026-11-25T08:00:00.000Z',
            dueBefore: '2026-11-30T09:30:00.000Z',
            dueAfter: '2026-12-01T09:30:00.000Z',
          },
          {
            requestedAt: '2026-11-26T17:30:00.000Z',
            requestedBy: 'officer-2',
            stepId: '1',
            reason: 'Ký lại tờ khai',
            dueBefore: '2026-12-01T09:30:00.000Z',
          },
        ],
        results: [
          {
            documentId: 'doc-result',
            digitisedCode: '001195006789.GCNKH.01',
            name: 'Giấy chứng nhận kết hôn',
            stepId: '1',
          },
        ],
        finishedAt: '2026-11-27T04:00:00.000Z',
        returnedAt: '2026-11-27T17:15:00.000Z',
      }),
      PROCEDURE,
    );
    expect(body.DanhSachHoSoBoSung).toEqual([
      {
        NgayYeuCau: '20261124100000',
        NoiDung: 'Bổ sung bản sao giấy khai sinh',
        NgayHenTraTruoc: '20261130163000',
        NgayHenTraMoi: '20261201163000',
      },
      // Requested at 00:30 local on the 27th; not answered yet: no new due date.
      { NgayYeuCau: '20261127003000', NoiDung: 'Ký lại tờ khai', NgayHenTraTruoc: '20261201163000' },
    ]);
    expect(body.DanhSachGiayToKetQua).toEqual([
      {
        TenGiayTo: 'Giấy chứng nhận kết hôn',
        GiayToId: 'doc-result',
        MaGiayToKetQua: '001195006789.GCNKH.01',
      },
    ]);
    expect(body).toMatchObject({
      TrangThaiHoSo: '10',
      NgayKetThucXuLy: '20261127110000',
      NgayTra: '20261128001500',
    });
  });

  it('sends a refused dossier with its refusal date and no receipt date', () => {
    const dossier = makePortalDossier({
      status: 3,
      finishedAt: '2026-11-23T02:30:00.000Z',
      endReason: 'Sai thẩm quyền',
    });
    const body = toDossierSync(dossier, PROCEDURE);
    expect(body).toMatchObject({
      TrangThaiHoSo: '3',
      NgayTuChoi: '20261123093000',
      NgayKetThucXuLy: '20261123093000',
    });
    expect(body).not.toHaveProperty('NgayTiepNhan');
    expect(body.NgayNopHoSo).toBe('20261123090000');
  });

  it('is not an update for version 1, nor when the caller says the portal has not seen it yet', () => {
    expect(toDossierSync(makePortalDossier({ version: 1 }), PROCEDURE).isUpdating).toBe(false);
    expect(toDossierSync(makePortalDossier({ version: 7 }), PROCEDURE).isUpdating).toBe(true);
    expect(
      toDossierSync(makePortalDossier({ version: 7 }), PROCEDURE, { isUpdating: false }).isUpdating,
    ).toBe(false);
  });

  it('names agencies through the province directory when it has them', () => {
    const body = toDossierSync(makePortalDossier(), PROCEDURE, {
      agencyName: (id) => (id === AGENCY ? 'Sở Tư pháp' : undefined),
    });
    expect(body.DonViXuLy).toBe('Sở Tư pháp');
  });
});

describe('portal status mapping', () => {
  it('sends our status as it is by default, and through the province map when it has one', () => {
    expect(portalStatusCode(5)).toBe('5');
    const map = { 5: '4', 6: 4, 8: '9' } as const;
    expect([5, 6, 8, 9].map((status) => portalStatusCode(status as 5 | 6 | 8 | 9, map))).toEqual([
      '4',
      '4',
      '9',
      '9',
    ]);
    const dossier = makePortalDossier({ status: 5 });
    expect(toDossierSync(dossier, PROCEDURE, { statusMap: map }).TrangThaiHoSo).toBe('4');
    const event = {
      version: 4,
      at: '2026-11-24T03:00:00.000Z',
      action: 'request-supplement',
      by: 'officer-2',
      status: 5 as const,
      stepId: '1',
    };
    expect(toProgressUpdate(dossier, event, { statusMap: map }).TrangThai).toBe('4');
    expect(toProgressUpdate(dossier, event).TrangThai).toBe('5');
  });
});

describe('toProgressUpdate', () => {
  it("reports a step's event with the step's agency, name, start and statutory end in Vietnam time", () => {
    const dossier = makePortalDossier();
    const accepted = dossier.history[2];
    if (!accepted) throw new Error('fixture changed');
    expect(
      toProgressUpdate(dossier, accepted, {
        officer: (id) => (id === 'officer-2' ? { name: 'Trần Văn Bình', title: 'Chuyên viên' } : undefined),
        agencyName: (id) => (id === AGENCY ? 'Sở Tư pháp' : undefined),
      }),
    ).toEqual({
      MaHoSo: dossier.code,
      NguoiXuLy: 'Trần Văn Bình',
      ChucDanh: 'Chuyên viên',
      ThoiDiemXuLy: '20261123100000',
      PhongBanXuLy: 'Sở Tư pháp',
      NoiDungXuLy: 'Thẩm định hồ sơ: Nhận xử lý',
      TrangThai: '4',
      NgayBatDau: '20261123090500',
      NgayKetThucTheoQuyDinh: '20261126090500',
    });
  });

  it('falls back to the user id, the role title and the raw action name', () => {
    const dossier = makePortalDossier();
    const event = {
      version: 4,
      at: '2026-11-23T04:00:00.000Z',
      action: 'reassign',
      by: 'officer-9',
      status: 4 as const,
      stepId: '0',
    };
    expect(toProgressUpdate(dossier, event)).toMatchObject({
      NguoiXuLy: 'officer-9',
      ChucDanh: 'Cán bộ tiếp nhận',
      PhongBanXuLy: UNIT,
      NoiDungXuLy: 'Tiếp nhận hồ sơ: reassign',
    });
    expect(() => toProgressUpdate(dossier, { ...event, stepId: undefined })).toThrow(RangeError);
  });
});

describe('portalMessagesFor', () => {
  it("gives the latest version's dossier sync first, then one progress update per step event of that version", () => {
    const dossier = makePortalDossier();
    const messages = portalMessagesFor(dossier, PROCEDURE);
    expect(messages.map((message) => [message.messageId, message.service, message.version])).toEqual([
      [`${dossier.code}#3#DongBoHoSoMC#1`, 'DongBoHoSoMC', 3],
      [`${dossier.code}#3#CapNhatTienDoHoSoMC#2`, 'CapNhatTienDoHoSoMC', 3],
    ]);
    expect(messages.every((message) => message.createdAt === '2026-11-23T03:00:00.000Z')).toBe(true);
    expect(messages[1]?.body).toMatchObject({ NoiDungXuLy: 'Thẩm định hồ sơ: Nhận xử lý' });
    // The same dossier gives the same messages: what makes appending them again harmless.
    expect(portalMessagesFor(structuredClone(dossier), PROCEDURE)).toEqual(messages);
  });

  it('gives the first version a creating sync, and a version without step events the sync alone', () => {
    const first = makePortalDossier({ version: 1, status: 2 });
    const [sync, ...rest] = portalMessagesFor(first, PROCEDURE);
    expect(rest).toEqual([]);
    expect(sync).toMatchObject({ messageId: `${first.code}#1#DongBoHoSoMC#1`, createdAt: first.receivedAt });
    expect(sync?.body).toMatchObject({ isUpdating: false, TrangThaiHoSo: '2' });
  });

  it('builds message ids that parse back, and refuses what is not one', () => {
    const [message] = portalMessagesFor(makePortalDossier(), PROCEDURE);
    expect(parsePortalMessageId(message?.messageId ?? '')).toEqual({
      dossierCode: `${UNIT}-261123-0001`,
      version: 3,
      service: 'DongBoHoSoMC',
      n: 1,
    });
    for (const bad of [
      'x#1#DongBoHoSoMC',
      'x#0#DongBoHoSoMC#1',
      'x#1#Other#1',
      '#1#DongBoHoSoMC#1',
      'x#1#DongBoHoSoMC#1#2',
    ]) {
      expect(parsePortalMessageId(bad)).toBeUndefined();
    }
  });
});
