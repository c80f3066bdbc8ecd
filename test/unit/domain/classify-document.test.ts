import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadProvinceConfig } from '#shared/config/load-province-config.ts';
import type { DocumentTypeConfig } from '#shared/config/province-config.ts';
import { chooseOwnerId, classifyDocument } from '#shared/domain/classify-document.ts';
import { findOwnerIdentifiers } from '#shared/domain/identifiers.ts';

const config = loadProvinceConfig(
  fileURLToPath(new URL('../../../config/provinces/sample-province.yaml', import.meta.url)),
);
const catalogue = config.documentTypes;
const options = { minConfidence: 0.6 };
const CHILD_ID = '038319001234';
const PARENT_ID = '038190012345';
const TAX_CODE = '0314409058';

function paper(title: string, body: readonly string[]): string {
  return [
    'ỦY BAN NHÂN DÂN',
    'XÃ HÒA BÌNH',
    'CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM',
    'Độc lập - Tự do - Hạnh phúc',
    'Số: 123/2025',
    '',
    title,
    ...body,
  ].join('\n');
}

describe('classifyDocument: each sample type', () => {
  const ownerLines: Record<string, string> = {
    KS: `Số định danh cá nhân: ${CHILD_ID}`,
    KH: `Số định danh cá nhân: ${CHILD_ID}`,
    TTHN: `Số định danh: ${CHILD_ID}`,
    LLTP: `Số CCCD: ${CHILD_ID}`,
    CT: `Số định danh cá nhân: ${CHILD_ID}`,
    DKDN: `Mã số doanh nghiệp: ${TAX_CODE}`,
    GPXD: `Số CCCD: ${CHILD_ID}`,
    QSDD: `Số định danh cá nhân: ${CHILD_ID}`,
    DDN: `Số định danh cá nhân: ${CHILD_ID}`,
  };

  it.each(catalogue.flatMap((type) => type.titlePatterns.map((pattern) => [type.code, pattern] as const)))(
    '%s from "%s"',
    (code, pattern) => {
      const text = paper(pattern, ['Họ, chữ đệm, tên: NGUYỄN VĂN AN', ownerLines[code] ?? '']);
      const result = classifyDocument([text], catalogue, options);
      expect(result).toEqual({
        docType: code,
        ownerId: code === 'DKDN' ? TAX_CODE : CHILD_ID,
        confidence: 1,
        title: pattern,
        decidedBy: 'classifier',
        needsReview: false,
      });
    },
  );
});

describe('classifyDocument: OCR noise', () => {
  it('tolerates a wrong diacritic on a capital letter, with less confidence', () => {
    const result = classifyDocument(
      [paper('GIÂY KHAI SINH', [`Số định danh cá nhân: ${CHILD_ID}`])],
      catalogue,
      options,
    );
    expect(result).toMatchObject({
      docType: 'KS',
      title: 'GIÂY KHAI SINH',
      ownerId: CHILD_ID,
      needsReview: false,
    });
    expect(result.confidence).toBeLessThan(1);
    expect(result.confidence).toBeGreaterThanOrEqual(0.6);
  });

  it('reads decomposed (NFD) text, extra spaces and a title split over two lines', () => {
    const text = paper('GIẤY  CHỨNG NHẬN\nQUYỀN SỬ DỤNG ĐẤT'.normalize('NFD'), [`Số CCCD: ${CHILD_ID}`]);
    const result = classifyDocument([text], catalogue, options);
    expect(result).toMatchObject({
      docType: 'QSDD',
      confidence: 1,
      title: 'GIẤY CHỨNG NHẬN QUYỀN SỬ DỤNG ĐẤT',
    });
  });

  it('lowers confidence further with each wrong diacritic', () => {
    const one = classifyDocument([paper('GIÂY PHÉP XÂY DỰNG', [])], catalogue, options);
    const three = classifyDocument([paper('GIÂY PHEP XAY DỰNG', [])], catalogue, options);
    expect(three.confidence).toBeLessThan(one.confidence);
  });

  it('sends a title found only in lower case in the body to review', () => {
    const text = paper('THÔNG BÁO', [
      `Căn cứ giấy khai sinh của công dân, số định danh cá nhân: ${CHILD_ID}`,
    ]);
    const result = classifyDocument([text], catalogue, options);
    expect(result).toMatchObject({ docType: 'KS', needsReview: true, reviewReason: 'LOW_CONFIDENCE' });
    expect(result.confidence).toBeLessThan(0.6);
  });
});

