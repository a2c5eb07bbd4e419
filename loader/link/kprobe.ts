/**
 * kprobe/kretprobe attach. Two ways, like libbpf: the `kprobe` perf PMU (config1 = the
 * function name, config2 = the offset; kernels >= 4.17), else the legacy tracefs interface
 * (a "p:"/"r:" line in kprobe_events makes a trace event, opened as a tracepoint; detaching
 * removes it). Kernels built without CONFIG_KPROBES have neither, and the error says so.
 *
 * Exercised only against sysfs/tracefs stand-ins here: the machines we test on have no kprobes.
 */
import { appendFileSync, existsSync } from "node:fs";
import { AttachError, NotSupportedError, WhistlerError } from "../../runtime/errors.js";
import { NativeBuffer, perfEventOpen, PERF_TYPE_TRACEPOINT } from "../../runtime/sys/index.js";
import type { Link } from "./link.js";
import { linkPerfEvent } from "./perf-link.js";
import { EVENT_SOURCE_ROOT, probePmu } from "./pmu.js";
import { tracefsRoot, tracepointId } from "./tracefs.js";
import type { AttachableProgram } from "./tracepoint.js";

export interface KprobeAttachOptions {
  /** Kernel function, e.g. "do_unlinkat". */
  symbol: string;
  /** Bytes past the function's start (kprobes only). */
  offset?: number;
  ret?: boolean;
  cookie?: bigint;
  /** Force the legacy tracefs path even when the PMU exists. */
  legacy?: boolean;
}

/** Where to look for the kernel's kprobe interfaces (tests point these elsewhere). */
export interface KprobeRoots {
  readonly eventSource: string;
  readonly tracefs: readonly string[];
}

const DEFAULT_ROOTS: KprobeRoots = { eventSource: EVENT_SOURCE_ROOT, tracefs: ["/sys/kernel/tracing", "/sys/kernel/debug/tracing"] };

export const LEGACY_GROUP = "whistler";
const SYMBOL = /^[A-Za-z_][\w.]*$/;
let legacyCounter = 0;

/** A trace event name unique to this process and probe: "wh_1234_do_unlinkat_0". */
export function legacyEventName(symbol: string, pid: number, n: number): string {
  return `wh_${pid}_${symbol.replace(/[^\w]/g, "_")}_${n}`;
}

/** The kprobe_events line that creates the probe. */
export function kprobeEventLine(o: { ret: boolean; group: string; event: string; symbol: string; offset: number }): string {
  const at = o.offset ? `${o.symbol}+${o.offset}` : o.symbol;
  return `${o.ret ? "r" : "p"}:${o.group}/${o.event} ${at}`;
}

/** The kprobe_events line that removes it. */
export function kprobeRemoveLine(group: string, event: string): string {
  return `-:${group}/${event}`;
}

export type KprobeMechanism =
  | { readonly kind: "pmu"; readonly type: number; readonly retprobeBit: number }
  | { readonly kind: "legacy"; readonly tracefs: string }
  | { readonly kind: "none"; readonly reason: string };

/** Which way this kernel offers kprobes. */
export function kprobeMechanism(roots: KprobeRoots = DEFAULT_ROOTS, preferLegacy = false): KprobeMechanism {
  const pmu = probePmu("kprobe", roots.eventSource);
  const tracefs = tracefsRoot(roots.tracefs);
  const legacy = tracefs !== undefined && existsSync(`${tracefs}/kprobe_events`) ? tracefs : undefined;
  if (pmu && !(preferLegacy && legacy)) return { kind: "pmu", type: pmu.type, retprobeBit: pmu.retprobeBit };
  if (legacy) return { kind: "legacy", tracefs: legacy };
  return {
    kind: "none",
    reason: `this kernel has no kprobes: there is no kprobe PMU (${roots.eventSource}/kprobe) and ` +
      (tracefs ? `no kprobe_events in tracefs (${tracefs}/kprobe_events)` : "tracefs is not mounted"),
  };
}

export function attachKprobe(prog: AttachableProgram, opts: KprobeAttachOptions, roots: KprobeRoots = DEFAULT_ROOTS): Link {
  const kind = opts.ret ? "kretprobe" : "kprobe";
  const offset = opts.offset ?? 0;
  try {
    if (!SYMBOL.test(opts.symbol)) throw new WhistlerError(`"${opts.symbol}" is not a kernel function name`, { hint: "kernel functions are listed in /proc/kallsyms" });
    const m = kprobeMechanism(roots, opts.legacy);
    if (m.kind === "none") {
      throw new NotSupportedError(m.reason, {
        hint: "the kernel was built without CONFIG_KPROBES (or CONFIG_KPROBE_EVENTS); use a tracepoint or raw tracepoint instead, or a kernel with kprobes",
      });
    }
    const link = { kind: "kprobe" as const, program: prog, target: `${opts.symbol}${offset ? `+${offset}` : ""}${opts.ret ? " (return)" : ""}`, cookie: opts.cookie };
    if (m.kind === "pmu") {
      using name = NativeBuffer.from(opts.symbol);
      const perf = perfEventOpen({
        type: m.type, config: opts.ret ? 1n << BigInt(m.retprobeBit) : 0n, config1: name.ptr, config2: BigInt(offset),
        pid: -1, cpu: 0, what: `open ${kind} ${opts.symbol}`,
        hint: (err) => err === 2 || err === 22 ? `no probeable kernel function "${opts.symbol}" (see /proc/kallsyms; inlined and notrace functions cannot be probed)` : undefined,
      });
      return linkPerfEvent(perf, link);
    }
    const event = legacyEventName(opts.symbol, process.pid, legacyCounter++);
    const eventsFile = `${m.tracefs}/kprobe_events`;
    try {
      appendFileSync(eventsFile, kprobeEventLine({ ret: opts.ret ?? false, group: LEGACY_GROUP, event, symbol: opts.symbol, offset }) + "\n");
    } catch (e) {
      throw new WhistlerError(`cannot create ${kind} on ${opts.symbol} through ${eventsFile} (${(e as NodeJS.ErrnoException).code ?? String(e)})`, {
        cause: e, hint: `no probeable kernel function "${opts.symbol}"? see /proc/kallsyms`,
      });
    }
    const remove = (): void => {
      try {
        appendFileSync(eventsFile, kprobeRemoveLine(LEGACY_GROUP, event) + "\n");
      } catch {
        // already gone (someone cleared kprobe_events)
      }
    };
    try {
      const id = tracepointId(LEGACY_GROUP, event, [m.tracefs]);
      const perf = perfEventOpen({ type: PERF_TYPE_TRACEPOINT, config: id, pid: -1, cpu: 0, what: `open ${kind} event ${LEGACY_GROUP}/${event}` });
      return linkPerfEvent(perf, { ...link, cleanup: remove });
    } catch (e) {
      remove();
      throw e;
    }
  } catch (e) {
    const w = e instanceof WhistlerError ? e : undefined;
    const message = `${kind} ${opts.symbol}: ${w ? w.message.split("\n")[0] : String(e)}`;
    // Missing kernel support stays a NotSupportedError, so callers can tell it from a bad symbol.
    if (e instanceof NotSupportedError) throw new NotSupportedError(`attach program "${prog.name}": ${message}`, { hint: e.hint, cause: e });
    throw new AttachError(prog.name, message, { hint: w?.hint, cause: e });
  }
}
