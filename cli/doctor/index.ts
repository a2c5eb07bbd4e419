/**
 * `whistler doctor`: is this machine ready to run BPF programs from TypeScript? Prints the
 * kernel, the process's capabilities, mounted filesystems, BTF, attach points and which
 * program and map types the kernel accepts (probed), each missing piece with its fix.
 * Exit status 0 when every required piece is present, 1 otherwise; `--json` for machines.
 */
import pc from "picocolors";
import { environmentChecks, type Check, type CheckStatus } from "./checks.js";
import { probeFeatures, type FeatureProbes, type ProbeResult } from "./probes.js";

export interface DoctorOptions {
  readonly json?: boolean;
  /** false: probe again instead of reading this boot's cached answers. */
  readonly cache?: boolean;
}

/** Program and map types our compiler and loader produce: a refusal of one of these fails. */
const REQUIRED_PROGS = ["tracepoint", "raw_tracepoint", "xdp", "socket_filter"];
const REQUIRED_MAPS = ["hash", "array"];
/** Kinds some features use: a refusal warns. */
const WANTED_PROGS = ["kprobe", "sched_cls", "cgroup_skb", "perf_event"];
const WANTED_MAPS = ["percpu_hash", "percpu_array", "lru_hash", "lpm_trie", "ringbuf", "perf_event_array", "array_of_maps"];

function probeCheck(f: FeatureProbes): Check {
  const all = { ...prefixed("prog", f.progTypes), ...prefixed("map", f.mapTypes) };
  const unknown = Object.entries(all).filter(([, r]) => r.answer === "unknown");
  if (unknown.length > 0) {
    return { id: "bpf-syscall", status: "fail", summary: "bpf() refuses this process (EPERM): cannot probe program or map types", fix: "grant the capabilities above, then run whistler doctor again" };
  }
  const refused = (names: string[], kind: "prog" | "map"): string[] => names.filter((n) => all[`${kind}:${n}`]?.answer === "no");
  const missingRequired = [...refused(REQUIRED_PROGS, "prog"), ...refused(REQUIRED_MAPS, "map")];
  const missingWanted = [...refused(WANTED_PROGS, "prog"), ...refused(WANTED_MAPS, "map")];
  if (missingRequired.length > 0) {
    return { id: "bpf-syscall", status: "fail", summary: `the kernel refuses ${missingRequired.join(", ")}`, fix: "use a kernel built with CONFIG_BPF_SYSCALL=y and CONFIG_BPF_EVENTS=y (Linux 5.8+)" };
  }
  if (missingWanted.length > 0) {
    return { id: "bpf-syscall", status: "warn", summary: `bpf() works; the kernel refuses ${missingWanted.join(", ")}`, fix: "use a newer kernel (5.8+) with CONFIG_NET_CLS_BPF, CONFIG_CGROUP_BPF and CONFIG_BPF_JIT" };
  }
  return { id: "bpf-syscall", status: "ok", summary: `bpf() works: ${count(f.progTypes)} program types and ${count(f.mapTypes)} map types accepted${f.cached ? " (cached for this boot)" : ""}` };
}

function prefixed(kind: string, r: Readonly<Record<string, ProbeResult>>): Record<string, ProbeResult> {
  return Object.fromEntries(Object.entries(r).map(([k, v]) => [`${kind}:${k}`, v]));
}

function count(r: Readonly<Record<string, ProbeResult>>): number {
  return Object.values(r).filter((x) => x.answer === "yes").length;
}

const MARK: Record<CheckStatus, string> = { ok: pc.green("ok  "), warn: pc.yellow("warn"), fail: pc.red("FAIL"), info: pc.cyan("info") };

function printText(checks: readonly Check[], f: FeatureProbes): void {
  const width = Math.max(...checks.map((c) => c.id.length));
  const out: string[] = [pc.bold("whistler doctor"), ""];
  for (const c of checks) {
    out.push(`  ${MARK[c.status]}  ${c.id.padEnd(width)}  ${c.summary}`);
    if (c.fix && c.status !== "ok") out.push(`        ${" ".repeat(width)}  ${pc.dim("fix:")} ${c.fix}`);
  }
  out.push("", pc.bold("program types") + pc.dim(" (probed by loading `r0 = 0; exit` of each type)"), ...typeLines(f.progTypes));
  out.push("", pc.bold("map types") + pc.dim(" (probed by creating a one-entry map of each type)"), ...typeLines(f.mapTypes));
  const failed = checks.filter((c) => c.status === "fail").length;
  out.push("", failed === 0 ? pc.green("All required pieces are present.") : pc.red(`${failed} required piece${failed === 1 ? " is" : "s are"} missing: see the fix lines above.`));
  process.stdout.write(out.join("\n") + "\n");
}

function typeLines(r: Readonly<Record<string, ProbeResult>>): string[] {
  const group = (a: ProbeResult["answer"]): [string, ProbeResult][] => Object.entries(r).filter(([, v]) => v.answer === a);
  const lines: string[] = [];
  const wrap = (label: string, names: string[]): void => {
    if (names.length === 0) return;
    let line = `  ${label}`;
    for (const n of names) {
      if (line.length + n.length > 100) {
        lines.push(line);
        line = " ".repeat(label.length + 2);
      }
      line += ` ${n}`;
    }
    lines.push(line);
  };
  wrap(pc.green("yes:"), group("yes").map(([n]) => n));
  wrap(pc.red("no: "), group("no").map(([n, v]) => `${n}(${v.detail})`));
  wrap(pc.yellow("?:  "), group("unknown").map(([n]) => n));
  wrap(pc.dim("not probed:"), group("not probed").map(([n, v]) => `${n}(${v.detail})`));
  return lines;
}

export function doctorCommand(opts: DoctorOptions = {}): void {
  const features = probeFeatures({ useCache: opts.cache !== false });
  const checks = [...environmentChecks(), probeCheck(features)];
  const ok = !checks.some((c) => c.status === "fail");
  if (opts.json) {
    const answers = (r: Readonly<Record<string, ProbeResult>>): Record<string, string> => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v.answer]));
    process.stdout.write(JSON.stringify({ ok, checks, progTypes: answers(features.progTypes), mapTypes: answers(features.mapTypes), cached: features.cached }) + "\n");
  } else {
    printText(checks, features);
  }
  if (!ok) process.exitCode = 1;
}