describe('classifyDocument: choosing the type', () => {
  const generic: DocumentTypeConfig = {
    code: 'GCN',
    name: 'Giấy chứng nhận',
    titlePatterns: ['GIẤY CHỨNG NHẬN'],
    owner: 'person',
    ownerLabels: ['Số định danh cá nhân'],
    retention: 10,
    mustDigitise: false,
    accessLevel: 'restricted',
  };

  it('prefers the longest, most specific pattern', () => {
    const text = paper('GIẤY CHỨNG NHẬN ĐĂNG KÝ DOANH NGHIỆP', [`Mã số doanh nghiệp: ${TAX_CODE}`]);
    expect(classifyDocument([text], [generic, ...catalogue], options)).toMatchObject({ docType: 'DKDN' });
    const noisy = paper('GIẤY CHỨNG NHẬN ĐĂNG KY DOANH NGHIỆP', [`Mã số doanh nghiệp: ${TAX_CODE}`]);
    expect(classifyDocument([noisy], [generic, ...catalogue], options)).toMatchObject({ docType: 'DKDN' });
  });

  it('reads an application for a permit as an application', () => {
    const text = paper('ĐƠN ĐỀ NGHỊ CẤP GIẤY PHÉP XÂY DỰNG', [`Số CCCD: ${CHILD_ID}`]);
    expect(classifyDocument([text], catalogue, options)).toMatchObject({
      docType: 'DDN',
      title: 'ĐƠN ĐỀ NGHỊ CẤP GIẤY PHÉP XÂY DỰNG',
      needsReview: false,
    });
  });

  it('sends an unknown type to review', () => {
    const text = paper('BIÊN BẢN HỌP', [`Số định danh cá nhân: ${CHILD_ID}`]);
    expect(classifyDocument([text], catalogue, options)).toEqual({
      confidence: 0,
      reviewReason: 'UNKNOWN_TYPE',
      decidedBy: 'classifier',
      needsReview: true,
    });
  });

  it('is less confident in a title on a later page', () => {
    const result = classifyDocument(
      ['trang bìa', paper('GIẤY KHAI SINH', [`Số định danh: ${CHILD_ID}`])],
      catalogue,
      {
        minConfidence: 0.7,
      },
    );
    expect(result).toMatchObject({ docType: 'KS', needsReview: true, reviewReason: 'LOW_CONFIDENCE' });
  });
});

