/**
 * USDT attach: a uprobe at every site of the probe `binary:provider:name`, each with the
 * BPF cookie of its argument placement in the object's spec table (usdt-specs.ts), and with
 * the probe's semaphore as the uprobe's reference counter, so the binary runs the probe's
 * argument set-up only while something is attached (the kernel counts it up and down).
 */
import { AttachError, ElfError, NotSupportedError, WhistlerError } from "../../runtime/errors.js";
import { NativeBuffer, perfEventOpen } from "../../runtime/sys/index.js";
import { Link } from "./link.js";
import { linkPerfEvent } from "./perf-link.js";
import { probePmu, type ProbePmu } from "./pmu.js";
import type { AttachableProgram } from "./tracepoint.js";
import { readUsdtProbes, type UsdtProbe } from "./usdt-notes.js";
import type { UsdtSpecTable } from "./usdt-specs.js";
import { readBinary, resolveBinary } from "./uprobe-target.js";

export interface UsdtAttachOptions {
  /** "binary:provider:name"; the binary a path or a library name ("libc.so.6"), as for uprobes. */
  target: string;
  /** Only this process (default: every process running the binary). */
  pid?: number;
}

export interface UsdtTarget {
  readonly binary: string;
  readonly provider: string;
  readonly name: string;
}

/** Parse "binary:provider:name" (the binary may itself hold colons). */
export function parseUsdtTarget(text: string): UsdtTarget {
  const m = /^(.+):([A-Za-z_][A-Za-z0-9_]*):([A-Za-z_][A-Za-z0-9_]*)$/.exec(text);
  if (!m) {
    throw new WhistlerError(`bad USDT target "${text}": expected binary:provider:name`, {
      hint: 'e.g. "/usr/bin/python3:python:function__entry"; list a binary\'s probes with: readelf -n BINARY',
    });
  }
  return { binary: m[1]!, provider: m[2]!, name: m[3]! };
}

/** Every USDT probe site of the file at `path`. */
export function usdtProbesOf(path: string): UsdtProbe[] {
  const bytes = readBinary(path);
  try {
    return readUsdtProbes(bytes);
  } catch (e) {
    if (!(e instanceof ElfError)) throw e;
    throw new WhistlerError(`cannot read the USDT probes of ${path}: ${e.message}`, {
      cause: e,
      hint: "a script or wrapper (a pyenv shim, say) is not the program: give the real executable's path, e.g. $(readlink -f $(command -v python3))",
    });
  }
}

/** The sites of probe provider:name in the file at `path`. */
export function usdtSites(path: string, provider: string, name: string): UsdtProbe[] {
  const all = usdtProbesOf(path);
  const sites = all.filter((p) => p.provider === provider && p.name === name);
  if (sites.length > 0) return sites;
  const names = [...new Set(all.map((p) => `${p.provider}:${p.name}`))];
  throw new WhistlerError(`${path} has no USDT probe ${provider}:${name}`, {
    hint: names.length ? `its probes: ${names.slice(0, 12).join(", ")}${names.length > 12 ? `, ... (${names.length} in all)` : ""}` : "it has no USDT probes at all (no .note.stapsdt section): was it built with <sys/sdt.h> probes enabled?",
  });
}

function uprobePmu(sites: readonly UsdtProbe[]): ProbePmu {
  const pmu = probePmu("uprobe");
  if (!pmu) {
    throw new NotSupportedError("this kernel has no uprobe PMU (/sys/bus/event_source/devices/uprobe is missing)", {
      hint: "USDT probes are uprobes: they need CONFIG_UPROBE_EVENTS (kernels >= 4.17 expose the PMU)",
    });
  }
  if (pmu.refCtrOffsetShift === undefined && sites.some((s) => s.semaphoreOffset !== 0)) {
    throw new NotSupportedError("the probe has a semaphore, and this kernel's uprobes cannot maintain one (no format/ref_ctr_offset)", {
      hint: "kernels >= 4.20 count USDT semaphores; on older ones the binary skips the probe",
    });
  }
  return pmu;
}

/**
 * Attach `prog` at every site of the probe. `specs` is the object's spec table: absent when
 * the program reads no argument (the compiler made no table), so sites need no cookie.
 */
export function attachUsdt(prog: AttachableProgram, specs: UsdtSpecTable | undefined, opts: UsdtAttachOptions): Link {
  const links: Link[] = [];
  const ids: number[] = [];
  try {
    const t = parseUsdtTarget(opts.target);
    const path = resolveBinary(t.binary, opts.pid);
    const sites = usdtSites(path, t.provider, t.name);
    const pmu = uprobePmu(sites);
    // One spec per distinct placement: the sites of a probe inlined twice may differ.
    const idOf = new Map<string, number>();
    using cpath = NativeBuffer.from(path);
    for (const site of sites) {
      let cookie: bigint | undefined;
      if (specs) {
        const key = JSON.stringify(site.args, (_k, v: unknown) => (typeof v === "bigint" ? `${v}` : v));
        let id = idOf.get(key);
        if (id === undefined) {
          id = specs.add(prog.name, site.args);
          ids.push(id);
          idOf.set(key, id);
        }
        cookie = BigInt(id);
      }
      const where = `${path}:0x${site.offset.toString(16)}`;
      const refCtr = site.semaphoreOffset !== 0 ? BigInt(site.semaphoreOffset) << BigInt(pmu.refCtrOffsetShift!) : 0n;
      const perf = perfEventOpen({
        type: pmu.type, config: refCtr, config1: cpath.ptr, config2: BigInt(site.offset),
        pid: opts.pid ?? -1, cpu: opts.pid === undefined ? 0 : -1,
        what: `open uprobe for USDT ${t.provider}:${t.name} at ${where}`,
        hint: (err) => err === 2 ? `${path} vanished, or pid ${opts.pid ?? ""} does not exist`
          : err === 22 ? `the kernel refused the probe at ${where}${refCtr ? " with its semaphore" : ""} (a semaphore another tool maintains differently, or an offset that is no instruction)` : undefined,
      });
      links.push(linkPerfEvent(perf, { kind: "usdt", program: prog, target: where, cookie }));
    }
    const target = `${path}:${t.provider}:${t.name}`;
    return new Link("usdt", prog.name, sites.length === 1 ? target : `${target} (${sites.length} sites)`, [], {
      detach: () => {
        for (let i = links.length - 1; i >= 0; i--) links[i]!.detach();
        specs?.release(ids);
      },
    });
  } catch (e) {
    for (let i = links.length - 1; i >= 0; i--) links[i]!.detach();
    specs?.release(ids);
    const w = e instanceof WhistlerError ? e : undefined;
    throw new AttachError(prog.name, `usdt ${opts.target}: ${w ? w.message.split("\n")[0] : String(e)}`, { hint: w?.hint, cause: e });
  }
}
