import { describe, expect, it } from 'vitest';
import {
  ProgramStartError,
  programHelperPid,
  runProgramViaHelper,
} from '#shared/adapters/ocr/run-program-via-helper.ts';

const sh = (script: string, options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}) =>
  runProgramViaHelper('/bin/sh', ['-c', script], {
    env: options.env ?? process.env,
    timeoutMs: options.timeoutMs ?? 10_000,
  });

describe('runProgramViaHelper', () => {
  it('gives the exit status and stderr of the program, run with the environment given', async () => {
    const run = await sh('echo "$GREETING" >&2; exit 3', { env: { ...process.env, GREETING: 'xin chào' } });
    expect(run).toEqual({ code: 3, signal: null, stderr: 'xin chào\n', timedOut: false });
  });

  it('runs the programs from a helper process, not from this one', async () => {
    await sh('exit 0');
    const helper = programHelperPid();
    expect(helper).toBeGreaterThan(0);
    expect(helper).not.toBe(process.pid);
    const parent = await sh('echo $PPID >&2');
    expect(Number(parent.stderr.trim())).toBe(helper);
  });

  it('runs several programs at once', async () => {
    const runs = await Promise.all([1, 2, 3].map((n) => sh(`sleep 0.2; echo ${n} >&2`)));
    expect(runs.map((run) => run.stderr)).toEqual(['1\n', '2\n', '3\n']);
  });

  it('kills a program that runs past its timeout', async () => {
    const run = await sh('echo started >&2; exec sleep 10', { timeoutMs: 200 });
    expect(run).toMatchObject({ code: null, signal: 'SIGKILL', stderr: 'started\n', timedOut: true });
  });

  it('says when the program cannot be started', async () => {
    const run = runProgramViaHelper('/nonexistent/tesseract', [], { env: process.env, timeoutMs: 1_000 });
    await expect(run).rejects.toBeInstanceOf(ProgramStartError);
    await expect(run).rejects.toThrow('ENOENT');
  });

  it('fails what was running when the helper dies, and starts a new helper for the next program', async () => {
    await sh('exit 0');
    const first = programHelperPid() as number;
    const running = sh('exec sleep 10');
    process.kill(first, 'SIGKILL');
    await expect(running).rejects.toThrow('the program helper ended (SIGKILL)');
    expect(await sh('exit 0')).toMatchObject({ code: 0 });
    expect(programHelperPid()).not.toBe(first);
  });
});
