/**
 * fentry/fexit/fmod_ret/lsm/tp_btf attach: the kernel already knows the target from the
 * attach_btf_id given at load time, so a bpf link with the program's attach type is all
 * (BPF_LINK_CREATE, kernels >= 5.13 for tracing links, >= 5.7 for lsm).
 *
 * Exercised only on kernels that allow these programs: the machines we test on refuse to
 * load them (EPERM), and loading already says so.
 */
import { AttachError, WhistlerError } from "../../runtime/errors.js";
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
