import type { DocumentView } from './api-client.ts';
import type { DemoExpectation } from './make-demo-samples.ts';

/**
 * What is wrong with a settled document against what the demo expects of it; empty when it is
 * right. A good sample must be ARCHIVED with its type, owner and page count, a code, and every
 * signature reported valid; a bad one must be QUARANTINED for the expected reason.
 */
export function checkDemoOutcome(expected: DemoExpectation, view: DocumentView): string[] {
  const { document } = view;
  if (document.status !== expected.status) {
    const why = document.quarantine
      ? ` (${document.quarantine.reason}: ${document.quarantine.message})`
      : document.classification?.reviewReason
        ? ` (${document.classification.reviewReason})`
        : '';
    return [`ended ${document.status}${why}, expected ${expected.status}`];
  }
  if (expected.status === 'QUARANTINED') {
    return document.quarantine?.reason === expected.reason
      ? []
      : [`quarantined for ${document.quarantine?.reason ?? 'no reason'}, expected ${expected.reason}`];
  }
  const problems: string[] = [];
  const { docType, ownerId } = document.classification ?? {};
  if (docType !== expected.docType) problems.push(`type ${docType ?? 'none'}, expected ${expected.docType}`);
  if (ownerId !== expected.ownerId) problems.push(`owner ${ownerId ?? 'none'}, expected ${expected.ownerId}`);
  if (document.pageCount !== expected.pageCount) {
    problems.push(`${document.pageCount ?? 0} page(s), expected ${expected.pageCount}`);
  }
  if (!document.code) problems.push('no digitised code');
  const verification = view.verification ?? [];
  if (verification.length === 0) problems.push('no signature found');
  else if (!verification.every((signature) => signature.valid)) {
    problems.push(`signature not valid: ${verification.map((signature) => signature.message).join('; ')}`);
  }
  return problems;
}
