/** Port of reference-c/xdp_blocklist.bpf.c: drop IPv4 sources in an LPM-trie block list, counting hits. */
import { bpf, LpmTrieMap, u64 } from "../../index.js";

export const blocklist = new LpmTrieMap({ value: u64, maxEntries: 4096 });

export const xdp_blocklist = bpf`
  export function xdp_blocklist(ctx: Xdp): i32 {
    const data = ctx.data;
    if (data + 14 > ctx.data_end || ntohs(load_u16(data, 12)) != 0x0800) return XDP_PASS;
    if (data + 34 > ctx.data_end) return XDP_PASS;
    // struct lpm_key { prefixlen = 32, addr = ip->saddr } as one u64.
    const hits = ${blocklist}.lookup(((load_u32(data, 26) as u64) << 32) | 32);
    if (!hits) return XDP_PASS;
    atomic_add(hits[0], 1);
    return XDP_DROP;
  }
`;
