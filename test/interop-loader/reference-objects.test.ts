/**
 * Every reference C program (../shared/reference-c), as clang builds it, loaded unchanged by our
 * loader and run in the kernel (test-run), or attached and triggered.
 */
import { expect, test } from "@jest/globals";
import { readFileSync } from "node:fs";
import { load, parseObject } from "../../loader/index.js";
import { checkNoFdLeaks } from "../helpers/fds.js";
import { describeKernel } from "../helpers/kernel.js";
import { fixture } from "../loader/fixtures.js";
import { frame } from "./packets.js";

const REFERENCE = [
  "cgroup_egress_bytes", "count_opens", "opensnoop", "raw_tp_switch_count", "read_latency_hist",
  "socket_tcp_filter", "tc_mark_udp", "uprobe_malloc_sizes", "xdp_blocklist", "xdp_proto_count",
];

const XDP_PASS = 2;
const XDP_DROP = 1;
const TC_ACT_OK = 0;

describeKernel("reference C programs (clang objects) load and run", () => {
  checkNoFdLeaks();

  test.each(REFERENCE)("%s: parses, loads, passes the verifier", async (name) => {
    const spec = parseObject(fixture(`${name}.bpf.o`));
    expect(spec.programs.length).toBeGreaterThan(0);
    await using obj = await load(fixture(`${name}.bpf.o`));
    for (const p of obj.programs.values()) {
      const info = p.info();
      expect(info.id).toBeGreaterThan(0);
      expect(info.verifiedInsns).toBeGreaterThan(0);
    }
    // every clang object carries complete func/line info, which the kernel accepted
    for (const p of spec.programs) expect(p.debugInfo?.funcInfoCount).toBeGreaterThan(0);
  });

  test("xdp_blocklist: drops a blocked source and counts the hit (LPM trie key)", async () => {
    await using obj = await load(fixture("xdp_blocklist.bpf.o"));
    const prog = obj.program("xdp_blocklist");
    const blocklist = obj.map("blocklist");
    const key = new Uint8Array([24, 0, 0, 0, 10, 0, 0, 0]); // 10.0.0.0/24
    blocklist.set(key as never, 0n as never);
    expect(prog.testRun({ data: frame({ saddr: [10, 0, 0, 7] }) }).retval).toBe(XDP_DROP);
    expect(prog.testRun({ data: frame({ saddr: [10, 0, 1, 7] }) }).retval).toBe(XDP_PASS);
    expect(blocklist.get(key as never)).toBe(1n);
  });

  test("socket_tcp_filter: keeps whole TCP packets, drops the rest", async () => {
    await using obj = await load(fixture("socket_tcp_filter.bpf.o"));
    const prog = obj.program("tcp_only");
    // A socket filter's test run consumes the first 14 bytes as the Ethernet header and starts
    // skb->data at what follows, where this program expects an Ethernet header again: put its
    // ethertype at offset 12 and its "IP protocol" at 14 + 9 after that.
    const packet = (ethertype: number, proto: number): Uint8Array => {
      const d = new Uint8Array(14 + 64);
      d[12] = 0x08;
      d.set([ethertype >> 8, ethertype & 0xff], 14 + 12);
      d[14 + 23] = proto;
      return d;
    };
    expect(prog.testRun({ data: packet(0x0800, 6) }).retval).toBe(64);
    expect(prog.testRun({ data: packet(0x0800, 17) }).retval).toBe(0);
    expect(prog.testRun({ data: packet(0x86dd, 6) }).retval).toBe(0);
  });

  test("tc_mark_udp: marks UDP to the watched port", async () => {
    await using obj = await load(fixture("tc_mark_udp.bpf.o"));
    const prog = obj.program("mark_udp");
    obj.map("watched_port").set(0 as never, 53 as never);
    const hit = prog.testRun({ data: frame({ proto: 17, dport: 53 }), skb: {} });
    expect(hit.retval).toBe(TC_ACT_OK);
    expect(hit.skb?.mark).toBe(0x2a);
    expect(prog.testRun({ data: frame({ proto: 17, dport: 54 }), skb: {} }).skb?.mark).toBe(0);
  });

  test("cgroup_egress_bytes: counts bytes and packets", async () => {
    await using obj = await load(fixture("cgroup_egress_bytes.bpf.o"));
    const prog = obj.program("egress_bytes");
    // cgroup_skb test runs see the packet from the IP header on (the Ethernet header is stripped)
    for (let i = 0; i < 3; i++) expect(prog.testRun({ data: frame({ length: 100 }) }).retval).toBe(1);
    const totals = obj.map("totals");
    expect(totals.get(1 as never)).toBe(3n);
    expect(Number(totals.get(0 as never))).toBeGreaterThanOrEqual(3 * (100 - 14));
  });

  test("read_latency_hist: both tracepoints attached; reads land in the histogram", async () => {
    await using obj = await load(fixture("read_latency_hist.bpf.o"));
    obj.attachAll();
    for (let i = 0; i < 20; i++) readFileSync("/proc/self/stat");
    let total = 0n;
    const hist = obj.map("hist");
    for (let slot = 0; slot < 32; slot++) total += hist.get(slot as never) as bigint;
    expect(total).toBeGreaterThanOrEqual(20n);
  });

  test("opensnoop: the ring buffer map is created and the tracepoint attaches", async () => {
    await using obj = await load(fixture("opensnoop.bpf.o"));
    expect(obj.mapNames).toEqual(["events"]);
    const links = obj.attachAll();
    expect(links).toHaveLength(1);
    readFileSync("/proc/self/stat");
  });

  test("map handles on clang objects read BTF key/value types", async () => {
    await using obj = await load(fixture("count_opens.bpf.o"));
    const counts = obj.map("counts");
    counts.set(7 as never, 9n as never);
    expect(counts.get(7 as never)).toBe(9n);
    expect(counts.info.keySize).toBe(4);
  });
});
