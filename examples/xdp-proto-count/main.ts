/**
 * xdp-proto-count: counts packets per IP protocol with an XDP program. Creates its own
 * network namespace and veth pair, attaches the program natively to the host end, sends
 * real UDP and TCP packets from the namespace, prints the counts, and cleans up (also on
 * Ctrl-C).
 *
 *   node examples/out/xdp-proto-count/main.js [--duration SECONDS] [--interval SECONDS]
 */
import { fileURLToPath } from "node:url";
import { ArrayMap, bpf, u64, load } from "whistler-ts";
import { parseDurationArgs, onStop, sleepUnlessStopped } from "../common/args.js";
import { createVethPair } from "../common/veth.js";

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

async function main(): Promise<void> {
  const { duration, interval } = parseDurationArgs(process.argv.slice(2), { duration: 3, interval: 1 });
  const stop = onStop();
  using veth = createVethPair("xpc");
  await using obj = await load(xdpProtoCount);
  obj.attachAll({ xdp: { ifname: veth.hostIf, mode: "native" } });
  const counts = obj.map(protoCounts);
  const sender = fileURLToPath(new URL("../../common/send-packets.mjs", import.meta.url));
  console.log(`XDP attached (native) to ${veth.hostIf}; sending packets from netns ${veth.netns} for ${duration}s...`);
  const started = Date.now();
  while (!stop.stopped && Date.now() - started < duration * 1000) {
    veth.exec(process.execPath, [sender, veth.hostAddr, "5"]);
    await sleepUnlessStopped(interval * 1000, stop);
    const rows = [...counts.entries()].filter(([, n]) => n > 0n);
    console.log(`\n${"PROTO".padEnd(8)} ${"PACKETS".padStart(10)}`);
    for (const [proto, n] of rows) console.log(`${(PROTO_NAMES[proto] ?? String(proto)).padEnd(8)} ${String(n).padStart(10)}`);
  }
}

await main();
