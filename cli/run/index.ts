/**
 * `whistler run FILE.ts`: build the file's exported templates (as `whistler build` does),
 * load them, attach every program, stream ring buffer records while running, and print the
 * maps when the run ends (after --duration, or on Ctrl-C) with a summary. A .bpf.o object
 * runs the same way. Every object is disposed (links detached, fds closed) on every path.
 */
import pc from "picocolors";
import { AttachError, WhistlerError } from "../../runtime/errors.js";
import { load, type AttachAllOptions, type BpfObject, type Program } from "../../loader/index.js";
import type { RingBufReader } from "../../loader/ringbuf/index.js";
import { USDT_BOOKKEEPING_MAPS } from "../../loader/link/usdt-specs.js";
import { decodeStruct } from "../../runtime/struct/field-codecs.js";
import { dumpEntries, formatMap, show, toJson, type MapDump } from "./format.js";
import { runSources, type RunSource } from "./sources.js";

export interface RunOptions {
  readonly ifname?: string;
  readonly cgroup?: string;
  readonly pid?: string;
  readonly duration?: string;
  readonly json?: boolean;
  readonly limit?: string;
}

const RINGBUF = 27;
const PERF_EVENT_ARRAY = 4;
const ARRAY_TYPES = new Set([2, 6]);

function positive(flag: string, v: string | undefined, integer: boolean): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) throw new WhistlerError(`${flag} needs a positive ${integer ? "integer" : "number"}, got "${v}"`);
  return n;
}

/** Options attachAll needs, from the flags; a program that needs a missing flag is named. */
function attachOptions(programs: readonly Program[], o: RunOptions, pid: number | undefined): AttachAllOptions {
  for (const p of programs) {
    const need = (flag: string, example: string): never => {
      throw new AttachError(p.name, `${p.target.kind} programs need ${flag}`, { hint: `whistler run FILE ${flag} ${example}` });
    };
    if ((p.target.kind === "xdp" || p.target.kind === "tc") && !o.ifname) need("--ifname", "eth0");
    if ((p.target.kind === "cgroup_skb" || p.target.kind === "cgroup") && !o.cgroup) need("--cgroup", "/sys/fs/cgroup/unified");
  }
  return {
    ...(o.ifname ? { xdp: { ifname: o.ifname }, tc: { ifname: o.ifname } } : {}),
    ...(o.cgroup ? { cgroup: o.cgroup } : {}),
    ...(pid !== undefined ? { uprobe: { pid }, usdt: { pid } } : {}),
    // a socket filter needs a socket the user's code owns: loaded, left unattached
    socket: false,
  };
}

interface Loaded {
  readonly source: RunSource;
  readonly obj: BpfObject;
}

function readersOf(l: Loaded): RingBufReader<unknown>[] {
  return l.obj.mapNames.flatMap((name) => {
    if (l.obj.map(name).info.type !== RINGBUF) return [];
    const layout = l.source.recordLayouts.get(name);
    const decoder = layout && {
      size: layout.size,
      decode: (v: DataView, off: number) => decodeStruct(layout, v, off),
      encode: (): never => { throw new WhistlerError("ring buffer records are read, not written, here"); },
    };
    return [l.obj.ringBuf(name, decoder) as RingBufReader<unknown>];
  });
}

function mapDumps(l: Loaded): MapDump[] {
  return l.obj.mapNames.flatMap((name) => {
    const h = l.obj.map(name);
    const t = h.info.type;
    // USDT spec tables are the loader's bookkeeping, not the program's data.
    if (t === RINGBUF || t === PERF_EVENT_ARRAY || name.endsWith(".rodata") || USDT_BOOKKEEPING_MAPS.has(name)) return [];
    return [dumpEntries(name, h.entries() as Iterable<readonly [unknown, unknown]>, ARRAY_TYPES.has(t))];
  });
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = Number.isFinite(ms) ? setTimeout(resolve, ms) : undefined;
    signal.addEventListener("abort", () => { clearTimeout(t); resolve(); }, { once: true });
  });
}

