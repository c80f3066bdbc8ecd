import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { runProgramViaHelper } from '#shared/adapters/ocr/run-program-via-helper.ts';
import { cpuMs, processCpuMs } from '../../../scripts/lib/cpu-time.ts';

// A child that spends 300 ms of CPU (counted in CPU time, so a loaded machine cannot shorten it).
const SPIN_300_MS =
  'const s = process.cpuUsage(); while (((u) => u.user + u.system)(process.cpuUsage(s)) < 300000);';

describe('cpuMs', () => {
  it('counts the CPU time of finished child processes, as native OCR spends it', () => {
    const before = cpuMs();
    const started = process.cpuUsage();
    execFileSync(process.execPath, ['-e', SPIN_300_MS]);
    const own = process.cpuUsage(started);
    const counted = cpuMs() - before;
    expect(counted - (own.user + own.system) / 1000).toBeGreaterThan(200);
  });

  it('counts the CPU time of programs run through the program helper', async () => {
    const before = cpuMs();
    const started = process.cpuUsage();
    const run = await runProgramViaHelper(process.execPath, ['-e', SPIN_300_MS], {
      env: process.env,
      timeoutMs: 30_000,
    });
    expect(run.code).toBe(0);
    const own = process.cpuUsage(started);
    expect(cpuMs() - before - (own.user + own.system) / 1000).toBeGreaterThan(200);
  });

  it('times steps with this process and the program helper, not with children this process ran itself', async () => {
    const ownChild = processCpuMs();
    const started = process.cpuUsage();
    execFileSync(process.execPath, ['-e', SPIN_300_MS]);
    const own = process.cpuUsage(started);
    expect(processCpuMs() - ownChild - (own.user + own.system) / 1000).toBeLessThan(100);

    await runProgramViaHelper('/bin/true', [], { env: process.env, timeoutMs: 10_000 });
    const before = processCpuMs();
    const helped = process.cpuUsage();
    await runProgramViaHelper(process.execPath, ['-e', SPIN_300_MS], { env: process.env, timeoutMs: 30_000 });
    const mine = process.cpuUsage(helped);
    expect(processCpuMs() - before - (mine.user + mine.system) / 1000).toBeGreaterThan(200);
  });
});
