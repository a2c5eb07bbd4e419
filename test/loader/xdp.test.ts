import { expect, test } from "@jest/globals";
import { load } from "../../loader/index.js";
import { AttachError } from "../../runtime/errors.js";
import { possibleCpus } from "../../runtime/sys/index.js";
import { checkNoFdLeaks } from "../helpers/fds.js";
import { describeKernel } from "../helpers/kernel.js";
import { fixture } from "./fixtures.js";

const XDP_PASS = 2;

/** Ethernet + IPv4 header with the given protocol (or another ethertype), padded to 64 bytes. */
function frame(proto: number, ethertype = 0x0800): Uint8Array {
  const f = new Uint8Array(64);
  f.set([0x02, 0, 0, 0, 0, 1, 0x02, 0, 0, 0, 0, 2], 0);
  f[12] = ethertype >> 8;
  f[13] = ethertype & 0xff;
  f[14] = 0x45; // IPv4, IHL 5
  f[16] = 0;
  f[17] = 50; // total length
  f[22] = 64; // TTL
  f[23] = proto;
  f.set([10, 0, 0, 1, 10, 0, 0, 2], 26);
  return f;
}

describeKernel("xdp_proto_count (clang object): test runs and XDP links", () => {
  checkNoFdLeaks();

  test("counts packets per IP protocol in a per-CPU array", async () => {
    await using obj = await load(fixture("xdp_proto_count.bpf.o"));
    const prog = obj.program("xdp_proto_count");
    expect(prog.type).toBe("XDP");
    const sent: [number, number][] = [[17, 3], [6, 5], [1, 2]];
    for (const [proto, n] of sent) {
      const r = prog.testRun({ data: frame(proto), repeat: n });
      expect(r.retval).toBe(XDP_PASS);
      expect(r.data).toEqual(frame(proto));
      expect(r.durationNs).toBeGreaterThanOrEqual(0);
    }
    // Not IPv4 (ARP): passed, not counted.
    expect(prog.testRun({ data: frame(17, 0x0806), repeat: 4 }).retval).toBe(XDP_PASS);
    // Too short for an Ethernet header: passed (the kernel wants at least 14 bytes).
    expect(prog.testRun({ data: frame(6).subarray(0, 14) }).retval).toBe(XDP_PASS);

    const counts = obj.map("proto_count");
    expect(counts.info.cpus).toBe(possibleCpus());
    const sum = (proto: number): bigint => (counts.get(proto) as bigint[]).reduce((a, b) => a + b, 0n);
    expect(sum(17)).toBe(3n);
    expect(sum(6)).toBe(5n);
    expect(sum(1)).toBe(2n);
    expect(sum(2)).toBe(0n);
    expect((counts.get(17) as bigint[]).length).toBe(possibleCpus());

    // Per-CPU writes: one value for all CPUs, or one per CPU.
    counts.set(200, 7n);
    expect(counts.get(200)).toEqual(new Array(possibleCpus()).fill(7n));
    counts.set(200, Array.from({ length: possibleCpus() }, (_, i) => BigInt(i)));
    expect(counts.get(200)).toEqual(Array.from({ length: possibleCpus() }, (_, i) => BigInt(i)));
    expect(() => counts.set(200, new Array(possibleCpus() + 1).fill(1n))).toThrow(/per-CPU: give one value for all CPUs or an array of/);
    counts.clear();
    expect(sum(17)).toBe(0n);
  });

  test("attaches to lo in generic mode and detaches on dispose", async () => {
    await using obj = await load(fixture("xdp_proto_count.bpf.o"));
    expect(() => obj.attachAll()).toThrow(AttachError);
    expect(() => obj.attachAll()).toThrow(/attachAll\(\{ xdp: \{ ifname/);
    expect(obj.attachAll({ xdp: false })).toEqual([]);
    {
      using link = obj.program("xdp_proto_count").attach({ ifname: "lo", xdpMode: "generic" });
      expect(link).toMatchObject({ kind: "xdp", target: "lo", attached: true });
      // A second program on the same interface is refused while the link holds it.
      expect(() => obj.program("xdp_proto_count").attach({ ifname: "lo", xdpMode: "generic" })).toThrow(AttachError);
    }
    // After dispose the interface is free again.
    const links = obj.attachAll({ xdp: { ifname: "lo", mode: "generic" } });
    expect(links).toHaveLength(1);
    expect(() => obj.program("xdp_proto_count").attach({ ifname: "no-such-if0" })).toThrow(/no network interface named "no-such-if0"/);
  });
});
