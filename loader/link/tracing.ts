/**
 * fentry/fexit/fmod_ret/lsm/tp_btf attach: the kernel already knows the target from the
 * attach_btf_id given at load time, so a bpf link with the program's attach type is all
 * (BPF_LINK_CREATE, kernels >= 5.13 for tracing links, >= 5.7 for lsm).
 *
 * Exercised only on kernels that allow these programs: the machines we test on refuse to
 * load them (EPERM), and loading already says so.
 */
import { readFileSync } from "node:fs";
import { AttachError, BpfError, NotSupportedError, WhistlerError } from "../../runtime/errors.js";
import { linkCreate } from "../../runtime/sys/index.js";
import { Link } from "./link.js";
import type { AttachableProgram } from "./tracepoint.js";

export function attachTracing(prog: AttachableProgram, attachType: number, target: string, cookie?: bigint): Link {
  try {
    const fd = linkCreate({
      progFd: prog.fd.raw, target: 0, attachType, targetBtfId: 0, cookie,
      label: `tracing link ${prog.name} -> ${target}`,
      ctx: { what: `attach to ${target}`, caps: ["CAP_BPF", "CAP_PERFMON", "CAP_SYS_ADMIN"] },
    });
    return new Link("tracing", prog.name, target, [fd], { bpfLink: fd });
  } catch (e) {
    const w = e instanceof WhistlerError ? e : undefined;
    throw new AttachError(prog.name, `${target}: ${w ? w.message.split("\n")[0] : String(e)}`, { hint: w?.hint, cause: e });
  }
}

const CAP_SYS_ADMIN = 21n;
const CAP_PERFMON = 38n;
const CAP_BPF = 39n;

/** Does this process hold what loading tracing programs needs (CAP_BPF+CAP_PERFMON, or CAP_SYS_ADMIN)? */
export function hasTracingCapabilities(statusText?: string): boolean {
  let text = statusText;
  if (text === undefined) {
    try {
      text = readFileSync("/proc/self/status", "utf8");
    } catch {
      return false;
    }
  }
  const m = /^CapEff:\s*([0-9a-f]+)$/m.exec(text);
  if (!m) return false;
  const caps = BigInt(`0x${m[1]}`);
  const has = (bit: bigint): boolean => ((caps >> bit) & 1n) === 1n;
  return has(CAP_SYS_ADMIN) || (has(CAP_BPF) && has(CAP_PERFMON));
}

/**
 * The error for a BTF-attached program (fentry, fexit, lsm, ...) the kernel refused with
 * EPERM although the process holds the capabilities: the kernel does not allow the program
 * type here. Undefined when the EPERM is about capabilities after all.
 */
export function tracingRefusal(program: string, section: string, cause: BpfError, statusText?: string): NotSupportedError | undefined {
  if (cause.errno !== 1 || !hasTracingCapabilities(statusText)) return undefined;
  const kind = section.replace(/^\?/, "").split("/")[0]!;
  const why = kind.startsWith("lsm")
    ? "the BPF LSM is not active (it must be in the lsm= boot parameter, CONFIG_BPF_LSM), or lockdown forbids it"
    : "the kernel has no BPF trampolines for this architecture or configuration, or lockdown forbids it";
  return new NotSupportedError(
    `load program "${program}": the kernel refuses ${kind} programs here (BPF_PROG_LOAD failed with EPERM although the process has CAP_BPF and CAP_PERFMON): ${why}`,
    { cause, hint: "use a tracepoint, raw tracepoint or uprobe instead, or run on a kernel that allows " + kind + " programs" },
  );
}
