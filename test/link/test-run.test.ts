import { expect, test } from "@jest/globals";
import { load } from "../../loader/index.js";
import { decodeSkbContext, encodeSkbContext, SKB_CTX_SIZE } from "../../loader/program/index.js";
import { WhistlerError } from "../../runtime/errors.js";
import { possibleCpus } from "../../runtime/sys/index.js";
import { checkNoFdLeaks } from "../helpers/fds.js";
import { describeKernel } from "../helpers/kernel.js";
import { fixture } from "../loader/fixtures.js";

const TC_ACT_OK = 0;
const XDP_PASS = 2;

/** Ethernet + IPv4 + UDP/TCP headers + payload; `len` is the whole frame. */
function frame(proto: 6 | 17, dport: number, payload = 16): Uint8Array {
  const f = new Uint8Array(14 + 20 + (proto === 6 ? 20 : 8) + payload);
  const v = new DataView(f.buffer);
  f.set([0x02, 0, 0, 0, 0, 1, 0x02, 0, 0, 0, 0, 2], 0);
  v.setUint16(12, 0x0800);
  f[14] = 0x45;
  v.setUint16(16, f.length - 14);
  f[22] = 64;
  f[23] = proto;
  f.set([10, 0, 0, 1, 10, 0, 0, 2], 26);
  v.setUint16(34, 12345);
  v.setUint16(36, dport);
  if (proto === 17) v.setUint16(38, 8 + payload);
  else f[46] = 0x50; // TCP data offset 5
  return f;
}

test("__sk_buff context bytes: the fields a test may set, at their offsets", () => {
  const b = encodeSkbContext({ mark: 7, priority: 3, ifindex: 1, cb: [1, 2, 3, 4, 5], tstamp: 9n });
  expect(b.length).toBe(SKB_CTX_SIZE);
  const v = new DataView(b.buffer);
  expect(v.getUint32(8, true)).toBe(7);
  expect(v.getUint32(32, true)).toBe(3);
  expect(v.getUint32(48 + 16, true)).toBe(5);
  expect(v.getBigUint64(152, true)).toBe(9n);
  expect(decodeSkbContext(b)).toMatchObject({ mark: 7, priority: 3, ifindex: 1, cb: [1, 2, 3, 4, 5], tstamp: 9n });
});

describeKernel("BPF_PROG_TEST_RUN for every kind the kernel runs", () => {
  checkNoFdLeaks();

  test("XDP: retval, output packet, average duration over repeats", async () => {
    await using obj = await load(fixture("xdp_proto_count.bpf.o"));
    const r = obj.program("xdp_proto_count").testRun({ data: frame(17, 53), repeat: 1000 });
    expect(r.retval).toBe(XDP_PASS);
    expect(r.data).toEqual(frame(17, 53));
    expect(r.durationNs).toBeGreaterThan(0);
    expect(r.durationNs).toBeLessThan(100_000);
  });

  test("tc (sched_cls) with an __sk_buff: tc_mark_udp sets the mark only on the watched port", async () => {
    await using obj = await load(fixture("tc_mark_udp.bpf.o"));
    obj.map<number, number>("watched_port").set(0, 9999);
    const prog = obj.program("mark_udp");
    const hit = prog.testRun({ data: frame(17, 9999), skb: { mark: 1, priority: 5 } });
    expect(hit.retval).toBe(TC_ACT_OK);
    expect(hit.skb).toMatchObject({ mark: 0x2a, priority: 5 });
    const miss = prog.testRun({ data: frame(17, 9998), skb: { mark: 1 } });
    expect(miss.skb?.mark).toBe(1);
    expect(prog.testRun({ data: frame(6, 9999), skb: {} }).skb?.mark).toBe(0);
  });

  test("socket filter: bytes kept for TCP, 0 for UDP", async () => {
    await using obj = await load(fixture("socket_tcp_filter.bpf.o"));
    const prog = obj.program("tcp_only");
    // The kernel strips a 14-byte link header before non-tc skb programs run; a packet socket's
    // filter sees the Ethernet header, so give it one to strip in front of the frame.
    const asSeenByPacketSocket = (f: Uint8Array): Uint8Array => {
      const out = new Uint8Array(14 + f.length);
      out.set(f.subarray(0, 14), 0);
      out.set(f, 14);
      return out;
    };
    expect(prog.testRun({ data: asSeenByPacketSocket(frame(6, 80)) }).retval).toBe(frame(6, 80).length);
    expect(prog.testRun({ data: asSeenByPacketSocket(frame(17, 80)) }).retval).toBe(0);
    // Without it the program reads the IP header where it expects Ethernet: dropped.
    expect(prog.testRun({ data: frame(6, 80) }).retval).toBe(0);
  });

  test("cgroup_skb: the program sees the packet from the IP header on", async () => {
    await using obj = await load(fixture("cgroup_egress_bytes.bpf.o"));
    const r = obj.program("egress_bytes").testRun({ data: frame(17, 53, 100), repeat: 3 });
    expect(r.retval).toBe(1);
    expect(obj.map<number, bigint>("totals").get(0)).toBe(3n * BigInt(20 + 8 + 100));
    expect(obj.map<number, bigint>("totals").get(1)).toBe(3n);
  });

  test("raw tracepoint: args as the context, optionally on a chosen CPU", async () => {
    await using obj = await load(fixture("raw_tp_switch_count.bpf.o"));
    const prog = obj.program("count_switch");
    const r = prog.testRun({ args: [0n, 0n, 0n] });
    expect(r).toMatchObject({ retval: 0, durationNs: 0 });
    expect(r.data.length).toBe(0);
    if (possibleCpus() > 1) {
      const before = (obj.map("switches").get(0) as bigint[])[1]!;
      prog.testRun({ args: [1n, 2n, 3n], cpu: 1 });
      expect((obj.map("switches").get(0) as bigint[])[1]).toBe(before + 1n);
    }
    expect(() => prog.testRun({ data: new Uint8Array(8) })).toThrow(WhistlerError);
    expect(() => prog.testRun({ repeat: 2 })).toThrow(/raw tracepoint programs take only args/);
  });

  test("kinds the kernel does not test-run, and contexts that do not fit, are errors", async () => {
    await using obj = await load(fixture("count_opens.bpf.o"));
    expect(() => obj.program("count_opens").testRun({ data: new Uint8Array(8) })).toThrow(/test-run program "count_opens": BPF_PROG_TEST_RUN failed: ENOTSUPP|EINVAL/);
    expect(() => obj.program("count_opens").testRun({ skb: {} })).toThrow(/skb contexts are for tc, socket filter and cgroup_skb programs, not TRACEPOINT/);
  });
});
