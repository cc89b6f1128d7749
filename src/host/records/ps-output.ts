// Reading `ps` output the same way on Linux (procps) and macOS (BSD ps): only columns both accept,
// printed without headers in the C locale, fixed-width fields first and the command line last.

/** The columns we ask for, in order: `ps -ww -o <PS_COLUMNS> -p <pids>` or `-A`. */
export const PS_COLUMNS = 'pid=,ppid=,pgid=,stat=,rss=,time=,pcpu=,lstart=,command=';

/** One process as `ps` shows it. */
export interface PsRow {
  pid: number;
  ppid: number;
  pgid: number;
  /** `stat` letters; the first is the state ('Z' zombie, 'R' running, 'S' sleeping...). */
  stat: string;
  /** Resident set size in bytes (ps prints KiB). */
  rssBytes: number;
  /**
   * User + system CPU time in hundredths of a second. procps prints whole seconds: there it is
   * refined from `pcpu` (CPU time over the time since start) within that second.
   */
  cpuCentis: number;
  /** Start time in epoch seconds (`lstart`, one-second resolution, local time). */
  startSec: number;
  /** The command line as ps prints it: arguments joined by single spaces. */
  command: string;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `Fri Dec  4 22:30:26 2026` (C locale, both ps flavours) in epoch seconds; NaN when it reads otherwise. */
function parseLstart(words: readonly string[]): number {
  const [, month, day, clock, year] = words;
  const monthIndex = MONTHS.indexOf(month ?? '');
  const [h, m, s] = (clock ?? '').split(':').map(Number);
  if (monthIndex < 0 || h === undefined || m === undefined || s === undefined) return NaN;
  return new Date(Number(year), monthIndex, Number(day), h, m, s).getTime() / 1000;
}

/**
 * CPU time in hundredths of a second: procps prints `[DD-]HH:MM:SS`, BSD ps `[HH:]MM:SS.ss`.
 * NaN when it reads otherwise.
 */
export function parseCpuTime(text: string): number {
  const match = /^(?:(\d+)-)?([\d:.]+)$/.exec(text);
  if (!match) return NaN;
  const days = Number(match[1] ?? 0);
  const seconds = match[2]!.split(':').reduce((sum, part) => sum * 60 + Number(part), 0);
  return Math.round((days * 86_400 + seconds) * 100);
}

/** CPU time within the whole second procps printed, from the average CPU share since start. */
function refinedCentis(timeText: string, centis: number, pcpu: number, elapsedSec: number): number {
  if (timeText.includes('.') || !(pcpu > 0) || !(elapsedSec > 0)) return centis;
  const estimate = Math.round(pcpu * elapsedSec);
  return Math.min(Math.max(estimate, centis), centis + 99);
}

/** One line of PS_COLUMNS output read at `nowSec`, or undefined when it does not read as one. */
export function parsePsLine(line: string, nowSec = Date.now() / 1000): PsRow | undefined {
  // pid ppid pgid stat rss time pcpu, then lstart's five words, then the command with its own spacing.
  const match =
    /^\s*(\d+)\s+(\d+)\s+(\d+)\s+(\S+)\s+(\d+)\s+(\S+)\s+([\d.]+)\s+(\S+\s+\S+\s+\S+\s+\S+\s+\S+)(?:\s(.*))?$/.exec(
      line,
    );
  if (!match) return undefined;
  const startSec = parseLstart(match[8]!.split(/\s+/));
  const timeCentis = parseCpuTime(match[6]!);
  if (Number.isNaN(startSec) || Number.isNaN(timeCentis)) return undefined;
  return {
    pid: Number(match[1]),
    ppid: Number(match[2]),
    pgid: Number(match[3]),
    stat: match[4]!,
    rssBytes: Number(match[5]) * 1024,
    cpuCentis: refinedCentis(match[6]!, timeCentis, Number(match[7]), nowSec - startSec),
    startSec,
    command: (match[9] ?? '').trim(),
  };
}

/** Every readable row of PS_COLUMNS output read at `nowSec`; lines that do not parse are skipped. */
export function parsePsOutput(text: string, nowSec = Date.now() / 1000): PsRow[] {
  return text.split('\n').flatMap((line) => {
    const row = parsePsLine(line, nowSec);
    return row ? [row] : [];
  });
}

/** The `n` (name) fields of `lsof -F n` output, in order. */
export function lsofNames(text: string): string[] {
  return text
    .split('\n')
    .filter((line) => line.startsWith('n'))
    .map((line) => line.slice(1));
}

/** The pids `lsof -t` printed, one a line. */
export function lsofPids(text: string): number[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => /^\d+$/.test(line))
    .map(Number);
}
