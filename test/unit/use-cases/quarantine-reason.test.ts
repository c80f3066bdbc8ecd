import { describe, expect, it } from 'vitest';
import { quarantineReasonFrom } from '#shared/use-cases/document-pipeline-steps.ts';

describe('quarantineReasonFrom', () => {
  it('reads a Lambda error cause (JSON) carrying a QuarantineError', () => {
    const cause = JSON.stringify({
      errorType: 'QuarantineError',
      errorMessage: 'EMPTY_FILE: the file is empty',
    });
    expect(quarantineReasonFrom({ Error: 'QuarantineError', Cause: cause })).toEqual({
      reason: 'EMPTY_FILE',
      message: 'the file is empty',
    });
  });

  it('reads a plain-text cause as the embedded interpreter gives it', () => {
    expect(
      quarantineReasonFrom({
        Error: 'QuarantineError',
        Cause: 'TOO_MANY_PIXELS: 900000000 pixels: limit 60000000',
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

  it('does not trust a reason-like prefix on an error that is not a QuarantineError', () => {
    expect(quarantineReasonFrom({ Error: 'Error', Cause: 'EMPTY_FILE: spoofed' }).reason).toBe(
      'PROCESSING_FAILED',
    );
  });
});
