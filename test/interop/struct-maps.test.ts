// Struct-typed map keys and values in the kernel: an XDP program counts packets per flow in a
// hash map keyed by a defstruct {saddr, daddr, proto} (increment with a stack struct key) and
// keeps per-flow stats in a map whose values are a defstruct (lookup -> field updates, update
// with a stack struct on a miss; atomics on its fields). TypeScript reads both maps back through the same defstructs.
import { expect, test } from "@jest/globals";
import { bpf, defstruct, u8, u32, u64, HashMap, load } from "../../index.js";
import { describeKernel } from "../helpers/kernel.js";
import { checkNoFdLeaks } from "../helpers/fds.js";
import { bpftool, scratch } from "./bpftool-util.js";

const FlowKey = defstruct("flow_key", { saddr: u32, daddr: u32, proto: u8 });
const FlowStats = defstruct("flow_stats", { packets: u64, bytes: u64, last_len: u32 });
const flowCounts = new HashMap({ key: FlowKey, value: u64, maxEntries: 64, name: "flow_counts" });
const flowStats = new HashMap({ key: FlowKey, value: FlowStats, maxEntries: 64, name: "flow_stats" });

const prog = bpf`
  export function flows(ctx: Xdp): i32 {
    const d = ctx.data;
    if (d + 34 > ctx.data_end) return XDP_PASS;
    let k: ${FlowKey};
    k.saddr = load_u32(d, 26);
    k.daddr = load_u32(d, 30);
    k.proto = load_u8(d, 23);
    ${flowCounts}.increment(k);
    const len = ntohs(load_u16(d, 16));
    const s = ${flowStats}.lookup(k);
    if (s) {
      atomic_add(s.packets, 1);
      atomic_fetch_add(s.bytes, len);
      s.last_len = len;
      return s.packets as i32;
    }
    let v: ${FlowStats};
    v.packets = 1;
    v.bytes = len;
    v.last_len = len;
    ${flowStats}.update(k, v);
    return 1;
  }
`;

/** The same program with its key and value written as object literals. */
const literalCounts = new HashMap({ key: FlowKey, value: u64, maxEntries: 64, name: "lit_counts" });
const literalStats = new HashMap({ key: FlowKey, value: FlowStats, maxEntries: 64, name: "lit_stats" });
const literalProg = bpf`
  export function flows_literal(ctx: Xdp): i32 {
    const d = ctx.data;
    if (d + 34 > ctx.data_end) return XDP_PASS;
    const saddr = load_u32(d, 26);
    const daddr = load_u32(d, 30);
    const proto = load_u8(d, 23);
    ${literalCounts}.increment({ saddr, daddr, proto });
    const len = ntohs(load_u16(d, 16));
    const s = ${literalStats}.lookup({ saddr, daddr, proto });
    if (s) {
      atomic_add(s.packets, 1);
      atomic_fetch_add(s.bytes, len);
      s.last_len = len;
      return s.packets as i32;
    }
    ${literalStats}.update({ saddr, daddr, proto }, { packets: 1, bytes: len, last_len: len });
    return 1;
  }
`;

/** An Ethernet + IPv4 header: addresses as written on the wire, protocol, total length. */
function packet(saddr: [number, number, number, number], daddr: [number, number, number, number], proto: number, totalLen: number): Uint8Array {
  const p = new Uint8Array(64);
  p[12] = 0x08; // EtherType IPv4
  p[14] = 0x45;
  p[16] = totalLen >> 8;
  p[17] = totalLen & 0xff;
  p[23] = proto;
  p.set(saddr, 26);
  p.set(daddr, 30);
  return p;
}

/** What load_u32 reads from four wire bytes on this (little-endian) machine. */
const le = (b: [number, number, number, number]): number => new DataView(new Uint8Array(b).buffer).getUint32(0, true);

describeKernel("struct-typed map keys and values in the kernel", () => {
  checkNoFdLeaks();

  test("XDP counts packets per {saddr, daddr, proto}; TS reads the maps with the same defstructs", async () => {
    await using obj = await load(prog);
    const p = obj.programs.get("flows")!;
    const a: [number, number, number, number] = [10, 0, 0, 1];
    const b: [number, number, number, number] = [10, 0, 0, 2];
    const sent = [
      packet(a, b, 6, 60), packet(a, b, 6, 1500), packet(a, b, 17, 100),
      packet(b, a, 6, 40), packet(a, b, 6, 52),
    ];
    const rets = sent.map((data) => p.testRun({ data }).retval);
    expect(rets).toEqual([1, 2, 1, 1, 3]);

    const counts = obj.map(flowCounts);
    const got = [...counts.entries()].map(([k, v]) => [k.saddr, k.daddr, k.proto, v]);
    got.sort((x, y) => Number(x[0]) - Number(y[0]) || Number(x[2]) - Number(y[2]));
    expect(got).toEqual([
      [le(a), le(b), 6, 3n],
      [le(a), le(b), 17, 1n],
      [le(b), le(a), 6, 1n],
    ].sort((x, y) => Number(x[0]) - Number(y[0]) || Number(x[2]) - Number(y[2])));
    expect(counts.get({ saddr: le(a), daddr: le(b), proto: 6 })).toBe(3n);

    const stats = obj.map(flowStats).get({ saddr: le(a), daddr: le(b), proto: 6 });
    expect(stats?.packets).toBe(3n);
    expect(stats?.bytes).toBe(60n + 1500n + 52n);
    expect(stats?.last_len).toBe(52);
    expect(obj.map(flowStats).get({ saddr: le(b), daddr: le(a), proto: 6 })?.bytes).toBe(40n);
  });

  test("the same with the keys and value written as object literals: the same returns and maps", async () => {
    await using obj = await load(literalProg);
    const p = obj.programs.get("flows_literal")!;
    const a: [number, number, number, number] = [10, 0, 0, 1];
    const b: [number, number, number, number] = [10, 0, 0, 2];
    const sent = [packet(a, b, 6, 60), packet(a, b, 6, 1500), packet(a, b, 17, 100), packet(b, a, 6, 40), packet(a, b, 6, 52)];
    expect(sent.map((data) => p.testRun({ data }).retval)).toEqual([1, 2, 1, 1, 3]);
    expect(obj.map(literalCounts).get({ saddr: le(a), daddr: le(b), proto: 6 })).toBe(3n);
    expect(obj.map(literalStats).get({ saddr: le(a), daddr: le(b), proto: 6 })).toEqual({ packets: 3n, bytes: 60n + 1500n + 52n, last_len: 52 });
    expect(obj.map(literalStats).get({ saddr: le(b), daddr: le(a), proto: 6 })?.bytes).toBe(40n);
  });

  test("the map's BTF names the struct fields: bpftool prints entries field by field", async () => {
    const s = scratch("struct-maps");
    try {
      await using obj = await load(prog, { pinMaps: s.pinDir });
      obj.programs.get("flows")!.testRun({ data: packet([192, 168, 1, 1], [192, 168, 1, 2], 17, 300) });
      const dump = JSON.parse(bpftool(["-j", "map", "dump", "pinned", `${s.pinDir}/flow_stats`])) as { formatted?: { key: unknown; value: unknown } }[];
      const entries = dump.map((e) => e.formatted ?? e);
      expect(entries).toEqual([{
        key: { saddr: le([192, 168, 1, 1]), daddr: le([192, 168, 1, 2]), proto: 17 },
        value: { packets: 1, bytes: 300, last_len: 300 },
      }]);
    } finally {
      s.cleanup();
    }
  });
});
