import { describe } from 'vitest';
import { createInMemoryPortalOutbox, portalOutboxContract } from '#test/support/portal-sync.ts';

describe('portal outbox (in-memory fake)', () => {
  portalOutboxContract(createInMemoryPortalOutbox);
});
