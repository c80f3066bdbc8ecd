import { readFileSync } from 'node:fs';
import { programHelperPid } from '#shared/adapters/ocr/run-program-via-helper.ts';

/** Linux's USER_HZ: /proc reports CPU time in these ticks. */
const TICKS_PER_SECOND = 100;

/**
 * CPU milliseconds used so far by this process and by its finished child processes (native OCR
 * runs Tesseract as a child process per page, whose time `process.cpuUsage()` never sees), with
 * the program helper that starts those children (`runProgramViaHelper`) and its finished children
 * while it runs. Outside Linux, this process only.
 */
export function cpuMs(): number {
  try {
    return ((processTicks('self') + helperTicks()) * 1000) / TICKS_PER_SECOND;
  } catch {
    return ownCpuMs();
  }
}

/**
 * {@link cpuMs} without this process's own finished children, for timing each pipeline step:
 * reading this process's /proc entry took ~0.8 ms a call in a profile of a busy back office (the
 * kernel sums the times of its many threads), `process.cpuUsage()` and the small helper's entry
 * microseconds. Tesseract runs through the helper, so OCR is still counted.
 */
export function processCpuMs(): number {
  try {
    return ownCpuMs() + (helperTicks() * 1000) / TICKS_PER_SECOND;
  } catch {
    return ownCpuMs();
  }
}

function ownCpuMs(): number {
  const used = process.cpuUsage();
  return (used.user + used.system) / 1000;
}

function helperTicks(): number {
  const helper = programHelperPid();
  return helper === undefined ? 0 : processTicks(helper, 0);
}

/** utime + stime + cutime + cstime of a process, in ticks; `fallback` if it is gone. */
function processTicks(pid: number | 'self', fallback?: number): number {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch (error) {
    if (fallback !== undefined) return fallback;
    throw error;
  }
  // Fields after the command name: state is the first; utime, stime, cutime, cstime the 12th–15th.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return [11, 12, 13, 14].reduce((sum, index) => sum + Number(fields[index] ?? 0), 0);
}
