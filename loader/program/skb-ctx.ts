/**
 * struct __sk_buff as BPF_PROG_TEST_RUN takes and returns it for skb programs (tc, socket
 * filter, cgroup_skb): the fields the kernel lets a test set, at their uapi offsets. Every
 * other byte must be zero or the kernel answers EINVAL.
 */
export const SKB_CTX_SIZE = 192;

/** Offsets in struct __sk_buff (include/uapi/linux/bpf.h). */
const OFF = {
  mark: 8, priority: 32, ingressIfindex: 36, ifindex: 40, cb: 48,
  tstamp: 152, wireLen: 160, gsoSegs: 164, gsoSize: 176, hwtstamp: 184,
} as const;

export interface SkbContext {
  mark?: number;
  priority?: number;
  ingressIfindex?: number;
  ifindex?: number;
  /** skb->cb[0..4] */
  cb?: readonly number[];
  tstamp?: bigint;
  wireLen?: number;
  gsoSegs?: number;
  gsoSize?: number;
  hwtstamp?: bigint;
}

/** What the kernel hands back: the same fields, after the program ran. */
export interface SkbContextOut extends Required<Omit<SkbContext, "cb">> {
  cb: number[];
}

export function encodeSkbContext(c: SkbContext = {}): Uint8Array {
  const b = new Uint8Array(SKB_CTX_SIZE);
  const v = new DataView(b.buffer);
  v.setUint32(OFF.mark, c.mark ?? 0, true);
  v.setUint32(OFF.priority, c.priority ?? 0, true);
  v.setUint32(OFF.ingressIfindex, c.ingressIfindex ?? 0, true);
  v.setUint32(OFF.ifindex, c.ifindex ?? 0, true);
  (c.cb ?? []).slice(0, 5).forEach((x, i) => v.setUint32(OFF.cb + 4 * i, x, true));
  v.setBigUint64(OFF.tstamp, c.tstamp ?? 0n, true);
  v.setUint32(OFF.wireLen, c.wireLen ?? 0, true);
  v.setUint32(OFF.gsoSegs, c.gsoSegs ?? 0, true);
  v.setUint32(OFF.gsoSize, c.gsoSize ?? 0, true);
  v.setBigUint64(OFF.hwtstamp, c.hwtstamp ?? 0n, true);
  return b;
}

export function decodeSkbContext(b: Uint8Array): SkbContextOut {
  const full = new Uint8Array(SKB_CTX_SIZE);
  full.set(b.subarray(0, SKB_CTX_SIZE));
  const v = new DataView(full.buffer);
  return {
    mark: v.getUint32(OFF.mark, true),
    priority: v.getUint32(OFF.priority, true),
    ingressIfindex: v.getUint32(OFF.ingressIfindex, true),
    ifindex: v.getUint32(OFF.ifindex, true),
    cb: [0, 1, 2, 3, 4].map((i) => v.getUint32(OFF.cb + 4 * i, true)),
    tstamp: v.getBigUint64(OFF.tstamp, true),
    wireLen: v.getUint32(OFF.wireLen, true),
    gsoSegs: v.getUint32(OFF.gsoSegs, true),
    gsoSize: v.getUint32(OFF.gsoSize, true),
    hwtstamp: v.getBigUint64(OFF.hwtstamp, true),
  };
}
