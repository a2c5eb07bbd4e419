/** Port of reference-c/socket_tcp_filter.bpf.c: keep whole IPv4 TCP packets, drop the rest. */
import { bpf, defstruct, u16, u8 } from "../../index.js";

/** The buffers skb_load_bytes fills: the ethertype (network order) and the IP protocol. */
export const Ethertype = defstruct("ethertype_buf", { v: u16 });
export const IpProto = defstruct("ipproto_buf", { v: u8 });

export const socket_tcp_filter = bpf`
  export function tcp_only(ctx: SocketFilter): i32 {
    let proto: ${Ethertype};
    if (skb_load_bytes(ctx, 12, proto) < 0) return 0;
    if (proto.v != htons(0x0800)) return 0;
    let ipproto: ${IpProto};
    if (skb_load_bytes(ctx, 14 + 9, ipproto) < 0) return 0;
    return ipproto.v == 6 ? ctx.len as i32 : 0;       // IPPROTO_TCP: keep the whole packet
  }
`;
