import { describe, expect, it } from 'vitest';
import { formatDigitisedCode, parseDigitisedCode } from '#shared/domain/digitised-code.ts';
import { ValidationError } from '#shared/domain/errors.ts';

function validationError(run: () => unknown): ValidationError {
  try {
    run();
  } catch (error) {
    if (error instanceof ValidationError) return error;
    throw error;
  }
  throw new Error('expected a ValidationError');
}

describe('formatDigitisedCode', () => {
  it('formats owner, type and a two-digit suffix', () => {
    expect(formatDigitisedCode({ ownerId: '038319001234', docType: 'KS', sequence: 1 })).toBe(
      '038319001234.KS.01',
    );
    expect(formatDigitisedCode({ ownerId: '038319001234', docType: 'KS', sequence: 42 })).toBe(
      '038319001234.KS.42',
    );
  });

  it('uses three or more digits beyond 99', () => {
    expect(formatDigitisedCode({ ownerId: '038319001234', docType: 'KS', sequence: 100 })).toBe(
      '038319001234.KS.100',
    );
  });

  it('puts the procedure code between owner and type', () => {
    expect(
      formatDigitisedCode({ ownerId: '038319001234', docType: 'KS', sequence: 3, procedureCode: '1.001776' }),
    ).toBe('038319001234.1.001776.KS.03');
  });

  it('writes tax-code branches in canonical form', () => {
    expect(formatDigitisedCode({ ownerId: '0314409058002', docType: 'DKDN', sequence: 1 })).toBe(
      '0314409058-002.DKDN.01',
    );
  });

  it.each([
    [{ ownerId: '0314409059', docType: 'DKDN', sequence: 1 }, 'owner identifier "0314409059" is invalid'],
    [{ ownerId: '038319001234', docType: 'ks', sequence: 1 }, 'document type "ks"'],
    [{ ownerId: '038319001234', docType: 'KS', sequence: 0 }, 'sequence must be a whole number from 1'],
    [{ ownerId: '038319001234', docType: 'KS', sequence: 1.5 }, 'sequence'],
    [{ ownerId: '038319001234', docType: 'KS', sequence: 1, procedureCode: '1..2' }, 'procedure code "1..2"'],
  ])('rejects %o', (parts, message) => {
    const error = validationError(() => formatDigitisedCode(parts));
    expect(error.code).toBe('INVALID_DIGITISED_CODE');
    expect(error.message).toContain(message);
  });
});

describe('parseDigitisedCode', () => {
  it('parses the short form', () => {
    expect(parseDigitisedCode('038319001234.KS.01')).toEqual({
      ownerId: '038319001234',
      ownerKind: 'person',
      docType: 'KS',
      sequence: 1,
    });
  });

  it('parses a procedure code with dots and a tax-code branch', () => {
    expect(parseDigitisedCode('0314409058-002.2.000635.DKDN.120')).toEqual({
      ownerId: '0314409058-002',
      ownerKind: 'organisation',
      procedureCode: '2.000635',
      docType: 'DKDN',
      sequence: 120,
    });
  });

  it('round-trips', () => {
    const cases = [
      { ownerId: '038319001234', docType: 'KS', sequence: 7 },
      { ownerId: '0314409058', docType: 'DKDN', sequence: 99, procedureCode: '1.001776' },
      { ownerId: '0314409058-002', docType: 'GPXD', sequence: 1000, procedureCode: 'BTP-H99-01' },
    ];
    for (const parts of cases) {
      expect(parseDigitisedCode(formatDigitisedCode(parts))).toMatchObject(parts);
    }
  });

  it.each([
    ['038319001234.KS', 'expected {ownerId}.{docType}.{NN}'],
    ['038319001234.KS.1', 'suffix "1"'],
    ['038319001234.KS.00', 'sequence must be a whole number from 1'],
    ['038319001234.KS.099', 'suffix "099"'],
    ['038319001234.KS.0x', 'suffix "0x"'],
    ['038319001239.K.01', 'document type "K"'],
    ['000319001234.KS.01', 'province code 000'],
    ['0314409059.DKDN.01', 'wrong check digit'],
    ['038319001234..KS.01', 'procedure code ""'],
  ])('rejects %s with a clear message', (code, message) => {
    const error = validationError(() => parseDigitisedCode(code));
    expect(error.code).toBe('INVALID_DIGITISED_CODE');
    expect(error.message).toContain(message);
  });
});
