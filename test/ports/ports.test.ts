// The benchmark ports (bench/programs/*.ts) behave like the reference C programs: each port
// is built like `whistler build` does, loaded beside clang's object of the same C program,
// and both get the same inputs (test runs, or the same events while both are attached);
// return values, context changes and map contents must agree.
import { beforeAll, expect, test } from "@jest/globals";
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { load, type BpfObject } from "../../loader/index.js";
import { compileTemplate } from "../../transformer/compile.js";
import { objectInsns, portSources } from "../../bench/insns.js";
import { checkNoFdLeaks } from "../helpers/fds.js";
import { describeKernel } from "../helpers/kernel.js";
import { fixture } from "../loader/fixtures.js";
import { frame } from "../interop-loader/packets.js";

const PORTS = path.resolve("bench/programs");

const NAMES = [
  "xdp_proto_count", "tc_mark_udp", "cgroup_egress_bytes", "raw_tp_switch_count", "count_opens", "read_latency_hist",
  "socket_tcp_filter", "xdp_blocklist", "opensnoop", "uprobe_malloc_sizes",
];
const objects = new Map<string, Uint8Array>();

/** The port's object: its exported template named like the file, compiled as `whistler build` does. */
function port(name: string): Uint8Array {
  const elf = objects.get(name);
  if (!elf) throw new Error(`no port ${name}`);
  return elf;
}

/** Both objects of a program: ours first, then clang's. */
async function both(name: string): Promise<[BpfObject, BpfObject]> {
  return [await load(port(name)), await load(fixture(`${name}.bpf.o`))];
}

/** Sum over CPUs of a per-CPU value read by name (handles give one value per CPU). */
function total(v: unknown): bigint {
  return Array.isArray(v) ? v.reduce((s: bigint, x) => s + BigInt(x as bigint), 0n) : BigInt(v as bigint);
}

/** Packets that take every path of the packet programs: short (the kernel wants 14 bytes at least), not IPv4, other protocols, UDP ports. */
function packets(): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const length of [14, 20, 33, 34, 40, 41, 42, 64]) out.push(frame().slice(0, length), frame({ ethertype: 0x0801 }).slice(0, length));
  for (const ethertype of [0x0800, 0x86dd, 0x0806, 0x0008]) out.push(frame({ ethertype }));
  for (const proto of [1, 6, 17, 47, 132, 255]) for (const dport of [53, 54, 80]) out.push(frame({ proto, dport }));
  const ihl6 = frame({ proto: 17, dport: 53 });
  ihl6[14] = 0x46;
  out.push(ihl6);
  return out;
}

