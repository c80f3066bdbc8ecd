import { describe, expect, it } from 'vitest';
import { QuarantineError } from '#shared/domain/errors.ts';
import { quarantineReasonFrom } from '#shared/use-cases/document-pipeline-steps.ts';

describe('quarantineReasonFrom', () => {
  it('takes the reason from the error name and the message from a Lambda error cause (JSON)', () => {
    const error = new QuarantineError('EMPTY_FILE', 'the file is empty');
    const cause = JSON.stringify({ errorType: error.name, errorMessage: error.message });
    expect(error.name).toBe('Quarantine.EMPTY_FILE');
    expect(quarantineReasonFrom({ Error: error.name, Cause: cause })).toEqual({
      reason: 'EMPTY_FILE',
      message: 'the file is empty',
    });
  });

  it('reads a plain-text cause, keeping a message that has colons in it', () => {
    expect(
      quarantineReasonFrom({
        Error: 'Quarantine.TOO_MANY_PIXELS',
        Cause: '900000000 pixels: limit 60000000',
      }),
    ).toEqual({ reason: 'TOO_MANY_PIXELS', message: '900000000 pixels: limit 60000000' });
  });

  it('treats any other error as PROCESSING_FAILED and keeps its name and message', () => {
    expect(quarantineReasonFrom({ Error: 'States.Timeout', Cause: '' })).toEqual({
      reason: 'PROCESSING_FAILED',
      message: 'States.Timeout',
    });
    expect(quarantineReasonFrom({ Error: 'TypeError', Cause: 'boom' }).message).toBe('TypeError: boom');
  });

  it('does not trust a reason in a message, nor a reason the catalogue does not know', () => {
    expect(quarantineReasonFrom({ Error: 'Error', Cause: 'EMPTY_FILE: spoofed' }).reason).toBe(
      'PROCESSING_FAILED',
    );
    expect(quarantineReasonFrom({ Error: 'Quarantine.MADE_UP', Cause: 'x' }).reason).toBe(
      'PROCESSING_FAILED',
    );
  });
});
