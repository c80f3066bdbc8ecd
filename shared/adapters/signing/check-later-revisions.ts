import {
  lastStartxref,
  ObjectReader,
  type PdfDict,
  type PdfObject,
  type PdfValue,
  readXrefSection,
  type XrefSection,
} from '#shared/adapters/signing/read-pdf-objects.ts';

interface Revision {
  /** First byte after the previous revision. */
  start: number;
  xrefAt: number;
  section: XrefSection;
}

/** The incremental updates after the revision ending at `revisionEnd`, oldest first; undefined when the chain does not lead back to it. */
const revisionsAfter = (pdf: Buffer, revisionEnd: number): Revision[] | undefined => {
  const base = lastStartxref(pdf, revisionEnd);
  const chain: { xrefAt: number; section: XrefSection }[] = [];
  let at = lastStartxref(pdf);
  while (at !== base) {
    if (at < revisionEnd || chain.length > 64) return undefined;
    const section = readXrefSection(pdf, at);
    chain.unshift({ xrefAt: at, section });
    const prev = section.trailer.entries.get('Prev');
    if (prev?.kind !== 'other') return undefined;
    at = Number(prev.raw);
  }
  let start = revisionEnd;
  return chain.map((revision) => {
    const item = { start, ...revision };
    const eof = pdf.indexOf('%%EOF', revision.xrefAt, 'latin1');
    start = eof < 0 ? pdf.length : eof + 5;
    return item;
  });
};

const isSignatureDictionary = ({ value, hasStream }: PdfObject) =>
  !hasStream &&
  value.kind === 'dict' &&
  ['/Sig', '/DocTimeStamp'].includes(value.entries.get('Type')?.raw ?? '') &&
  value.entries.has('ByteRange');

const isSignatureWidget = ({ value, hasStream }: PdfObject) =>
  !hasStream &&
  value.kind === 'dict' &&
  value.entries.get('Subtype')?.raw === '/Widget' &&
  value.entries.get('FT')?.raw === '/Sig';

/**
 * Whether one revision only adds signatures: new objects are signature dictionaries and
 * signature widgets; changed objects are the catalog (its /AcroForm), the AcroForm (/Fields,
 * /SigFlags) and pages (/Annots), each otherwise unchanged, their arrays only grown by the new
 * widgets; the trailer keeps its /Root and gains no /Encrypt.
 */
const onlyAddsSignature = (pdf: Buffer, revision: Revision, previousXrefAt: number): boolean => {
  const before = new ObjectReader(pdf, previousXrefAt);
  const after = new ObjectReader(pdf, revision.xrefAt);
  const root = after.trailer.entries.get('Root');
  if (
    root?.kind !== 'ref' ||
    root.raw !== before.trailer.entries.get('Root')?.raw ||
    after.trailer.entries.has('Encrypt')
  )
    return false;

  const added = new Set<number>();
  const widgets = new Set<number>();
  const changed: number[] = [];
  for (const [num, entry] of revision.section.entries) {
    if (!entry.inUse) {
      if (num === 0) continue;
      return false;
    }
    if (entry.offset < revision.start || entry.offset >= revision.xrefAt) return false;
    if (!before.find(num)) {
      const object = after.readObject(num);
      if (isSignatureWidget(object)) widgets.add(num);
      else if (!isSignatureDictionary(object)) return false;
      added.add(num);
    } else changed.push(num);
  }

  const grownBySignatures = (key: string, old: PdfDict, next: PdfDict): boolean => {
    const items = (reader: ObjectReader, value: PdfValue | undefined) => {
      const resolved = reader.resolve(value);
      return resolved?.kind === 'array' ? resolved.items.map((item) => item.raw) : undefined;
    };
    const oldItems = old.entries.has(key) ? items(before, old.entries.get(key)) : [];
    const newItems = items(after, next.entries.get(key));
    if (!oldItems || !newItems || oldItems.some((item, index) => newItems[index] !== item)) return false;
    return newItems.slice(oldItems.length).every((item) => {
      const ref = /^(\d+)\s+0\s+R$/.exec(item);
      return ref !== null && widgets.has(Number(ref[1]));
    });
  };

  const sameExcept = (old: PdfDict, next: PdfDict, changeable: Record<string, () => boolean>): boolean =>
    [...new Set([...old.entries.keys(), ...next.entries.keys()])].every((key) => {
      const check = changeable[key];
      if (check) return old.entries.get(key)?.raw === next.entries.get(key)?.raw || check();
      return old.entries.get(key)?.raw === next.entries.get(key)?.raw;
    });

  const empty: PdfDict = { kind: 'dict', entries: new Map(), raw: '<<>>' };
  const acroFormRules = (old: PdfDict, next: PdfDict) => ({
    Fields: () => grownBySignatures('Fields', old, next),
    SigFlags: () => ['1', '3'].includes(next.entries.get('SigFlags')?.raw ?? ''),
  });
  const newCatalog = after.read(root.num);
  const acroFormValue = newCatalog.kind === 'dict' ? newCatalog.entries.get('AcroForm') : undefined;

  return changed.every((num) => {
    const old = before.readObject(num);
    const next = after.readObject(num);
    if (old.hasStream || next.hasStream || old.value.kind !== 'dict' || next.value.kind !== 'dict')
      return false;
    const [oldDict, newDict] = [old.value, next.value];
    if (num === root.num)
      return sameExcept(oldDict, newDict, {
        AcroForm: () => {
          const oldForm = before.resolve(oldDict.entries.get('AcroForm')) ?? empty;
          const newForm = after.resolve(newDict.entries.get('AcroForm'));
          if (oldForm.kind !== 'dict' || newForm?.kind !== 'dict') return false;
          const indirect = newDict.entries.get('AcroForm')?.kind === 'ref';
          return !indirect && sameExcept(oldForm, newForm, acroFormRules(oldForm, newForm));
        },
      });
    if (acroFormValue?.kind === 'ref' && num === acroFormValue.num)
      return sameExcept(oldDict, newDict, acroFormRules(oldDict, newDict));
    if (newDict.entries.get('Type')?.raw === '/Page')
      return sameExcept(oldDict, newDict, { Annots: () => grownBySignatures('Annots', oldDict, newDict) });
    return false;
  });
};

/**
 * Whether every incremental update after the revision that ends at `revisionEnd` only adds
 * signatures, the one change a DocMDP P=2 certification of this project lets through. Form
 * fill-in, which P=2 would also allow, is reported as a change: our documents have no form.
 * False as well for bytes that are no update at all, and for updates this reader cannot
 * follow (cross-reference streams).
 */
export function laterRevisionsOnlyAddSignatures(pdf: Buffer, revisionEnd: number): boolean {
  try {
    const revisions = revisionsAfter(pdf, revisionEnd);
    if (!revisions) return false;
    let previousXrefAt = lastStartxref(pdf, revisionEnd);
    for (const revision of revisions) {
      if (!onlyAddsSignature(pdf, revision, previousXrefAt)) return false;
      previousXrefAt = revision.xrefAt;
    }
    return true;
  } catch {
    return false;
  }
}
