import { readFileSync } from 'node:fs';

/** Linux's USER_HZ: /proc reports CPU time in these ticks. */
const TICKS_PER_SECOND = 100;

/**
 * CPU milliseconds used so far by this process and by its finished child processes (native OCR
 * runs Tesseract as a child process per page, whose time `process.cpuUsage()` never sees). Outside
 * Linux, this process only.
 */
export function cpuMs(): number {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    // Fields after the command name: state is the first; utime, stime, cutime, cstime the 12th–15th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = [11, 12, 13, 14].reduce((sum, index) => sum + Number(fields[index] ?? 0), 0);
    return (ticks * 1000) / TICKS_PER_SECOND;
  } catch {
    const used = process.cpuUsage();
    return (used.user + used.system) / 1000;
  }
}
