// bpf_loop on the kernel: our callbacks run (sum 1..n through a stack context, early stop,
// a context-free callback writing a global), compared with a BigInt reference on seeded
// inputs; libbpf (bpftool prog loadall) accepts our callback relocation and func info; and
// our loader resolves clang's (test/fixtures/clang/bpf_loop_sum.bpf.o).
import { afterAll, beforeAll, expect, test } from "@jest/globals";
import { load } from "../../loader/index.js";
import type { BpfObject } from "../../loader/object/bpf-object.js";
import type { MapHandle } from "../../loader/maps/index.js";
import { compileTemplate } from "../../transformer/compile.js";
import type { CompileResult } from "../../transformer/api.js";
import { checkNoFdLeaks } from "../helpers/fds.js";
import { describeKernel } from "../helpers/kernel.js";
import { mulberry32 } from "../helpers/prng.js";
import { template } from "../compiler/helpers.js";
import { BPF_LOOP_SUM, LOOP_CTX } from "../compiler/bpf-loop-program.js";
import { fixture, fixturePath } from "../loader/fixtures.js";
import { u32le, u64At } from "../interop-loader/packets.js";
import { bpftool, scratch, writeObject } from "./bpftool-util.js";

const XDP_PASS = 2;
const E2BIG = 7n;
const MAX_LOOPS = 1 << 23;

/** What the kernel computes for (n, stop): bpf_loop returns the calls made (i + 1 on a stop). */
function reference(n: bigint, stop: bigint): { sum: bigint; seen: bigint; calls: bigint; plain: bigint } {
  if (n > BigInt(MAX_LOOPS)) return { sum: 0n, seen: 0n, calls: -E2BIG, plain: 0n };
  const ran = stop < n ? stop : n;
  return { sum: (ran * (ran + 1n)) / 2n, seen: ran, calls: stop < n ? stop + 1n : n, plain: (n * (n - 1n)) / 2n };
}

function bssBytes(bss: MapHandle<unknown, unknown>): Uint8Array {
  const v = bss.get(u32le(0) as never);
  if (!(v instanceof Uint8Array)) throw new Error("expected raw .bss bytes");
  return v;
}

