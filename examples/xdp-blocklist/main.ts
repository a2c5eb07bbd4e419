/**
 * xdp-blocklist: drops IPv4 packets whose source address falls in a blocked CIDR, with XDP.
 * The CIDRs live in an LPM trie that this side updates while the program runs; each rule
 * counts the packets it dropped. Runs on a veth pair in its own network namespace: the peer
 * gets two source addresses and sends UDP from each to a receiver here, so what passed is
 * what really arrived. Halfway through, the rules change live (the first block is lifted,
 * the other source is blocked) and the counts show it.
 *
 *   node examples/out/xdp-blocklist/main.js [--duration SECONDS] [--block CIDR,...] [--json]
 */
import dgram from "node:dgram";
import { ArrayMap, bpf, LpmTrieMap, load, u64 } from "whistler-ts";
import { createVethPair, type VethPair } from "../common/veth.js";
import { note, parseTool, pc, printJson, runFor, table } from "../common/tool.js";

/** Blocked prefix -> packets it dropped. */
export const blocklist = new LpmTrieMap({ value: u64, maxEntries: 1024 });
/** Slot 0: IPv4 packets passed; slot 1: dropped. */
export const verdicts = new ArrayMap({ value: u64, maxEntries: 2 });

export const xdpBlocklist = bpf`
  export function xdp_blocklist(ctx: Xdp): i32 {
    const data = ctx.data;
    if (data + 34 > ctx.data_end) return XDP_PASS;           // Ethernet (14) + IPv4 (20)
    if (ntohs(load_u16(data, 12)) != 0x0800) return XDP_PASS;
    // The trie's key: prefix length 32 in the low half, the source address bytes in the high.
    const key = ((load_u32(data, 26) as u64) << 32) | 32;
    const hits = ${blocklist}.lookup(key);
    if (hits) {
      atomic_add(hits[0], 1);                        // several CPUs may drop for one rule at once
      ${verdicts}.increment(1);
      return XDP_DROP;
    }
    ${verdicts}.increment(0);
    return XDP_PASS;
  }
`;

const PORT = 7777;
const PER_SOURCE = 20;

/** Sends `count` UDP datagrams from `src` (an address of the peer) to the host end. */
function sendFrom(veth: VethPair, src: string, count: number): void {
  const code = `const s=require("node:dgram").createSocket("udp4");let i=0;` +
    `s.bind({address:${JSON.stringify(src)}},()=>{(function next(){if(i++>=${count})return s.close();s.send("whistler",${PORT},${JSON.stringify(veth.hostAddr)},next);})();});`;
  veth.exec(process.execPath, ["-e", code]);
}

/** The peer interface inside the namespace (the only veth there). */
function peerIf(veth: VethPair): string {
  const m = /^\d+: ([^:@]+)/m.exec(veth.exec("ip", ["-o", "link", "show", "type", "veth"]));
  if (!m) throw new Error(`no veth interface in netns ${veth.netns}`);
  return m[1]!;
}

function cidrs(list: string): string[] {
  return list.split(",").map((c) => c.trim()).filter((c) => c !== "");
}

async function main(): Promise<void> {
  const args = parseTool(process.argv.slice(2), {
    usage: "xdp-blocklist [--duration S] [--block CIDR,...] [--json]", duration: 2,
    options: { block: "CIDRs to block at start (default: the demo's second source, x.y.0.64/26)" },
  });
  using veth = createVethPair("xbl");
  const net = veth.peerAddr.replace(/\.\d+$/, "");
  const sources = [veth.peerAddr, `${net}.66`];
  veth.exec("ip", ["addr", "add", `${sources[1]}/24`, "dev", peerIf(veth)]);
  const initial = cidrs(args.values.block ?? `${net}.64/26`);
  // the live change halfway: lift the first rules, block the first source instead
  const later = { remove: initial, add: [`${sources[0]}/32`] };

  await using obj = await load(xdpBlocklist);
  const rules = obj.map(blocklist);
  for (const c of initial) rules.set(c, 0n);
  obj.attachAll({ xdp: { ifname: veth.hostIf, mode: "native" } });

  const received = new Map<string, number>();
  const sent = new Map<string, number>();
  const receiver = dgram.createSocket("udp4");
  receiver.on("message", (_msg, from) => received.set(from.address, (received.get(from.address) ?? 0) + 1));
  await new Promise<void>((resolve) => receiver.bind(PORT, veth.hostAddr, resolve));
  try {
    note(args.json, `XDP blocklist on ${veth.hostIf} (native), blocking ${initial.join(", ")}; sending UDP from ${sources.join(" and ")} in netns ${veth.netns} for ${args.duration}s... Hit Ctrl-C to end.`);
    const phases: { rules: string[]; dropped: Record<string, number> }[] = [];
    const round = async (): Promise<void> => {
      for (const src of sources) {
        sendFrom(veth, src, PER_SOURCE);
        sent.set(src, (sent.get(src) ?? 0) + PER_SOURCE);
      }
      await new Promise((r) => setTimeout(r, 100)); // let the receiver drain its socket
      phases.push({ rules: [...rules.keys()], dropped: Object.fromEntries([...rules.entries()].map(([k, v]) => [k, Number(v)])) });
    };
    const started = Date.now();
    let interrupted = false;
    const run = runFor(args.duration).then((r) => ((interrupted = r.stopped), r));
    await round();
    // the second round runs halfway through (or right after the first, on a short run) unless Ctrl-C came
    let halfway: NodeJS.Timeout | undefined;
    await Promise.race([run, new Promise((r) => (halfway = setTimeout(r, Math.max(0, started + (args.duration * 1000) / 2 - Date.now()))))]);
    clearTimeout(halfway); // a Ctrl-C before halfway must not leave the timer holding the process open
    if (!interrupted) {
      for (const c of later.remove) rules.delete(c);
      for (const c of later.add) rules.set(c, 0n);
      note(args.json, `Live update: unblocked ${later.remove.join(", ")}; blocked ${later.add.join(", ")}`);
      await round();
    }
    const { elapsed, stopped } = await run;
    const v = obj.map(verdicts);
    const passed = v.get(0) ?? 0n;
    const dropped = v.get(1) ?? 0n;
    const bySource = sources.map((s) => ({ source: s, sent: sent.get(s) ?? 0, received: received.get(s) ?? 0 }));
    if (args.json) {
      printJson({ seconds: elapsed, stopped, interface: veth.hostIf, passed, dropped, phases, sources: bySource });
      return;
    }
    for (const [i, p] of phases.entries()) {
      console.log(pc.bold(`\n${i === 0 ? "Before" : "After"} the live update`));
      console.log(table(["BLOCKED CIDR", "DROPPED"], Object.entries(p.dropped).map(([c, n]) => [c, n > 0 ? pc.red(String(n)) : "0"]), [false, true]));
    }
    console.log("\n" + table(["SOURCE", "SENT", "RECEIVED"], bySource.map((s) => [s.source, String(s.sent), String(s.received)]), [false, true, true]));
    console.log(pc.bold(`\n${passed} IPv4 packets passed, ${dropped} dropped in ${elapsed.toFixed(1)}s.`));
  } finally {
    receiver.close();
  }
}

await main();
