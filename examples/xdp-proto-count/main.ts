/**
 * xdp-proto-count: counts packets per IP protocol with an XDP program. Creates its own
 * network namespace and veth pair, attaches the program natively to the host end, sends
 * real UDP and TCP packets from the namespace every interval, prints the counts, and cleans
 * up (also on Ctrl-C).
 *
 *   node examples/out/xdp-proto-count/main.js [--duration SECONDS] [--interval SECONDS] [--json]
 */
import { fileURLToPath } from "node:url";
import { ArrayMap, bpf, u64, load } from "whistler-ts";
import { createVethPair } from "../common/veth.js";
import { bar, note, parseTool, pc, printJson, runFor, table } from "../common/tool.js";

export const protoCounts = new ArrayMap({ value: u64, maxEntries: 256 });

export const xdpProtoCount = bpf`
  export function xdp_proto_count(ctx: Xdp): i32 {
    const data = ctx.data;
    const end = ctx.data_end;
    if (data + 34 > end) return XDP_PASS;          // Ethernet (14) + minimal IPv4 (20)
    if (ntohs(load_u16(data, 12)) != 0x0800) return XDP_PASS;
    const proto = load_u8(data, 23);
    ${protoCounts}.increment(proto);
    return XDP_PASS;
  }
`;

const PROTO_NAMES: Record<number, string> = { 1: "ICMP", 2: "IGMP", 6: "TCP", 17: "UDP", 58: "ICMPv6" };
/** Each round, send-packets.mjs sends this many UDP datagrams and TCP connection attempts. */
const PER_ROUND = 5;

async function main(): Promise<void> {
  const args = parseTool(process.argv.slice(2), {
    usage: "xdp-proto-count [--duration S] [--interval S] [--json]", duration: 3,
    options: { interval: "send a round of packets and print the counts this often (default 1 second)" },
  });
  const interval = args.values.interval === undefined ? 1 : Number(args.values.interval);
  if (!Number.isFinite(interval) || interval <= 0) throw new Error(`--interval needs a positive number of seconds, got "${args.values.interval}"`);
  using veth = createVethPair("xpc");
  await using obj = await load(xdpProtoCount);
  obj.attachAll({ xdp: { ifname: veth.hostIf, mode: "native" } });
  const counts = obj.map(protoCounts);
  const sender = fileURLToPath(new URL("../../common/send-packets.mjs", import.meta.url));
  note(args.json, `XDP attached (native) to ${veth.hostIf}; sending packets from netns ${veth.netns} for ${args.duration}s... Hit Ctrl-C to end.`);
  const rows = (): { proto: number; name: string; packets: bigint }[] =>
    [...counts.entries()].filter(([, n]) => n > 0n).map(([p, n]) => ({ proto: p, name: PROTO_NAMES[p] ?? String(p), packets: n }));
  const print = (r: ReturnType<typeof rows>): void => {
    const max = r.reduce((m, x) => (x.packets > m ? x.packets : m), 0n);
    console.log(table(["PROTO", "PACKETS", ""], r.map((x) => [x.name, String(x.packets), pc.cyan(bar(x.packets, max, 30))]), [false, true, false]));
  };
  let rounds = 0;
  let ended = false;
  const run = runFor(args.duration).then((r) => ((ended = true), r));
  // waits `ms` or until the run ends, leaving no timer behind to hold the process open
  const pause = async (ms: number): Promise<void> => {
    let t: NodeJS.Timeout | undefined;
    await Promise.race([run, new Promise((r) => (t = setTimeout(r, ms)))]).finally(() => clearTimeout(t));
  };
  while (!ended) {
    veth.exec(process.execPath, [sender, veth.hostAddr, String(PER_ROUND)]);
    rounds++;
    await pause(interval * 1000);
    if (ended || args.json) continue;
    console.log(pc.dim(`\n[round ${rounds}]`));
    print(rows());
  }
  const { elapsed, stopped } = await run;
  const final = rows();
  const total = final.reduce((a, x) => a + x.packets, 0n);
  if (args.json) {
    printJson({ seconds: elapsed, stopped, interface: veth.hostIf, rounds, sentPerRound: { udp: PER_ROUND, tcpConnects: PER_ROUND }, total, protocols: final });
    return;
  }
  console.log(pc.bold(`\nAfter ${rounds} rounds`));
  print(final);
  console.log(pc.bold(`\n${total} IPv4 packets in ${elapsed.toFixed(1)}s on ${veth.hostIf}.`));
}

await main();