describeKernel("bpf_loop: callbacks in the kernel, through our loader, libbpf and clang's objects", () => {
  let compiled: CompileResult;
  let obj: BpfObject | undefined;

  beforeAll(async () => {
    compiled = compileTemplate(template(BPF_LOOP_SUM, { LoopCtx: LOOP_CTX }));
    expect(compiled.diagnostics).toEqual([]);
    obj = await load(compiled.elf!);
  });
  afterAll(() => obj?.[Symbol.dispose]());
  // Registered after the dispose above, so it runs after it.
  checkNoFdLeaks();

  test("sum 1..n with early stops on 300 seeded (n, stop) pairs, and -E2BIG past 2^23, match the reference", () => {
    const at = (name: string) => compiled.globals!.find((g) => g.name === name)!.offset;
    const bss = obj!.map(".bss");
    const prog = obj!.program("loop_sum");
    const next = mulberry32(181);
    const cases: [bigint, bigint][] = [[0n, 0n], [1n, 5n], [10n, 100n], [100n, 100n], [100n, 99n], [100n, 0n], [BigInt(MAX_LOOPS + 1), 5n]];
    for (let k = 0; k < 300; k++) {
      const n = BigInt(Math.floor(next() * 2000));
      cases.push([n, next() < 0.5 ? n + 1n : BigInt(Math.floor(next() * 2100))]);
    }
    const mismatches: string[] = [];
    for (const [n, stop] of cases) {
      const init = new Uint8Array(bssBytes(bss).length);
      const dv = new DataView(init.buffer);
      dv.setUint32(at("n"), Number(n), true);
      dv.setBigUint64(at("stop"), stop, true);
      bss.set(u32le(0) as never, init as never);
      expect(prog.testRun({ data: new Uint8Array(64) }).retval).toBe(XDP_PASS);
      const out = bssBytes(bss);
      const got = { sum: u64At(out, at("sum")), seen: u64At(out, at("seen")), calls: BigInt.asIntN(64, u64At(out, at("calls"))), plain: u64At(out, at("plain")) };
      const want = reference(n, stop);
      if (JSON.stringify(got, (_, v) => String(v)) !== JSON.stringify(want, (_, v) => String(v))) mismatches.push(`n=${n} stop=${stop}: got ${JSON.stringify(got, (_, v) => String(v))}`);
    }
    expect(mismatches).toEqual([]);
    // The kernel linked both callbacks: more instructions than the program alone
    expect(prog.info().xlatedInsns).toBeGreaterThan(compiled.programs[0]!.insnCount);
  });

  test("a struct parameter in ordinary calls, inlined and out of line, passes the verifier", async () => {
    for (const tag of ["", "/** @noinline */"]) {
      const body = `${tag}
function bump(c: \${LoopCtx}, by: u64): void { c.total += by; c.seen += 1; }
let out: u64 = 0;
export function direct(ctx: Xdp): i32 {
  let c: \${LoopCtx};
  bump(c, 5);
  bump(c, 7);
  out = c.total * 100 + c.seen;
  return XDP_PASS;
}`;
      const r = compileTemplate(template(body, { LoopCtx: LOOP_CTX }));
      expect(r.diagnostics).toEqual([]);
      await using d = await load(r.elf!);
      expect(d.program("direct").testRun({ data: new Uint8Array(64) }).retval).toBe(XDP_PASS);
      expect(u64At(bssBytes(d.map(".bss")), 0)).toBe(1202n);
    }
  });

  test("nested loops: a callback's own bpf_loop and calls, from a .text subprogram; libbpf links it too", async () => {
    const body = `
let out: u64 = 0;
function sq(x: u64): u64 { return x * x; }
function inner(j: u64, c: \${LoopCtx}): i64 { c.total += sq(j); return 0; }
function outer(i: u64, c: \${LoopCtx}): i64 { bpf_loop(3, inner, c); c.seen += 1; return 0; }
/** @noinline */
function run(n: u32): u64 {
  let c: \${LoopCtx};
  bpf_loop(n, outer, c);
  return c.total * 1000 + c.seen;
}
export function nested(ctx: Xdp): i32 {
  out = run(4);
  return XDP_PASS;
}`;
    const r = compileTemplate(template(body, { LoopCtx: LOOP_CTX }));
    expect(r.diagnostics).toEqual([]);
    {
      await using d = await load(r.elf!);
      expect(d.program("nested").testRun({ data: new Uint8Array(64) }).retval).toBe(XDP_PASS);
      // 4 outer iterations of (0 + 1 + 4)
      expect(u64At(bssBytes(d.map(".bss")), 0)).toBe(20n * 1000n + 4n);
    }
    const s = scratch("bpf-loop-nested");
    try {
      bpftool(["prog", "loadall", writeObject(s.tmp, "nested", r.elf!), s.pinDir]);
    } finally {
      s.cleanup();
    }
  });

  test("a map value goes through a stack context: copied in, looped over, copied back", async () => {
    const body = `
function add(i: u64, c: \${LoopCtx}): i64 { c.total += i; c.seen += 1; return 0; }
export function through_map(ctx: Xdp): i32 {
  const v = \${stats}.lookup(0);
  if (!v) return XDP_DROP;
  let c: \${LoopCtx};
  c = v;
  bpf_loop(5, add, c);
  copy(v, c, 24);
  return XDP_PASS;
}`;
    const stats = { map: { kind: "array" as const, key: "u32" as const, value: "u8" as const, valueStruct: LOOP_CTX, maxEntries: 1 } };
    const r = compileTemplate(template(body, { LoopCtx: LOOP_CTX, stats }));
    expect(r.diagnostics).toEqual([]);
    await using d = await load(r.elf!);
    for (let k = 0; k < 3; k++) expect(d.program("through_map").testRun({ data: new Uint8Array(64) }).retval).toBe(XDP_PASS);
    const v = d.map("stats").get(0 as never);
    if (!(v instanceof Uint8Array)) throw new Error("expected raw value bytes");
    expect([u64At(v, 0), u64At(v, 8)]).toEqual([30n, 15n]); // 3 runs of 0+1+2+3+4, 5 calls each
  });

  test("libbpf (bpftool prog loadall) accepts the callback relocation and its (u64, void *) func info", () => {
    const s = scratch("bpf-loop");
    try {
      const path = writeObject(s.tmp, "bpf_loop_sum", compiled.elf!);
      bpftool(["prog", "loadall", path, s.pinDir]);
      const dump = bpftool(["prog", "dump", "xlated", "pinned", `${s.pinDir}/loop_sum`]);
      expect(dump).toMatch(/r2 = subprog\[[+-]\d+\]/);
      expect(dump).toMatch(/__s64 add_one\(__u64 i, void \* c\):/);
      expect(dump).toMatch(/__s64 count_only\(__u32 i\):/);
    } finally {
      s.cleanup();
    }
  });

  test("clang's bpf_loop object: our loader links the .text callback and the results match", async () => {
    for (const [limit, stop] of [[10n, ~0n & 0xffffffffffffffffn], [100n, 40n], [0n, 3n]] as const) {
      await using c = await load(fixture("bpf_loop_sum.bpf.o"), { globals: { limit, stop_at: stop } });
      expect(c.program("bpf_loop_sum").testRun({ data: new Uint8Array(64) }).retval).toBe(XDP_PASS);
      const out = bssBytes(c.map(".bss"));
      const ran = stop < limit ? stop : limit;
      // clang orders .bss by declaration here: sum, then calls (the callback's `seen`)
      expect([u64At(out, 0), u64At(out, 8)]).toEqual([(ran * (ran + 1n)) / 2n, ran]);
    }
    // The kernel gets the same program from both loaders: callback appended, PSEUDO_FUNC
    // immediate pointing at it, so the same translated instructions.
    await using ours = await load(fixture("bpf_loop_sum.bpf.o"));
    const s = scratch("bpf-loop-clang");
    try {
      bpftool(["prog", "loadall", fixturePath("bpf_loop_sum.bpf.o"), s.pinDir]);
      const theirs = bpftool(["prog", "dump", "xlated", "pinned", `${s.pinDir}/bpf_loop_sum`, "opcodes"]);
      const { id } = ours.program("bpf_loop_sum").info();
      const mine = bpftool(["prog", "dump", "xlated", "id", String(id), "opcodes"]);
      const shape = (dump: string) => dump.split("\n").filter((l) => /^\s+\d+:/.test(l)).map((l) => l.replace(/map\[id:\d+\]/g, "map").replace(/0x[0-9a-f]{8,}/g, "ADDR").replace(/bpf_prog_[0-9a-f]+_/g, "bpf_prog_"));
      expect(shape(mine)).toEqual(shape(theirs));
      expect(shape(mine).some((l) => /subprog\[[+-]\d+\]/.test(l))).toBe(true);
    } finally {
      s.cleanup();
    }
  });
});
