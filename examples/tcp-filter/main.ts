/**
 * tcp-filter: a socket filter that keeps only IPv4 TCP frames on a real packet socket, as
 * tcpdump's "tcp" filter does, but compiled from TypeScript. The program reads the frame
 * with skb_load_bytes, returns the frame's length for TCP (keep it whole) and 0 for anything
 * else (the socket never sees it), and counts what it saw per protocol. Runs on a veth pair
 * in its own network namespace with UDP and TCP traffic from inside; every frame the socket
 * receives is printed (addresses, ports, TCP flags, length).
 *
 *   node examples/out/tcp-filter/main.js [--duration SECONDS] [--ifname IF] [--json]
 */
import { fileURLToPath } from "node:url";
import { array, bpf, defstruct, HashMap, load, openPacketSocket, u32, u64, u8 } from "whistler-ts";
import { createVethPair } from "../common/veth.js";
import { note, parseTool, pc, printJson, runFor, table } from "../common/tool.js";

/** The first bytes of a frame: Ethernet (14) and the IPv4 header up to the protocol field. */
export const FrameHead = defstruct("frame_head", { bytes: array(u8, 24) });
/** IP protocol number -> frames the filter saw (256: not IPv4). */
export const seen = new HashMap({ key: u32, value: u64, maxEntries: 512 });

export const tcpFilter = bpf`
  export function tcp_only(ctx: SocketFilter): i32 {
    let h: ${FrameHead};
    if (skb_load_bytes(ctx, 0, h) != 0) {          // shorter than 24 bytes: not IPv4 TCP
      ${seen}.increment(256);
      return 0;
    }
    if (h.bytes[12] != 0x08 || h.bytes[13] != 0x00) {
      ${seen}.increment(256);
      return 0;
    }
    const proto = h.bytes[23];
    ${seen}.increment(proto);
    if (proto != 6) return 0;                          // drop: the socket never sees it
    return ctx.len as i32;                             // keep the whole frame
  }
`;

const PROTO_NAMES: Record<number, string> = { 1: "ICMP", 2: "IGMP", 6: "TCP", 17: "UDP", 58: "ICMPv6", 256: "non-IPv4" };
const TCP_FLAGS = ["FIN", "SYN", "RST", "PSH", "ACK", "URG"] as const;

interface TcpFrame {
  readonly src: string;
  readonly dst: string;
  readonly sport: number;
  readonly dport: number;
  readonly flags: string;
  readonly length: number;
  /** The frame's IP protocol: always 6 when the filter works. */
  readonly proto: number;
}

/** Addresses, ports and flags of an Ethernet + IPv4 + TCP frame. */
function decode(f: Uint8Array): TcpFrame {
  const v = new DataView(f.buffer, f.byteOffset, f.byteLength);
  const ip = (o: number): string => `${f[o]}.${f[o + 1]}.${f[o + 2]}.${f[o + 3]}`;
  const proto = f.length > 23 ? f[23]! : -1;
  const ihl = ((f[14] ?? 0) & 0xf) * 4;
  const t = 14 + ihl;
  if (proto !== 6 || f.length < t + 14) return { src: "?", dst: "?", sport: 0, dport: 0, flags: "", length: f.length, proto };
  const bits = f[t + 13]!;
  return {
    src: ip(26), dst: ip(30), sport: v.getUint16(t), dport: v.getUint16(t + 2),
    flags: TCP_FLAGS.filter((_, i) => (bits >> i) & 1).join("|"), length: f.length, proto,
  };
}

async function main(): Promise<void> {
  const args = parseTool(process.argv.slice(2), {
    usage: "tcp-filter [--duration S] [--ifname IF] [--json]", duration: 2,
    options: { ifname: "watch this interface instead of a demo veth pair with its own traffic" },
  });
  using veth = args.values.ifname === undefined ? createVethPair("tcf") : undefined;
  const ifname = args.values.ifname ?? veth!.hostIf;
  await using obj = await load(tcpFilter);
  using sock = openPacketSocket(ifname);
  obj.attachAll({ socket: sock.fd });
  // Frames that arrived between opening the socket and attaching the filter were queued
  // unfiltered (on a new veth, e.g. IPv6 neighbour discovery): drop them, as tcpdump does.
  sock.drain();
  note(args.json, `Socket filter on a packet socket bound to ${ifname}: keeping TCP only${veth ? `; sending UDP and TCP from netns ${veth.netns}` : ""} for ${args.duration}s... Hit Ctrl-C to end.`);
  const frames: TcpFrame[] = [];
  const line = (c: readonly string[]): string => `${c[0]!.padStart(21)}  ${c[1]!.padStart(21)}  ${c[2]!.padEnd(11)}  ${c[3]!.padStart(6)}`;
  if (!args.json) console.log(pc.bold(line(["SOURCE", "DESTINATION", "FLAGS", "LENGTH"])));
  const show = (f: TcpFrame): void => {
    frames.push(f);
    if (args.json) return;
    const flags = f.flags.includes("SYN") ? pc.green(f.flags.padEnd(11)) : f.flags.includes("RST") ? pc.red(f.flags.padEnd(11)) : f.flags;
    console.log(line([`${f.src}:${f.sport}`, `${f.dst}:${f.dport}`, flags, String(f.length)]));
  };
  let ended = false;
  const run = runFor(args.duration).then((r) => ((ended = true), r));
  if (veth) {
    const sender = fileURLToPath(new URL("../../common/send-packets.mjs", import.meta.url));
    veth.exec(process.execPath, [sender, veth.hostAddr, "5"]);
  }
  while (!ended) {
    for (const f of sock.drain()) show(decode(f));
    await new Promise((r) => setTimeout(r, 20));
  }
  for (const f of sock.drain()) show(decode(f));
  const { elapsed, stopped } = await run;
  const counts = [...obj.map(seen).entries()].sort((a, b) => a[0] - b[0]).map(([p, n]) => ({ proto: p, name: PROTO_NAMES[p] ?? String(p), seen: n, kept: p === 6 ? n : 0n }));
  const received = frames.length;
  const nonTcp = frames.filter((f) => f.proto !== 6).length;
  if (args.json) {
    printJson({ seconds: elapsed, stopped, interface: ifname, received, nonTcp, protocols: counts, frames: frames.slice(0, 1000) });
    return;
  }
  console.log("\n" + table(["PROTOCOL", "SEEN BY FILTER", "KEPT"], counts.map((c) => [c.name, String(c.seen), c.kept > 0n ? pc.green(String(c.kept)) : "0"]), [false, true, true]));
  console.log(pc.bold(`\n${received} frames reached the socket in ${elapsed.toFixed(1)}s, ${nonTcp === 0 ? "all TCP" : pc.red(`${nonTcp} not TCP`)}.`));
}

await main();
