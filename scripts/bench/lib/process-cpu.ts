/**
 * What each process of the local system spent, read from /proc: CPU time (user + system) and
 * resident memory. A bench samples before and after a phase and divides the difference by the
 * work done in it, so a change shows where it saved (or cost) CPU, process by process.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const RUN_DIR = join(process.env.SHOP_VAR_DIR ?? resolve(__dirname, '../../../var'), 'run');
/** /proc/<pid>/stat counts in clock ticks; Linux on x86_64 and arm64 uses 100 a second. */
const TICKS_PER_SECOND = 100;

export interface ProcessSample {
  name: string;
  pid: number;
  /** Date.now() when read. */
  at: number;
  cpuMs: number;
  rssMb: number;
}

/** The system's processes by name: every var/run/<name>.pid that is alive, and MariaDB. */
export function systemProcesses(): { name: string; pid: number }[] {
  const found = existsSync(RUN_DIR)
    ? readdirSync(RUN_DIR)
        .filter((file) => file.endsWith('.pid'))
        .map((file) => ({ name: file.slice(0, -'.pid'.length), pid: Number(readFileSync(join(RUN_DIR, file), 'utf8').trim()) }))
    : [];
  try {
    // MariaDB usually runs already (the machine's own), so it has no pid file of ours.
    const mariadb = execFileSync('pgrep', ['-o', '-x', 'mariadbd'], { encoding: 'utf8' }).trim();
    if (mariadb && !found.some((p) => p.name === 'mysql')) found.push({ name: 'mariadb', pid: Number(mariadb) });
  } catch {
    // not running under that name: left out of the table
  }
  return found.filter(({ pid }) => Number.isInteger(pid) && pid > 0 && existsSync(`/proc/${pid}/stat`));
}

export function sampleProcesses(): ProcessSample[] {
  return systemProcesses().flatMap(({ name, pid }) => {
    try {
      // The command name (field 2) may hold spaces; the fields after its ')' are fixed.
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15)
      const rssPages = Number(fields[21]); // field 24
      return [{ name, pid, at: Date.now(), cpuMs: (ticks * 1000) / TICKS_PER_SECOND, rssMb: (rssPages * 4096) / 2 ** 20 }];
    } catch {
      return []; // exited between the listing and the read
    }
  });
}

const cpuBetween = (before: ProcessSample[], now: ProcessSample) => {
  const then = before.find((sample) => sample.name === now.name && sample.pid === now.pid);
  return then ? { cpuMs: now.cpuMs - then.cpuMs, seconds: (now.at - then.at) / 1000 } : undefined;
};

/**
 * CPU milliseconds per unit of work, process by process, between two samples (same pids only).
 * With `idle` (two samples of the system doing nothing), what each process burns at rest (the
 * consumers' long polls, the JVM's own threads) is taken off for the window's length, so the
 * figure is what the work itself cost.
 */
export function cpuPerUnit(
  before: ProcessSample[],
  after: ProcessSample[],
  units: number,
  idle?: { before: ProcessSample[]; after: ProcessSample[] },
): { name: string; msPerUnit: number; rssMb: number }[] {
  return after
    .map((now) => {
      const spent = cpuBetween(before, now);
      if (!spent) return undefined;
      const rest = idle ? idle.after.find((sample) => sample.name === now.name) : undefined;
      const atRest = rest ? cpuBetween(idle!.before, rest) : undefined;
      const restMs = atRest && atRest.seconds > 0 ? (atRest.cpuMs / atRest.seconds) * spent.seconds : 0;
      return { name: now.name, msPerUnit: units > 0 ? Math.max(0, spent.cpuMs - restMs) / units : NaN, rssMb: now.rssMb };
    })
    .filter((row): row is { name: string; msPerUnit: number; rssMb: number } => row !== undefined)
    .sort((a, b) => b.msPerUnit - a.msPerUnit);
}

/** A markdown table of cpuPerUnit, with the total. */
export function cpuTable(rows: { name: string; msPerUnit: number; rssMb: number }[], unit: string): string {
  const total = rows.reduce((sum, row) => sum + row.msPerUnit, 0);
  return [
    `| process | CPU ms per ${unit} | RSS MB |`,
    '|---|---:|---:|',
    ...rows.map((row) => `| ${row.name} | ${row.msPerUnit.toFixed(2)} | ${row.rssMb.toFixed(0)} |`),
    `| **all** | **${total.toFixed(2)}** | |`,
  ].join('\n');
}
