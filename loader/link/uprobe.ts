/**
 * uprobe/uretprobe attach through the `uprobe` perf PMU: perf_event_open with config1 = the
 * file's path and config2 = the file offset of the probed instruction, then a bpf link.
 * Without `pid` the probe fires in every process that runs the file.
 */
import { AttachError, NotSupportedError, WhistlerError } from "../../runtime/errors.js";
import { NativeBuffer, perfEventOpen } from "../../runtime/sys/index.js";
import { resolveSymbolOffset } from "./elf-symbols.js";
import type { Link } from "./link.js";
import { linkPerfEvent } from "./perf-link.js";
import { probePmu } from "./pmu.js";
import type { AttachableProgram } from "./tracepoint.js";
import { parseUprobeSpec, readBinary, resolveBinary } from "./uprobe-target.js";

export interface UprobeAttachOptions {
  /** "path:symbol", "path:symbol+0x10", "path:0x1234" (file offset); path may be "libc.so.6" or "c". */
  target: string;
  /** Probe the function's return (uretprobe). */
  ret?: boolean;
  /** Only this process (default: every process running the file). */
  pid?: number;
  /** A value the program reads with bpf_get_attach_cookie(). */
  cookie?: bigint;
}

/** Resolve a target to the file and offset the kernel wants. */
export function resolveUprobe(target: string, pid?: number): { path: string; offset: number } {
  const spec = parseUprobeSpec(target);
  const path = resolveBinary(spec.binary, pid);
  if (spec.symbol === undefined) return { path, offset: spec.offset };
  const r = resolveSymbolOffset(readBinary(path), spec.symbol, spec.offset);
  if (!r.found) {
    throw new WhistlerError(`cannot probe ${spec.symbol} in ${path}: ${r.reason}`, {
      hint: r.suggestions.length ? `similar symbols: ${r.suggestions.join(", ")}` : "check the name with: nm -D --defined-only " + path + " (or give a file offset: path:0x1234)",
    });
  }
  return { path, offset: r.offset };
}

export function attachUprobe(prog: AttachableProgram, opts: UprobeAttachOptions): Link {
  const kind = opts.ret ? "uretprobe" : "uprobe";
  try {
    const pmu = probePmu("uprobe");
    if (!pmu) {
      throw new NotSupportedError("this kernel has no uprobe PMU (/sys/bus/event_source/devices/uprobe is missing)", {
        hint: "uprobes need CONFIG_UPROBE_EVENTS (kernels >= 4.17 expose the PMU)",
      });
    }
    const { path, offset } = resolveUprobe(opts.target, opts.pid);
    const where = `${path}:0x${offset.toString(16)}`;
    using cpath = NativeBuffer.from(path);
    const perf = perfEventOpen({
      type: pmu.type, config: opts.ret ? 1n << BigInt(pmu.retprobeBit) : 0n, config1: cpath.ptr, config2: BigInt(offset),
      // A process-wide probe needs a CPU; like tracepoints it still fires on all of them.
      pid: opts.pid ?? -1, cpu: opts.pid === undefined ? 0 : -1,
      what: `open ${kind} ${where}`,
      hint: (err) => err === 2 ? `${path} vanished, or pid ${opts.pid ?? ""} does not exist`
        : err === 22 ? `offset 0x${offset.toString(16)} is not a valid instruction start in ${path}` : undefined,
    });
    return linkPerfEvent(perf, { kind: "uprobe", program: prog, target: `${opts.target}${opts.ret ? " (return)" : ""}`, cookie: opts.cookie });
  } catch (e) {
    const w = e instanceof WhistlerError ? e : undefined;
    throw new AttachError(prog.name, `${kind} ${opts.target}: ${w ? w.message.split("\n")[0] : String(e)}`, { hint: w?.hint, cause: e });
  }
}
