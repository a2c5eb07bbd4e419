/**
 * cgroup attach (cgroup_skb ingress/egress, cgroup sock and sock_addr hooks, sockops, ...):
 * a bpf link on the cgroup directory's fd (BPF_LINK_CREATE with the program's attach type).
 * The program sees every socket of every process in the cgroup and its descendants.
 */
import { closeSync, constants, openSync, readFileSync, statfsSync } from "node:fs";
import { isAbsolute, join } from "node:path";
import { AttachError, WhistlerError } from "../../runtime/errors.js";
import { AttachType, linkCreate } from "../../runtime/sys/index.js";
import { Link } from "./link.js";
import type { AttachableProgram } from "./tracepoint.js";

const CGROUP2_SUPER_MAGIC = 0x63677270;

/** Where cgroup2 is mounted, from /proc/self/mounts text (first match). */
export function cgroup2Mount(mountsText?: string): string | undefined {
  let text = mountsText;
  if (text === undefined) {
    try {
      text = readFileSync("/proc/self/mounts", "utf8");
    } catch {
      return undefined;
    }
  }
  for (const line of text.split("\n")) {
    const f = line.split(" ");
    if (f[2] === "cgroup2" && f[1]) return f[1].replace(/\\040/g, " ");
  }
  return undefined;
}

/** An absolute cgroup path: absolute paths as given, others under the cgroup2 mount. */
export function cgroupPath(path: string): string {
  if (isAbsolute(path)) return path;
  const root = cgroup2Mount();
  if (!root) throw new WhistlerError(`cannot resolve cgroup "${path}": cgroup2 is not mounted`, { hint: "mount it: mount -t cgroup2 none /sys/fs/cgroup (or give an absolute path)" });
  return join(root, path);
}

const ATTACH_NAMES: Readonly<Record<number, string>> = Object.fromEntries(Object.entries(AttachType).map(([k, v]) => [v, k.toLowerCase()]));

export interface CgroupAttachOptions {
  /** cgroup directory: absolute, or relative to the cgroup2 mount. */
  path: string;
  /** enum bpf_attach_type (from the section: cgroup_skb/egress -> CGROUP_INET_EGRESS, ...). */
  attachType: number;
}

export function attachCgroup(prog: AttachableProgram, opts: CgroupAttachOptions): Link {
  const hook = ATTACH_NAMES[opts.attachType] ?? `attach type ${opts.attachType}`;
  try {
    const path = cgroupPath(opts.path);
    let dirFd: number;
    try {
      dirFd = openSync(path, constants.O_RDONLY | constants.O_DIRECTORY);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? String(e);
      throw new WhistlerError(`cannot open cgroup ${path} (${code})`, {
        cause: e, hint: code === "ENOENT" ? `create it (mkdir ${path}) or pick an existing cgroup under ${cgroup2Mount() ?? "the cgroup2 mount"}` : undefined,
      });
    }
    try {
      let cg2 = true;
      try {
        cg2 = statfsSync(path).type === CGROUP2_SUPER_MAGIC;
      } catch {
        // let the kernel decide
      }
      const fd = linkCreate({
        progFd: prog.fd.raw, target: dirFd, attachType: opts.attachType,
        label: `cgroup link ${prog.name} -> ${path}`,
        ctx: {
          what: `attach to cgroup ${path} (${hook})`, caps: ["CAP_BPF", "CAP_NET_ADMIN"],
          hint: (err) => !cg2 ? `${path} is not on cgroup2 (BPF programs attach to the unified hierarchy${cgroup2Mount() ? `, mounted at ${cgroup2Mount()}` : ""})`
            : err === 22 ? `the program's type does not match the hook ${hook} (check its section name)` : undefined,
        },
      });
      return new Link("cgroup", prog.name, `${path} (${hook})`, [fd], { bpfLink: fd });
    } finally {
      closeSync(dirFd);
    }
  } catch (e) {
    const w = e instanceof WhistlerError ? e : undefined;
    throw new AttachError(prog.name, `cgroup ${opts.path} (${hook}): ${w ? w.message.split("\n")[0] : String(e)}`, { hint: w?.hint, cause: e });
  }
}
