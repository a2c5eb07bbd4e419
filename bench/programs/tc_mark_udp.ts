/** Port of reference-c/tc_mark_udp.bpf.c: mark IPv4 UDP packets to the watched destination port. */
import { ArrayMap, bpf, u32 } from "../../index.js";

export const watched_port = new ArrayMap({ key: u32, value: u32, maxEntries: 1 });

export const tc_mark_udp = bpf`
  export function mark_udp(ctx: Tc): i32 {
    const data = ctx.data;
    if (data + 14 > ctx.data_end || ntohs(load_u16(data, 12)) != 0x0800) return 0;   // TC_ACT_OK
    if (data + 34 > ctx.data_end || load_u8(data, 23) != 17 || (load_u8(data, 14) & 0xf) != 5) return 0;
    if (data + 42 > ctx.data_end) return 0;
    const port = ${watched_port}.lookup(0);
    if (port && ntohs(load_u16(data, 36)) == port[0]) ctx.mark = 0x2a;
    return 0;
  }
`;
