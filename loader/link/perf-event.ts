/**
 * perf_event attach: one sampling perf event per online CPU (by default the CPU clock at a
 * frequency in Hz), each with a bpf link to the program. The program runs on every sample;
 * one Link owns all the events and links.
 */
import { readFileSync } from "node:fs";
import { AttachError, WhistlerError } from "../../runtime/errors.js";
import {
  AttachType, linkCreate, perfEventOpen, PERF_COUNT_SW_CPU_CLOCK, PERF_TYPE_SOFTWARE, type Fd,
} from "../../runtime/sys/index.js";
import { Link } from "./link.js";
import type { AttachableProgram } from "./tracepoint.js";

export interface PerfEventAttachOptions {
  /** Samples per second per CPU (default 99 when no period is given). */
  frequency?: number;
  /** Or: one sample every `period` events. */
  period?: bigint;
  /** perf_event_attr type/config (default PERF_TYPE_SOFTWARE / PERF_COUNT_SW_CPU_CLOCK). */
  type?: number;
  config?: number | bigint;
  /** CPUs to sample (default: every online CPU). */
  cpus?: readonly number[];
}

/** The CPUs a kernel CPU list ("0-3,5") names. */
export function cpuListMembers(text: string): number[] {
  const out: number[] = [];
  for (const part of text.trim().split(",")) {
    if (part === "") continue;
    const m = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (!m) throw new WhistlerError(`cannot parse CPU list "${text.trim()}"`);
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : Number(m[2]);
    for (let c = lo; c <= hi; c++) out.push(c);
  }
  return out;
}

export function onlineCpus(): number[] {
  return cpuListMembers(readFileSync("/sys/devices/system/cpu/online", "utf8"));
}

export function attachPerfEvent(prog: AttachableProgram, opts: PerfEventAttachOptions = {}): Link {
  const fds: Fd[] = [];
  const frequency = opts.period === undefined ? opts.frequency ?? 99 : undefined;
  const what = frequency !== undefined ? `${frequency} Hz` : `every ${opts.period} events`;
  try {
    if (frequency !== undefined && (!Number.isInteger(frequency) || frequency <= 0)) throw new WhistlerError(`sampling frequency ${frequency} must be a positive integer (Hz)`);
    const cpus = opts.cpus ?? onlineCpus();
    for (const cpu of cpus) {
      const perf = perfEventOpen({
        type: opts.type ?? PERF_TYPE_SOFTWARE, config: opts.config ?? PERF_COUNT_SW_CPU_CLOCK, pid: -1, cpu,
        sampleFreq: frequency, sampleperiod: opts.period, what: `open sampling perf event on CPU ${cpu}`,
        hint: (err) => err === 22 ? "check the frequency against /proc/sys/kernel/perf_event_max_sample_rate" : err === 19 ? `CPU ${cpu} is offline or the event does not exist` : undefined,
      });
      fds.push(perf);
      fds.push(linkCreate({
        progFd: prog.fd.raw, target: perf.raw, attachType: AttachType.PERF_EVENT,
        label: `perf_event link ${prog.name} -> CPU ${cpu}`,
        ctx: { what: `link program to the perf event on CPU ${cpu}`, caps: ["CAP_BPF", "CAP_PERFMON"] },
      }));
    }
    return new Link("perf_event", prog.name, `${cpus.length} CPUs at ${what}`, fds);
  } catch (e) {
    for (let i = fds.length - 1; i >= 0; i--) fds[i]!.close();
    const w = e instanceof WhistlerError ? e : undefined;
    throw new AttachError(prog.name, `perf_event (${what}): ${w ? w.message.split("\n")[0] : String(e)}`, { hint: w?.hint, cause: e });
  }
}