describe('classifyDocument: the owner', () => {
  it('sends a paper without an owner ID to review', () => {
    const text = paper('GIẤY KHAI SINH', [
      'Họ, chữ đệm, tên: NGUYỄN VĂN AN',
      'Số định danh cá nhân: (chưa có)',
    ]);
    const result = classifyDocument([text], catalogue, options);
    expect(result).toMatchObject({ docType: 'KS', needsReview: true, reviewReason: 'NO_OWNER_ID' });
    expect(result.ownerId).toBeUndefined();
  });

  it('does not guess from an unlabelled number', () => {
    const text = paper('GIẤY KHAI SINH', [`Ghi chú: ${CHILD_ID}`]);
    expect(classifyDocument([text], catalogue, options)).toMatchObject({
      needsReview: true,
      reviewReason: 'NO_OWNER_ID',
    });
  });

  it('takes the labelled ID over another number', () => {
    const text = paper('GIẤY XÁC NHẬN TÌNH TRẠNG HÔN NHÂN', [
      `Người đi khai: CCCD ${PARENT_ID}`,
      `Số định danh cá nhân: ${CHILD_ID}`,
    ]);
    expect(classifyDocument([text], catalogue, options)).toMatchObject({
      ownerId: CHILD_ID,
      needsReview: false,
    });
  });

  it("takes the child's ID over the mother's on a birth certificate", () => {
    const text = paper('GIẤY KHAI SINH', [
      'Họ, chữ đệm, tên: NGUYỄN VĂN AN',
      `Số định danh cá nhân: ${CHILD_ID}`,
      'Họ, chữ đệm, tên người mẹ: TRẦN THỊ BÌNH',
      `Số định danh cá nhân: ${PARENT_ID}`,
    ]);
    expect(classifyDocument([text], catalogue, options)).toMatchObject({
      ownerId: CHILD_ID,
      needsReview: false,
    });
  });

  it('takes the ID after the more specific label', () => {
    const text = paper('PHIẾU LÝ LỊCH TƯ PHÁP', [
      `Số định danh: ${PARENT_ID}`,
      `Số định danh cá nhân: ${CHILD_ID}`,
    ]);
    expect(classifyDocument([text], catalogue, options)).toMatchObject({
      ownerId: CHILD_ID,
      needsReview: false,
    });
  });

  it('sends two IDs after equal labels to review as ambiguous', () => {
    const text = paper('GIẤY CHỨNG NHẬN KẾT HÔN', [
      `Họ tên: TRẦN THỊ BÌNH    Số định danh cá nhân: ${PARENT_ID}`,
      `Họ tên: NGUYỄN VĂN AN    Số định danh cá nhân: 079085001234`,
    ]);
    const result = classifyDocument([text], catalogue, options);
    expect(result).toMatchObject({ docType: 'KH', needsReview: true, reviewReason: 'AMBIGUOUS_OWNER_ID' });
    expect(result.ownerId).toBeUndefined();
  });

  it('takes the tax code of an organisation, not the personal ID printed elsewhere', () => {
    const text = paper('GIẤY CHỨNG NHẬN ĐĂNG KÝ DOANH NGHIỆP', [
      'Tên doanh nghiệp: CÔNG TY TNHH MẪU',
      `Mã số doanh nghiệp: ${TAX_CODE.slice(0, 4)} ${TAX_CODE.slice(4)}`,
      'Người đại diện theo pháp luật: NGUYỄN VĂN AN',
      `Số định danh cá nhân: ${CHILD_ID}`,
    ]);
    expect(classifyDocument([text], catalogue, options)).toMatchObject({
      docType: 'DKDN',
      ownerId: TAX_CODE,
      needsReview: false,
    });
  });

  it('finds the owner on a later page', () => {
    const pages = [
      paper('GIẤY PHÉP XÂY DỰNG', ['Công trình: nhà ở riêng lẻ']),
      `Chủ đầu tư\nSố CCCD: ${CHILD_ID}`,
    ];
    expect(classifyDocument(pages, catalogue, options)).toMatchObject({
      ownerId: CHILD_ID,
      needsReview: false,
    });
  });
});

describe('chooseOwnerId', () => {
  const labels = { kind: 'person', labels: ['Số định danh cá nhân', 'Số định danh'] } as const;

  it('treats the same ID printed twice as one', () => {
    const candidates = findOwnerIdentifiers(`Số định danh: ${CHILD_ID}\nSố định danh: ${CHILD_ID}`, labels);
    expect(chooseOwnerId(candidates)).toEqual({ ownerId: CHILD_ID });
  });

  it('does not take a third party as the owner', () => {
    const candidates = findOwnerIdentifiers(`Họ tên mẹ: TRẦN THỊ BÌNH\nSố định danh: ${PARENT_ID}`, labels);
    expect(chooseOwnerId(candidates)).toEqual({ reviewReason: 'NO_OWNER_ID' });
  });
});
