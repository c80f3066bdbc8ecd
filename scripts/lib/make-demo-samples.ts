import {
  makeScannedPdf,
  makeTextLayerPdf,
  NOISY_SCAN,
  renderPaperJpeg,
  renderPaperPng,
  renderPaperTiff,
  samplePaper,
  type TestPaper,
} from '#test/support/make-test-scans.ts';

/** What the pipeline must make of a sample. */
export type DemoExpectation =
  | { status: 'ARCHIVED'; docType: string; ownerId: string; pageCount: number }
  | { status: 'QUARANTINED'; reason: string };

/** One upload of the demo. */
export interface DemoSample {
  /** Short label, e.g. `KS  PNG, clean`. */
  label: string;
  mediaType: string;
  bytes: Uint8Array;
  expected: DemoExpectation;
}

/** The second page of the business registration: the members' list, as in a real certificate. */
const BUSINESS_MEMBERS_PAGE: TestPaper = {
  name: 'business-registration-members',
  docType: 'DKDN',
  ownerId: '0314409058',
  title: 'DANH SÁCH THÀNH VIÊN CÔNG TY',
  lines: [
    'Tên công ty: CÔNG TY TNHH THƯƠNG MẠI DỊCH VỤ HOÀNG PHÁT',
    '1. LÊ MINH TUẤN — phần vốn góp 3.000.000.000 đồng (60%)',
    '   Địa chỉ: số 12 đường Pasteur, phường Bến Nghé, Quận 1',
    '2. VŨ THỊ THANH HẰNG — phần vốn góp 2.000.000.000 đồng (40%)',
    '   Địa chỉ: số 40 đường Hai Bà Trưng, phường Đa Kao, Quận 1',
    'Trang 2/2',
  ],
};

const archived = (paper: TestPaper, pageCount = 1): DemoExpectation => ({
  status: 'ARCHIVED',
  docType: paper.docType,
  ownerId: paper.ownerId,
  pageCount,
});

/**
 * The demo's uploads: five sample papers in the five forms a scanning station produces (clean
 * PNG, noisy skewed JPEG, two-page scanned PDF, born-digital PDF, TIFF) and one truncated PDF
 * that the pipeline must quarantine.
 */
export async function makeDemoSamples(): Promise<DemoSample[]> {
  const ks = samplePaper('KS');
  const tthn = samplePaper('TTHN');
  const dkdn = samplePaper('DKDN');
  const lltp = samplePaper('LLTP');
  const gpxd = samplePaper('GPXD');
  const [png, jpeg, scannedPdf, textPdf, tiff, brokenSource] = await Promise.all([
    renderPaperPng(ks),
    renderPaperJpeg(tthn, NOISY_SCAN),
    makeScannedPdf([dkdn, BUSINESS_MEMBERS_PAGE]),
    makeTextLayerPdf(lltp),
    renderPaperTiff(gpxd),
    makeScannedPdf([ks]),
  ]);
  return [
    { label: 'KS    PNG, clean scan', mediaType: 'image/png', bytes: png, expected: archived(ks) },
    {
      label: 'TTHN  JPEG, noisy scan skewed 1.5°',
      mediaType: 'image/jpeg',
      bytes: jpeg,
      expected: archived(tthn),
    },
    {
      label: 'DKDN  PDF, 2 scanned pages',
      mediaType: 'application/pdf',
      bytes: scannedPdf,
      expected: archived(dkdn, 2),
    },
    {
      label: 'LLTP  PDF with a text layer',
      mediaType: 'application/pdf',
      bytes: textPdf,
      expected: archived(lltp),
    },
    { label: 'GPXD  TIFF, clean scan', mediaType: 'image/tiff', bytes: tiff, expected: archived(gpxd) },
    {
      label: 'BAD   PDF cut in half',
      mediaType: 'application/pdf',
      bytes: brokenSource.subarray(0, Math.floor(brokenSource.length / 2)),
      expected: { status: 'QUARANTINED', reason: 'CORRUPT_FILE' },
    },
  ];
}
