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
    const helper = programHelperPid();
    const helperTicks = helper === undefined ? 0 : processTicks(helper, 0);
    return ((processTicks('self') + helperTicks) * 1000) / TICKS_PER_SECOND;
  } catch {
    const used = process.cpuUsage();
    return (used.user + used.system) / 1000;
  }
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
