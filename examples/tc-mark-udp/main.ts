/**
 * tc-mark-udp: a tc ingress program sets skb->mark on IPv4 UDP packets to one watched port
 * (set from TypeScript through a map, changeable while it runs) and counts UDP packets per
 * destination port. Runs on a veth pair in its own network namespace, with a sender inside.
 *
 *   node examples/out/tc-mark-udp/main.js [--duration SECONDS] [--port PORT] [--mark MARK] [--json]
 */
import { ArrayMap, bpf, HashMap, load, u32, u64 } from "whistler-ts";
import { createVethPair } from "../common/veth.js";
import { note, parseTool, pc, printJson, runFor, table } from "../common/tool.js";

/** Slot 0: the watched destination port; slot 1: the mark to set. */
export const config = new ArrayMap({ value: u32, maxEntries: 2 });
export const udpPackets = new HashMap({ key: u32, value: u64, maxEntries: 1024 });
export const markedPackets = new HashMap({ key: u32, value: u64, maxEntries: 1024 });

export const tcMarkUdp = bpf`
  export function mark_udp(ctx: Tc): i32 {
    const data = ctx.data;
    if (data + 14 > ctx.data_end || ntohs(load_u16(data, 12)) != 0x0800) return 0;   // TC_ACT_OK
    if (data + 34 > ctx.data_end || load_u8(data, 23) != 17 || (load_u8(data, 14) & 0xf) != 5) return 0;
    if (data + 42 > ctx.data_end) return 0;
    const dport = ntohs(load_u16(data, 36));
    ${udpPackets}.increment(dport);
    const port = ${config}.lookup(0);
    const mark = ${config}.lookup(1);
    if (port && mark && dport == port[0]) {
      ctx.mark = mark[0];
      ${markedPackets}.increment(dport);
    }
    return 0;
  }
`;

const SENDER = (host: string, ports: readonly number[], count: number): string =>
  `const s=require("node:dgram").createSocket("udp4");const ports=${JSON.stringify(ports)};let i=0;` +
  `(function next(){if(i>=${count}*ports.length)return s.close();s.send(Buffer.from("whistler"),ports[i++%ports.length],"${host}",next);})();`;

async function main(): Promise<void> {
  const args = parseTool(process.argv.slice(2), {
    usage: "tc-mark-udp [--duration S] [--port PORT] [--mark MARK] [--json]", duration: 2,
    options: { port: "destination port whose packets get marked (default 5353)", mark: "the mark to set (default 42)" },
  });
  const port = Number(args.values.port ?? 5353);
  const mark = Number(args.values.mark ?? 42);
  using veth = createVethPair("tcm");
  await using obj = await load(tcMarkUdp);
  const cfg = obj.map(config);
  cfg.set(0, port);
  cfg.set(1, mark);
  obj.attachAll({ tc: { ifname: veth.hostIf, direction: "ingress" } });
  note(args.json, `tc ingress on ${veth.hostIf}: marking UDP to port ${port} with ${mark}; sending from netns ${veth.netns} for ${args.duration}s...`);
  const ports = [port, port + 1, 9999];
  const sending = runFor(args.duration);
  veth.exec(process.execPath, ["-e", SENDER(veth.hostAddr, ports, 20)]);
  const { elapsed } = await sending;
  const marked = obj.map(markedPackets);
  const rows = [...obj.map(udpPackets).entries()].sort((a, b) => a[0] - b[0]).map(([p, n]) => ({ port: p, packets: n, marked: marked.get(p) ?? 0n }));
  if (args.json) {
    printJson({ seconds: elapsed, interface: veth.hostIf, watchedPort: port, mark, ports: rows });
    return;
  }
  console.log("\n" + table(["PORT", "UDP PACKETS", "MARKED"], rows.map((r) => [String(r.port), String(r.packets), r.marked > 0n ? pc.green(String(r.marked)) : "0"]), [true, true, true]));
  const total = rows.reduce((a, r) => a + r.marked, 0n);
  console.log(pc.bold(`\n${total} packets marked ${mark} in ${elapsed.toFixed(1)}s.`));
}

await main();
