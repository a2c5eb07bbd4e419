// BPF-to-BPF calls in the kernel: bpftool (libbpf) links our `.text` subprograms into each
// program that calls them, the verifier accepts them (with our func_info and line info),
// and BPF_PROG_TEST_RUN results match a reference evaluation.
import { afterAll, beforeAll, expect, test } from "@jest/globals";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { compileTemplate } from "../../transformer/compile.js";
import { describeKernel } from "../helpers/kernel.js";
import { checkNoFdLeaks } from "../helpers/fds.js";
import { SHARED, template } from "../compiler/helpers.js";
import { bpftool, scratch, writeObject } from "./bpftool-util.js";

const u32 = (x: bigint) => BigInt.asUintN(32, x);
function mix(a: bigint, b: bigint): bigint {
  let x = u32(a ^ (b << 3n));
  x = u32(x * 2654435761n);
  x = x ^ (x >> 16n);
  return u32(x + 1n);
}

describeKernel("BPF-to-BPF calls run in the kernel", () => {
  checkNoFdLeaks();
  let s: ReturnType<typeof scratch>;
  beforeAll(() => {
    s = scratch("functions");
    const r = compileTemplate(template(SHARED));
    expect(r.diagnostics).toEqual([]);
    bpftool(["prog", "loadall", writeObject(s.tmp, "functions", r.elf!), s.pinDir]);
  });
  afterAll(() => s?.cleanup());

  test("results match the reference", () => {
    const failures: string[] = [];
    for (const [a, b] of [[1n, 2n], [0xdeadbeefn, 0x12345678n], [0n, 0n], [0xffffffffn, 7n]] as const) {
      const pkt = Buffer.alloc(64);
      pkt.writeUInt32LE(Number(a), 0);
      pkt.writeUInt32LE(Number(b), 4);
      const file = join(s.tmp, "pkt.bin");
      writeFileSync(file, pkt);
      const run = (prog: string) => BigInt(/Return value: (\d+)/.exec(bpftool(["prog", "run", "pinned", join(s.pinDir, prog), "data_in", file]))![1]!);
      const want1 = mix(a, b);
      const want2 = u32(2n * mix(b, 7n));
      if (run("first") !== want1) failures.push(`first(${a}, ${b}) = ${run("first")}, want ${want1}`);
      if (run("second") !== want2) failures.push(`second(${b}) = ${run("second")}, want ${want2}`);
    }
    expect(failures).toEqual([]);
  });

  test("inlined and out-of-line functions with early returns and nesting match the reference", () => {
    const src = `
function clamp(x: u32, hi: u32): u32 {
  if (x > hi) return hi;
  return x;
}
/** @noinline */
function sel(a: u32, b: u32, c: u32): u32 {
  if (a > b) {
    if (b > c) return 1;
    return 2;
  }
  return clamp(a + c, 100);
}
function pick(a: u32, b: u32): u32 {
  let r: u32 = 0;
  if (a == b) r = 7;
  else r = sel(a, b, 3);
  return r;
}
export function calls(ctx: Xdp): i32 {
  const d = ctx.data;
  if (d + 12 > ctx.data_end) return -1;
  const a = load_u32(d, 0);
  const b = load_u32(d, 4);
  const c = load_u32(d, 8);
  return (clamp(a, 50) * 100000 + sel(a, b, c) * 1000 + sel(c, b, a) * 10 + pick(a, c)) as i32;
}`;
    const r = compileTemplate(template(src));
    expect(r.diagnostics).toEqual([]);
    const t = scratch("calls");
    try {
      bpftool(["prog", "loadall", writeObject(t.tmp, "calls", r.elf!), t.pinDir]);
      const clamp = (x: number, hi: number) => (x > hi ? hi : x);
      const sel = (a: number, b: number, c: number) => (a > b ? (b > c ? 1 : 2) : clamp(a + c, 100));
      const pick = (a: number, b: number) => (a === b ? 7 : sel(a, b, 3));
      let seed = 7;
      const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) % 120);
      const failures: string[] = [];
      for (let n = 0; n < 40; n++) {
        const [a, b, c] = [rnd(), rnd(), rnd()];
        const pkt = Buffer.alloc(64);
        pkt.writeUInt32LE(a, 0);
        pkt.writeUInt32LE(b, 4);
        pkt.writeUInt32LE(c, 8);
        const file = join(t.tmp, "pkt.bin");
        writeFileSync(file, pkt);
        const got = Number(/Return value: (\d+)/.exec(bpftool(["prog", "run", "pinned", join(t.pinDir, "calls"), "data_in", file]))![1]);
        const want = clamp(a, 50) * 100000 + sel(a, b, c) * 1000 + sel(c, b, a) * 10 + pick(a, c);
        if (got !== want) failures.push(`(${a}, ${b}, ${c}): got ${got}, want ${want}`);
      }
      expect(failures).toEqual([]);
    } finally {
      t.cleanup();
    }
  });

  test("the kernel holds func_info for the program and its subprogram", () => {
    const dump = bpftool(["prog", "dump", "xlated", "pinned", join(s.pinDir, "first"), "linum"]);
    if (process.env.SHOW_DUMP) console.log(dump);
    expect(dump).toMatch(/int first\(struct xdp_md \* ctx\):/);
    expect(dump).toMatch(/static u32 mix\(u32 a, u32 b\):|mix\(/);
    expect(dump).toMatch(/let x = a \^ \(b << 3\);/);
  });
});
