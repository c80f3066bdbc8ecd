import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { cpuMs } from '../../../scripts/lib/cpu-time.ts';

describe('cpuMs', () => {
  it('counts the CPU time of finished child processes, as native OCR spends it', () => {
    const before = cpuMs();
    const started = process.cpuUsage();
    // A child that spends 300 ms of CPU (counted in CPU time, so a loaded machine cannot shorten it).
    execFileSync(process.execPath, [
      '-e',
      'const s = process.cpuUsage(); while (((u) => u.user + u.system)(process.cpuUsage(s)) < 300000);',
    ]);
    const own = process.cpuUsage(started);
    const counted = cpuMs() - before;
    expect(counted - (own.user + own.system) / 1000).toBeGreaterThan(200);
  });
});
