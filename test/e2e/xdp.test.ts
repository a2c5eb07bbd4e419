/**
 * End to end on the real kernel: an XDP program parsing Ethernet + IPv4 with bounds checks,
 * run by BPF_PROG_TEST_RUN on crafted frames and attached natively to a veth pair in its
 * own network namespace with real UDP and TCP packets crossing it.
 */
import { execFileSync } from "node:child_process";
import * as path from "node:path";
import { expect, test } from "@jest/globals";
import { ArrayMap, bpf, u64, load } from "../../index.js";
import { describeKernel } from "../helpers/kernel.js";
import { checkNoFdLeaks } from "../helpers/fds.js";
import { createVethPair } from "../../examples/common/veth.js";

const protoCounts = new ArrayMap({ value: u64, maxEntries: 256, name: "proto_counts" });
const xdpProtoCount = bpf`
  export function xdp_proto_count(ctx: Xdp): i32 {
    const data = ctx.data;
    const end = ctx.data_end;
    if (data + 34 > end) return XDP_PASS;
    if (ntohs(load_u16(data, 12)) != 0x0800) return XDP_PASS;
    const proto = load_u8(data, 23);
    ${protoCounts}.increment(proto);
    return XDP_PASS;
  }
`;

/** An Ethernet frame with an IPv4 header of the given protocol (and a few payload bytes). */
function frame(etherType: number, proto: number, len = 60): Uint8Array {
  const f = new Uint8Array(len);
  f.set([0x02, 0, 0, 0, 0, 1, 0x02, 0, 0, 0, 0, 2], 0);
  f[12] = etherType >> 8;
  f[13] = etherType & 0xff;
  f[14] = 0x45;
  f[23] = proto;
  return f;
}

const XDP_PASS = 2;

describeKernel("xdp_proto_count", () => {
  checkNoFdLeaks();

  test("test-run on crafted frames counts IPv4 protocols and ignores the rest", async () => {
    await using obj = await load(xdpProtoCount);
    const prog = obj.program("xdp_proto_count");
    const cases: [Uint8Array, number][] = [
      [frame(0x0800, 17), 3],
      [frame(0x0800, 6), 2],
      [frame(0x0800, 1), 1],
      [frame(0x86dd, 17), 4], // IPv6: not counted
      [frame(0x0800, 47, 30), 5], // too short for an IPv4 header: not counted
    ];
    for (const [data, repeat] of cases) {
      const r = prog.testRun({ data, repeat });
      expect(r.retval).toBe(XDP_PASS);
    }
    const counts = obj.map(protoCounts);
    expect(counts.get(17)).toBe(3n);
    expect(counts.get(6)).toBe(2n);
    expect(counts.get(1)).toBe(1n);
    expect(counts.get(47)).toBe(0n);
  });

  test("attached natively to a veth pair, counts real UDP and TCP packets", async () => {
    using veth = createVethPair("xt");
    await using obj = await load(xdpProtoCount);
    const links = obj.attachAll({ xdp: { ifname: veth.hostIf, mode: "native" } });
    expect(links.length).toBe(1);
    const sender = path.resolve(import.meta.dirname, "../../examples/common/send-packets.mjs");
    veth.exec(process.execPath, [sender, veth.hostAddr, "5"]);
    const counts = obj.map(protoCounts);
    expect(counts.get(17)).toBeGreaterThanOrEqual(5n); // UDP datagrams
    expect(counts.get(6)).toBeGreaterThanOrEqual(5n); // TCP SYNs
    // the link is real: the kernel reports an XDP program on the interface
    const link = execFileSync("ip", ["-d", "link", "show", veth.hostIf], { encoding: "utf8" });
    expect(link).toMatch(/xdp/);
  });
});
