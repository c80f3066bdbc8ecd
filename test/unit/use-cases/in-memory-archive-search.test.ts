import { describe } from 'vitest';
import { archiveSearchContract } from '#test/support/archive-search-contract.ts';
import { createInMemoryRepository } from '#test/support/in-memory-ports.ts';

describe('archive search (in-memory fake)', () => {
  archiveSearchContract(createInMemoryRepository);
});
