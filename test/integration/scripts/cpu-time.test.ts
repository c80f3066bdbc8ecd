import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { cpuMs } from '../../../scripts/lib/cpu-time.ts';

describe('cpuMs', () => {
  it('counts the CPU time of finished child processes, as native OCR spends it', () => {
    const before = cpuMs();
    const started = process.cpuUsage();
    // A child that keeps one core busy for about 300 ms.
    execFileSync(process.execPath, ['-e', 'const end = Date.now() + 300; while (Date.now() < end);']);
    const own = process.cpuUsage(started);
    const counted = cpuMs() - before;
    expect(counted - (own.user + own.system) / 1000).toBeGreaterThan(200);
  });
});
