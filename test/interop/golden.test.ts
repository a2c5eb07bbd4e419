// The golden programs (test/compiler/golden-programs.ts) pass the kernel's verifier as
// emitted, and the clamp one buckets like the source says on BPF_PROG_TEST_RUN.
import { expect, test } from "@jest/globals";
import { load } from "../../loader/index.js";
import { compileTemplate } from "../../transformer/compile.js";
import { GOLDEN } from "../compiler/golden-programs.js";
import { template } from "../compiler/helpers.js";
import { checkNoFdLeaks } from "../helpers/fds.js";
import { describeKernel } from "../helpers/kernel.js";
import { frame } from "../interop-loader/packets.js";

const elfOf = (name: string): Uint8Array => {
  const g = GOLDEN.find((x) => x.name === name)!;
  const r = compileTemplate(template(g.source, g.slots ?? {}));
  if (!r.elf) throw new Error(`${name}: ${r.diagnostics.map((d) => d.message).join("; ")}`);
  return r.elf;
};

describeKernel("golden programs on the kernel", () => {
  checkNoFdLeaks();

  test.each(GOLDEN.map((g) => [g.name] as const))("%s passes the verifier", async (name) => {
    await using obj = await load(elfOf(name));
    for (const p of obj.programs.values()) expect(p.info().verifiedInsns).toBeGreaterThan(0);
  });

  test("packet checks widen and merge: every length up to 64 bytes gives what the three checks give", async () => {
    await using obj = await load(elfOf("packet checks widen and merge"));
    for (const [ethertype, proto] of [[0x0800, 17], [0x0800, 6], [0x0806, 17]] as const) {
      for (let len = 14; len <= 64; len++) {
        // skb test runs parse the IPv4 header: the kernel refuses truncated ones (EINVAL).
        if (ethertype === 0x0800 && len < 34) continue;
        const pkt = frame({ ethertype, proto, dport: 5353 }).slice(0, len);
        const want = ethertype === 0x0800 && len >= 34 && proto === 17 && len >= 42 ? 5353 : 0;
        expect([len, obj.program("p").testRun({ data: pkt, skb: {} }).retval]).toEqual([len, want]);
      }
    }
  });

  test("compound conditions and bit tests: every verdict matches the source over 4,000 operand triples", async () => {
    await using obj = await load(elfOf("compound conditions and bit tests"));
    const XDP = { ABORTED: 0, DROP: 1, PASS: 2, TX: 3, REDIRECT: 4 };
    const want = (a: number, b: number, flags: number) =>
      a < b && flags !== 0 ? XDP.DROP : a & 0x40 ? XDP.TX : (b & 0x10) === 0 ? XDP.ABORTED : (flags & 0x81) !== 0 || b >= 1000 ? XDP.REDIRECT : XDP.PASS;
    const values = [0, 1, 0x10, 0x40, 0x50, 999, 1000, 1001, 0x7fffffff, 0x80000010, 0xffffffff];
    const flagValues = [0, 1, 0x80, 0x81, 0x7e, 0xff];
    const pkt = new Uint8Array(64);
    const dv = new DataView(pkt.buffer);
    let runs = 0;
    for (const a of values) for (const b of values) for (const f of flagValues) {
      // flags is byte 2, inside a: the packet holds a with that byte replaced.
      const a2 = ((a & ~0xff0000) | (f << 16)) >>> 0;
      dv.setUint32(0, a2, true);
      dv.setUint32(4, b, true);
      expect([a2, b, f, obj.program("p").testRun({ data: pkt }).retval]).toEqual([a2, b, f, want(a2, b, f)]);
      runs++;
    }
    for (let n = 0; runs < 4000; n++, runs++) {
      const a = (Math.imul(n, 0x9e3779b1) ^ (n << 7)) >>> 0;
      const b = (Math.imul(n + 17, 0x85ebca6b) >>> (n % 24)) >>> 0;
      dv.setUint32(0, a, true);
      dv.setUint32(4, b, true);
      expect([a, b, obj.program("p").testRun({ data: pkt }).retval]).toEqual([a, b, want(a, b, (a >>> 16) & 0xff)]);
    }
  });

  test("boolean locals as conditions: every verdict matches the source", async () => {
    await using obj = await load(elfOf("boolean locals as conditions"));
    const pkt = new Uint8Array(64);
    const dv = new DataView(pkt.buffer);
    const values = [0, 1, 2, 3, 0x7ffffffe, 0x7fffffff, 0x80000000, 0x80000001, 0xfffffffe, 0xffffffff];
    for (const a of values) for (const b of values) {
      dv.setUint32(0, a, true);
      dv.setUint32(4, b, true);
      const big = a > b, odd = (a & 1) !== 0;
      const want = big && odd ? 1 : !big ? 3 : 2;
      expect([a, b, obj.program("p").testRun({ data: pkt }).retval]).toEqual([a, b, want]);
    }
  });

  test("clamp: values at, below and above the boundary land in their buckets", async () => {
    await using obj = await load(elfOf("clamp"));
    const pkt = new Uint8Array(64); // XDP test runs want at least an Ethernet header
    const want = new Map<number, bigint>();
    for (const v of [0, 5, 30, 31, 32, 33, 1000, 0xffffffff]) {
      new DataView(pkt.buffer).setUint32(0, v, true);
      expect(obj.program("p").testRun({ data: pkt }).retval).toBe(2);
      const slot = Math.min(v, 31);
      want.set(slot, (want.get(slot) ?? 0n) + 1n);
    }
    for (let slot = 0; slot < 32; slot++) expect(obj.map("hist").get(slot as never)).toBe(want.get(slot) ?? 0n);
  });
});