describeKernel("benchmark ports behave like the reference C programs", () => {
  checkNoFdLeaks();
  beforeAll(() => {
    // One TypeScript program over every port (template discovery needs the type checker).
    for (const [name, src] of portSources(NAMES.map((n) => path.join(PORTS, `${n}.ts`)))) {
      const r = compileTemplate(src);
      if (!r.elf) throw new Error(`${name}.ts: ${r.diagnostics.map((d) => `${d.code} ${d.message}`).join("; ")}`);
      objects.set(name, r.elf);
    }
  });

  test("xdp_proto_count: same verdicts and per-protocol counts", async () => {
    const [ours, clang] = await both("xdp_proto_count");
    using _o = ours;
    using _c = clang;
    for (const pkt of packets()) {
      expect(ours.program("xdp_proto_count").testRun({ data: pkt }).retval).toBe(clang.program("xdp_proto_count").testRun({ data: pkt }).retval);
    }
    for (const proto of [1, 6, 17, 47, 132, 255, 0]) {
      expect(total(ours.map("proto_count").get(proto as never))).toBe(total(clang.map("proto_count").get(proto as never)));
    }
    expect(total(ours.map("proto_count").get(17 as never))).toBe(10n);
  });

  test("tc_mark_udp: same verdicts and marks for every packet", async () => {
    const [ours, clang] = await both("tc_mark_udp");
    using _o = ours;
    using _c = clang;
    for (const o of [ours, clang]) o.map("watched_port").set(0 as never, 53 as never);
    let marked = 0;
    for (const pkt of packets()) {
      // skb test runs parse the IPv4 header: the kernel refuses truncated ones (EINVAL).
      if (pkt.length < 34 && pkt[12] === 0x08) continue;
      const a = ours.program("mark_udp").testRun({ data: pkt, skb: {} });
      const b = clang.program("mark_udp").testRun({ data: pkt, skb: {} });
      expect([a.retval, a.skb?.mark]).toEqual([b.retval, b.skb?.mark]);
      if (a.skb?.mark === 0x2a) marked++;
    }
    expect(marked).toBe(1);
  });

  test("cgroup_egress_bytes: same verdicts, bytes and packets", async () => {
    const [ours, clang] = await both("cgroup_egress_bytes");
    using _o = ours;
    using _c = clang;
    for (const length of [64, 100, 1500]) {
      expect(ours.program("egress_bytes").testRun({ data: frame({ length }) }).retval).toBe(clang.program("egress_bytes").testRun({ data: frame({ length }) }).retval);
    }
    for (const k of [0, 1]) expect(ours.map("totals").get(k as never)).toBe(clang.map("totals").get(k as never));
    expect(ours.map("totals").get(1 as never)).toBe(3n);
  });

  test("raw_tp_switch_count: same per-CPU count after the same test runs", async () => {
    const [ours, clang] = await both("raw_tp_switch_count");
    using _o = ours;
    using _c = clang;
    for (let i = 0; i < 5; i++) {
      for (const o of [ours, clang]) expect(o.program("count_switch").testRun({ args: [0n, 0n, 0n], cpu: 0 }).retval).toBe(0);
    }
    expect(total(ours.map("switches").get(0 as never))).toBe(5n);
    expect(total(clang.map("switches").get(0 as never))).toBe(5n);
  });

  test("count_opens: both count the same openat() calls of a child process", async () => {
    const [ours, clang] = await both("count_opens");
    using _o = ours;
    using _c = clang;
    ours.attachAll();
    clang.attachAll();
    const child = spawnSync("sh", ["-c", "for i in 1 2 3 4 5 6 7 8; do : < /proc/self/stat; done; echo $$"], { encoding: "utf8" });
    const pid = Number(child.stdout.trim());
    const a = ours.map("counts").get(pid as never) as bigint | undefined;
    const b = clang.map("counts").get(pid as never) as bigint | undefined;
    expect(a).toBeGreaterThanOrEqual(8n);
    expect(a).toBe(b);
  });

  test("read_latency_hist: both histograms see the reads of a child process", async () => {
    const [ours, clang] = await both("read_latency_hist");
    using _o = ours;
    using _c = clang;
    ours.attachAll();
    clang.attachAll();
    spawnSync("dd", ["if=/dev/zero", "of=/dev/null", "bs=1", "count=300"], { stdio: "ignore" });
    const sum = (o: BpfObject) => {
      let s = 0n;
      for (let slot = 0; slot < 32; slot++) s += o.map("hist").get(slot as never) as bigint;
      return s;
    };
    // Other processes read too, and the two attach at slightly different times: both saw
    // at least the child's 300 reads, and the same order of magnitude of reads overall.
    const a = sum(ours), b = sum(clang);
    expect(a).toBeGreaterThanOrEqual(300n);
    expect(b).toBeGreaterThanOrEqual(300n);
    expect(Number(a > b ? a - b : b - a)).toBeLessThan(Number(a > b ? a : b) / 2);
  });

  test("socket_tcp_filter: same verdicts (kept length or 0) for every packet", async () => {
    const [ours, clang] = await both("socket_tcp_filter");
    using _o = ours;
    using _c = clang;
    // A socket filter's test run starts skb->data after a 14-byte Ethernet header, where
    // this program expects another Ethernet header (see the reference object test).
    const inner = (pkt: Uint8Array) => {
      const d = new Uint8Array(14 + pkt.length);
      d[12] = 0x08;
      d.set(pkt, 14);
      return d;
    };
    let kept = 0;
    for (const pkt of packets()) {
      // The outer header says IPv4, so the kernel parses 20 bytes of IP header (EINVAL if short).
      if (pkt.length < 20) continue;
      const a = ours.program("tcp_only").testRun({ data: inner(pkt) }).retval;
      expect(a).toBe(clang.program("tcp_only").testRun({ data: inner(pkt) }).retval);
      if (a !== 0) kept++;
    }
    expect(kept).toBe(3);
  });

  test("xdp_blocklist: same verdicts and hit counts per prefix", async () => {
    const [ours, clang] = await both("xdp_blocklist");
    using _o = ours;
    using _c = clang;
    // 10.0.0.0/24: clang's BTF key is struct lpm_key (bytes), ours one u64 (prefixlen low, address high).
    const bytes = new Uint8Array([24, 0, 0, 0, 10, 0, 0, 0]);
    const key = (o: BpfObject) => (o === ours ? new DataView(bytes.buffer).getBigUint64(0, true) : bytes) as never;
    for (const o of [ours, clang]) o.map("blocklist").set(key(o), 0n as never);
    for (const saddr of [[10, 0, 0, 7], [10, 0, 1, 7], [10, 0, 0, 200], [192, 168, 0, 1]] as const) {
      for (const pkt of [frame({ saddr }), frame({ saddr, ethertype: 0x86dd }), frame({ saddr }).slice(0, 30)]) {
        expect(ours.program("xdp_blocklist").testRun({ data: pkt }).retval).toBe(clang.program("xdp_blocklist").testRun({ data: pkt }).retval);
      }
    }
    expect(ours.map("blocklist").get(key(ours))).toBe(clang.map("blocklist").get(key(clang)));
    expect(ours.map("blocklist").get(key(ours))).toBe(2n);
  });

  test("every port stays within the benchmark's bars against clang: instructions <= 1.15x, verifier-processed <= 1.1x", async () => {
    const verified = async (elf: Uint8Array) => {
      await using obj = await load(elf);
      let n = 0;
      for (const p of obj.programs.values()) n += p.info().verifiedInsns;
      return n;
    };
    const over: string[] = [];
    for (const name of NAMES) {
      const [ours, clang] = [await verified(port(name)), await verified(fixture(`${name}.bpf.o`))];
      if (ours > clang * 1.1) over.push(`${name}: verified ${ours} vs clang ${clang}`);
      const [oi, ci] = [objectInsns(port(name)), objectInsns(fixture(`${name}.bpf.o`))];
      if (oi > ci * 1.15) over.push(`${name}: ${oi} insns vs clang ${ci}`);
    }
    expect(over).toEqual([]);
  });

  test("uprobe_malloc_sizes: both count the same malloc calls and bytes of a child process", async () => {
    const [ours, clang] = await both("uprobe_malloc_sizes");
    using _o = ours;
    using _c = clang;
    const target = "/lib/x86_64-linux-gnu/libc.so.6:malloc";
    using _lo = ours.program("malloc_enter").attach({ target });
    using _lc = clang.program("malloc_enter").attach({ target });
    // exec keeps the shell's pid: ls's mallocs count under the pid it printed.
    const child = spawnSync("sh", ["-c", "echo $$; exec ls -l / > /dev/null"], { encoding: "utf8" });
    const pid = Number(child.stdout.trim());
    const stats = (o: BpfObject) => {
      const v = o.map("malloc_stats").get(pid as never) as Uint8Array | undefined;
      if (!v) return undefined;
      const dv = new DataView(v.buffer, v.byteOffset, v.byteLength);
      return { calls: dv.getBigUint64(0, true), bytes: dv.getBigUint64(8, true) };
    };
    const a = stats(ours);
    expect(a?.calls).toBeGreaterThan(10n);
    expect(a?.bytes).toBeGreaterThan(a!.calls);
    expect(a).toEqual(stats(clang));
  });

  test("opensnoop and uprobe_malloc_sizes: load and pass the verifier like clang's objects", async () => {
    for (const name of ["opensnoop", "uprobe_malloc_sizes"]) {
      const [ours, clang] = await both(name);
      using _o = ours;
      using _c = clang;
      expect([...ours.programs.keys()]).toEqual([...clang.programs.keys()]);
      expect(ours.mapNames).toEqual(clang.mapNames);
    }
  });
});
