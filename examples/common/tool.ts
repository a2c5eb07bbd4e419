/**
 * What every example tool shares: its flags (`--duration`, `--interval`, `--json`, `--help`
 * and the tool's own), the wait that Ctrl-C cuts short, and the output forms: aligned
 * tables, bars and bcc-style log2 histograms, coloured only on a terminal (picocolors
 * honours NO_COLOR and FORCE_COLOR).
 */
import { parseArgs } from "node:util";
import pc from "picocolors";

export { pc };

export interface ToolSpec<O extends string> {
  /** Shown by --help: `name [options]` and what the tool does. */
  readonly usage: string;
  readonly duration: number;
  /** The tool's own string-valued options (`--pid 42`), with their help lines. */
  readonly options?: Readonly<Record<O, string>>;
}

export interface ToolArgs<O extends string> {
  readonly duration: number;
  readonly json: boolean;
  readonly values: Readonly<Partial<Record<O, string>>>;
}

/** Parse argv; --help prints the usage and exits 0; a bad flag throws with the usage. */
export function parseTool<O extends string = never>(argv: readonly string[], spec: ToolSpec<O>): ToolArgs<O> {
  const own = (spec.options ?? {}) as Record<string, string>;
  const help = [
    `usage: ${spec.usage}`,
    "",
    `  --duration SECONDS   stop after this long (default ${spec.duration}); Ctrl-C stops early`,
    "  --json               one JSON object on stdout instead of the report",
    ...Object.entries(own).map(([k, h]) => `  --${k.padEnd(19)}${h}`),
  ].join("\n");
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: {
        duration: { type: "string" },
        json: { type: "boolean" },
        help: { type: "boolean", short: "h" },
        ...Object.fromEntries(Object.keys(own).map((k) => [k, { type: "string" as const }])),
      },
      strict: true,
    });
  } catch (e) {
    throw new Error(`${(e as Error).message}\n${help}`);
  }
  const v = parsed.values as Record<string, string | boolean | undefined>;
  if (v.help) {
    console.log(help);
    process.exit(0);
  }
  const duration = v.duration === undefined ? spec.duration : Number(v.duration);
  if (!Number.isFinite(duration) || duration <= 0) throw new Error(`--duration needs a positive number of seconds, got "${String(v.duration)}"`);
  const values = Object.fromEntries(Object.keys(own).filter((k) => typeof v[k] === "string").map((k) => [k, v[k] as string])) as Partial<Record<O, string>>;
  return { duration, json: v.json === true, values };
}

// Ctrl-C/SIGTERM are trapped from the moment a tool starts: a signal that comes while it is
// still loading (before runFor) must end it cleanly too, not kill it mid-setup.
let stopRequested = false;
const stopListeners = new Set<() => void>();
const onSignal = (): void => {
  stopRequested = true;
  for (const l of stopListeners) l();
};
process.on("SIGINT", onSignal);
process.on("SIGTERM", onSignal);
// `tool | head` closes stdout early: stop as on Ctrl-C (links detached, namespaces removed)
// instead of dying on an EPIPE stack trace; later writes to the closed stream are dropped.
process.stdout.on("error", (e: NodeJS.ErrnoException) => {
  if (e.code !== "EPIPE" && e.code !== "ERR_STREAM_DESTROYED") throw e;
  onSignal();
});

/** Resolves after `seconds`, or at once on Ctrl-C/SIGTERM (also one already received); `stopped` says which. */
export async function runFor(seconds: number): Promise<{ stopped: boolean; elapsed: number }> {
  const started = Date.now();
  if (!stopRequested) {
    await new Promise<void>((resolve) => {
      const finish = (): void => {
        clearTimeout(t);
        stopListeners.delete(finish);
        resolve();
      };
      const t = setTimeout(finish, seconds * 1000);
      stopListeners.add(finish);
    });
  }
  return { stopped: stopRequested, elapsed: (Date.now() - started) / 1000 };
}

/** Messages for a person go to stderr under --json, so stdout stays one JSON object. */
export function note(json: boolean, line: string): void {
  (json ? process.stderr : process.stdout).write(pc.dim(line) + "\n");
}

/** JSON with bigints written as numbers (exact below 2^53, which counters are). */
export function printJson(v: unknown): void {
  process.stdout.write(JSON.stringify(v, (_k, x: unknown) => (typeof x === "bigint" ? Number(x) : x)) + "\n");
}

/** An aligned table: `right[i]` right-aligns column i (numbers). */
export function table(header: readonly string[], rows: readonly (readonly string[])[], right: readonly boolean[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => stripAnsi(r[i] ?? "").length)));
  const cell = (c: string, i: number): string => {
    const pad = " ".repeat(Math.max(0, widths[i]! - stripAnsi(c).length));
    return right[i] ? pad + c : c + pad;
  };
  const line = (r: readonly string[]): string => r.map(cell).join("  ").trimEnd();
  return [pc.bold(line(header)), ...rows.map(line)].join("\n");
}

function stripAnsi(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/\x1b\[[0-9;]*m/g, "");
}

/** A bar of `width` cells for `value` out of `max`. */
export function bar(value: bigint | number, max: bigint | number, width = 40): string {
  const m = Number(max);
  const n = m === 0 ? 0 : Math.round((Number(value) / m) * width);
  return "*".repeat(n) + " ".repeat(width - n);
}

/** One row of a log2 histogram: values `low..high` were seen `count` times. */
export interface Log2Bucket {
  readonly low: bigint;
  readonly high: bigint;
  readonly count: bigint;
}

/** Buckets from per-slot counts where slot i holds floor(log2(v)) == i (slot 0 also holds 0). */
export function log2Buckets(slots: readonly bigint[]): Log2Bucket[] {
  let last = slots.length - 1;
  while (last > 0 && slots[last] === 0n) last--;
  const out: Log2Bucket[] = [];
  for (let i = 0; i <= last; i++) {
    out.push({ low: i === 0 ? 0n : 1n << BigInt(i), high: (1n << BigInt(i + 1)) - 1n, count: slots[i] ?? 0n });
  }
  return out;
}

/** A log2 histogram printed as bcc's tools print them. */
export function log2Histogram(buckets: readonly Log2Bucket[], unit: string): string {
  const max = buckets.reduce((m, b) => (b.count > m ? b.count : m), 0n);
  const lines = [`${unit.padStart(10)}${" ".repeat(14)} : count     distribution`];
  for (const b of buckets) {
    lines.push(`${String(b.low).padStart(10)} -> ${String(b.high).padEnd(10)} : ${String(b.count).padEnd(8)} |${pc.cyan(bar(b.count, max))}|`);
  }
  return lines.join("\n");
}

/** A process's command name, or "(exited)". */
export async function commOf(pid: number): Promise<string> {
  const { readFile } = await import("node:fs/promises");
  try {
    return (await readFile(`/proc/${pid}/comm`, "utf8")).trim();
  } catch {
    return "(exited)";
  }
}
