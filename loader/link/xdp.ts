/** XDP attach with a bpf link (BPF_LINK_CREATE, BPF_XDP): detaches when the link closes. */
import { AttachError, WhistlerError } from "../../runtime/errors.js";
import { AttachType, ifIndex, linkCreate } from "../../runtime/sys/index.js";
import { Link } from "./link.js";
import type { AttachableProgram } from "./tracepoint.js";

/** "generic": skb mode, works on any device; "native": in the driver; "offload": on the NIC. */
export type XdpMode = "generic" | "native" | "offload";

/** XDP_FLAGS_* from include/uapi/linux/if_link.h. */
const XDP_MODE_FLAGS: Readonly<Record<XdpMode, number>> = { generic: 1 << 1, native: 1 << 2, offload: 1 << 3 };

export interface XdpAttachOptions {
  /** Interface name ("eth0") or index. */
  ifname: string | number;
  /** Default: let the kernel choose (native when the driver supports it, else generic). */
  mode?: XdpMode;
}

export function attachXdp(prog: AttachableProgram, opts: XdpAttachOptions): Link {
  const where = `interface ${opts.ifname}`;
  try {
    const ifindex = ifIndex(opts.ifname);
    const fd = linkCreate({
      progFd: prog.fd.raw, target: ifindex, attachType: AttachType.XDP,
      flags: opts.mode ? XDP_MODE_FLAGS[opts.mode] : 0,
      label: `xdp link ${prog.name} -> ${opts.ifname}`,
      ctx: {
        what: `attach XDP to ${where}`,
        caps: ["CAP_BPF", "CAP_NET_ADMIN"],
        hint: (err) => err === 16 ? `another XDP program is attached to ${where}; detach it first (ip link set dev ${opts.ifname} xdp off)`
          : err === 95 || err === 22 ? (opts.mode === "native" ? `the driver of ${where} may not support native XDP; try mode "generic"` : undefined)
          : undefined,
      },
    });
    return new Link("xdp", prog.name, String(opts.ifname), [fd], { bpfLink: fd });
  } catch (e) {
    const w = e instanceof WhistlerError ? e : undefined;
    throw new AttachError(prog.name, `XDP on ${where}: ${w ? w.message.split("\n")[0] : String(e)}`, { hint: w?.hint, cause: e });
  }
}
