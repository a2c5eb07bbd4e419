/** Port of reference-c/xdp_proto_count.bpf.c: packets per IPv4 protocol in a per-CPU array. */
import { bpf, PerCpuArrayMap, u32, u64 } from "../../index.js";

export const proto_count = new PerCpuArrayMap({ key: u32, value: u64, maxEntries: 256 });

export const xdp_proto_count = bpf`
  export function xdp_proto_count(ctx: Xdp): i32 {
    const data = ctx.data;
    if (data + 14 > ctx.data_end) return XDP_PASS;           // Ethernet header
    if (ntohs(load_u16(data, 12)) != 0x0800) return XDP_PASS;
    if (data + 34 > ctx.data_end) return XDP_PASS;           // + IPv4 header
    const v = ${proto_count}.lookup(load_u8(data, 23));
    if (v) v[0] += 1;
    return XDP_PASS;
  }
`;