export async function runCommand(file: string, o: RunOptions): Promise<void> {
  const duration = positive("--duration", o.duration, false);
  const pid = positive("--pid", o.pid, true);
  const limit = positive("--limit", o.limit, true) ?? 50;
  const sources = await runSources(file);
  if (!Array.isArray(sources)) {
    for (const m of sources.messages) process.stderr.write(m + "\n");
    process.exitCode = 1;
    return;
  }
  const stop = new AbortController();
  const onSignal = (): void => stop.abort();
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  // `whistler run x.ts | head` closes the pipe: stop cleanly instead of dying on EPIPE
  // (kept for the life of the process: writes already queued fail after the run ends)
  let pipeClosed = false;
  process.stdout.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code !== "EPIPE") throw e;
    pipeClosed = true;
    stop.abort();
  });
  const loaded: Loaded[] = [];
  const say = (line: string): void => void (o.json ? process.stderr : process.stdout).write(line + "\n");
  try {
    for (const source of sources) loaded.push({ source, obj: await load(source.elf) });
    const programs = loaded.flatMap((l) => [...l.obj.programs.values()]);
    const opts = attachOptions(programs, o, pid);
    const links = loaded.flatMap((l) => l.obj.attachAll(opts));
    const unattached = programs.filter((p) => p.target.kind === "socket").map((p) => p.name);
    say(pc.dim(`attached ${links.length} program${links.length === 1 ? "" : "s"}: ${programs.filter((p) => !unattached.includes(p.name)).map((p) => `${p.name} (${p.section})`).join(", ")}`));
    if (unattached.length > 0) say(pc.dim(`loaded, not attached (socket filters attach to a socket your code owns): ${unattached.join(", ")}`));
    say(pc.dim(duration ? `running for ${duration}s (Ctrl-C to stop)...` : "running until Ctrl-C..."));

    const started = Date.now();
    const counts = new Map<string, number>();
    const readers = loaded.flatMap(readersOf);
    const onRecord = (name: string) => (rec: unknown): void => {
      counts.set(name, (counts.get(name) ?? 0) + 1);
      if (pipeClosed) return;
      const t = ((Date.now() - started) / 1000).toFixed(3);
      if (o.json) process.stdout.write(toJson({ ringbuf: name, record: rec }) + "\n");
      else process.stdout.write(`${pc.dim(t.padStart(8))} ${pc.cyan(name)} ${show(rec)}\n`);
    };
    const running = readers.map((r) => r.run(onRecord(r.name), { signal: stop.signal }));
    // A timer keeps the event loop alive while the only thing left to wait for is a signal.
    const keepAlive = setInterval(() => {}, 60_000);
    await sleep(duration ? duration * 1000 : Infinity, stop.signal);
    clearInterval(keepAlive);
    stop.abort();
    await Promise.all(running);
    // records written in the last moments before the stop
    for (const r of readers) r.consume(onRecord(r.name));

    const seconds = (Date.now() - started) / 1000;
    const dumps = loaded.flatMap(mapDumps);
    const records = [...counts.values()].reduce((a, b) => a + b, 0);
    if (o.json) {
      const maps = Object.fromEntries(dumps.map((d) => [d.name, d.entries.map(([key, value]) => ({ key, value }))]));
      process.stdout.write(toJson({ seconds, programs: programs.map((p) => p.name), records: Object.fromEntries(counts), maps }) + "\n");
    } else {
      process.stdout.write("\n" + dumps.map((d) => formatMap(d, limit)).join("\n\n") + (dumps.length ? "\n" : ""));
      const rb = readers.length ? `, ${records} ring buffer record${records === 1 ? "" : "s"}` : "";
      process.stdout.write(pc.bold(`\nran ${seconds.toFixed(1)}s: ${programs.length} program${programs.length === 1 ? "" : "s"}, ${dumps.length} map${dumps.length === 1 ? "" : "s"}${rb}\n`));
    }
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    for (const l of loaded.reverse()) l.obj[Symbol.dispose]();
  }
}
