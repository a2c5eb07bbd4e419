// Differential test of control flow: ?:, switch (dense, sparse, fallthrough), unrolled and
// real loops with break/continue, nested loops, early returns in loops, && and || as
// values, and the log2 histogram patterns. Every program runs in the kernel through
// BPF_PROG_TEST_RUN (loaded by our loader, so the verifier accepted each loop) on seeded
// random operands and must match a BigInt reference evaluation of the same source.
import { afterAll, beforeAll, expect, test } from "@jest/globals";
import { load } from "../../loader/index.js";
import type { BpfObject } from "../../loader/object/bpf-object.js";
import { compileTemplate } from "../../transformer/compile.js";
import { checkNoFdLeaks } from "../helpers/fds.js";
import { describeKernel } from "../helpers/kernel.js";
import { mulberry32 } from "../helpers/prng.js";
import { template } from "../compiler/helpers.js";

const u32 = (x: bigint) => BigInt.asUintN(32, x);
const i32 = (x: bigint) => BigInt.asIntN(32, x);
const u64 = (x: bigint) => BigInt.asUintN(64, x);

interface Case {
  readonly body: string;
  /** The same program in BigInt: a, b are the u32 operands, v the u64 at offset 8. */
  readonly ref: (a: bigint, b: bigint, v: bigint) => bigint;
}

const CASES: Record<string, Case> = {
  tern: {
    body: "return (a > b ? a - b : (b - a) * 3) as i32;",
    ref: (a, b) => (a > b ? u32(a - b) : u32((b - a) * 3n)),
  },
  tern_nested: {
    body: "const s = a as i32;\nreturn s < 0 ? -s : (b & 1) == 0 ? (a & 0xffff) as i32 : 7;",
    ref: (a, b) => { const s = i32(a); return s < 0n ? i32(-s) : (b & 1n) === 0n ? a & 0xffffn : 7n; },
  },
  tern_cast: {
    // A ?: of constants cast as a whole: each arm wraps as a cast constant does (300 as u8 is 44).
    body: "const r = ((a > b ? 300 : a == b ? -1 : 7) as u8) as u32 + (((b & 1) == 0 ? 0x1_0000_0002 : 5) as u32);\nreturn r as i32;",
    ref: (a, b) => u32((a > b ? 44n : a === b ? 255n : 7n) + ((b & 1n) === 0n ? 2n : 5n)),
  },
  logic_values: {
    body: "const x = (a > 5 && b < 10) || a == b;\nconst y = !(a < b) && !(b == 0);\nreturn ((x as u8) * 2 + (y as u8)) as i32;",
    ref: (a, b) => ((a > 5n && b < 10n) || a === b ? 2n : 0n) + (!(a < b) && b !== 0n ? 1n : 0n),
  },
  sw_dense: {
    body: `let r: u32 = 0;
switch (a & 15) {
  case 0: r = 10; break;
  case 1: case 2: case 3: r = b + 1; break;
  case 4: r = 5;
  case 5: r += b * 2; break;
  case 6: return 66;
  case 8: case 9: r = a ^ b;
  case 10: r += 3;
  default: r += 100;
}
return r as i32;`,
    ref: (a, b) => {
      const k = a & 15n;
      let r = 0n;
      if (k === 0n) r = 10n;
      else if (k >= 1n && k <= 3n) r = b + 1n;
      else if (k === 4n || k === 5n) r = (k === 4n ? 5n : 0n) + b * 2n;
      else if (k === 6n) return 66n;
      else {
        if (k === 8n || k === 9n) r = a ^ b;
        if (k === 8n || k === 9n || k === 10n) r += 3n;
        r += 100n;
      }
      return u32(r);
    },
  },
  sw_sparse: {
    body: `switch (a) {
  case 1: return 1;
  case 7: return 2;
  case 100: case 101: return 3;
  case 1000: return 4;
  case 65536: return 5;
  case 0x7fffffff: return 6;
  case 0x80000000: return 7;
  case 0xffffffff: return 8;
  default: return 9;
}`,
    ref: (a) => ({ 1: 1n, 7: 2n, 100: 3n, 101: 3n, 1000: 4n, 65536: 5n, 0x7fffffff: 6n, 0x80000000: 7n, 0xffffffff: 8n } as Record<number, bigint>)[Number(a)] ?? 9n,
  },
  sw_signed: {
    body: "switch (b as i32) {\n  case -1: return 1;\n  case -2: case -3: return 2;\n  case 0: return 3;\n  case 5: return 4;\n  case -2147483648: return 5;\n}\nreturn 6;",
    ref: (_a, b) => { const s = Number(i32(b)); return s === -1 ? 1n : s === -2 || s === -3 ? 2n : s === 0 ? 3n : s === 5 ? 4n : s === -2147483648 ? 5n : 6n; },
  },
  loop_unrolled: {
    body: "let s: u32 = 0;\nfor (let i: u32 = 0; i < 4; i++) { if (((b >> i) & 1) != 0) continue; s += a >> i; if (s > 100000) break; }\nreturn s as i32;",
    ref: (a, b) => {
      let s = 0n;
      for (let i = 0n; i < 4n; i++) { if (((b >> i) & 1n) !== 0n) continue; s = u32(s + (a >> i)); if (s > 100000n) break; }
      return s;
    },
  },
  loop_real: {
    body: "let s: u32 = 0;\nfor (let i: u32 = 0; i < 40; i++) { if (((b >> (i & 31)) & 1) != 0) continue; s += a ^ i; if (s > 0x40000000) break; }\nreturn s as i32;",
    ref: (a, b) => {
      let s = 0n;
      for (let i = 0n; i < 40n; i++) { if (((b >> (i & 31n)) & 1n) !== 0n) continue; s = u32(s + (a ^ i)); if (s > 0x40000000n) break; }
      return s;
    },
  },
  count_down: {
    body: "let n: u32 = 0;\nfor (let i: i32 = 31; i >= 0; i -= 2) if (((a >> (i as u32)) & 1) != 0) n += i as u32;\nreturn n as i32;",
    ref: (a) => { let n = 0n; for (let i = 31n; i >= 0n; i -= 2n) if (((a >> i) & 1n) !== 0n) n += i; return n; },
  },
  while_unknown_start: {
    body: "let i = a & 7;\nlet n: u32 = 0;\nwhile (i < 8) { n = n * 3 + i; i++; }\nreturn n as i32;",
    ref: (a) => { let i = a & 7n; let n = 0n; while (i < 8n) { n = u32(n * 3n + i); i++; } return n; },
  },
  nested: {
    body: `let acc: u32 = 0;
for (let i: u32 = 0; i < 8; i++) {
  if (i == (b & 7)) continue;
  for (let j: u32 = 0; j < 20; j += 3) {
    switch ((a >> (i + j)) & 3) {
      case 0: continue;
      case 1: acc += j; break;
      case 2: acc ^= i << 3;
      default: acc += 1;
    }
    if (acc > (b >> 8)) break;
  }
}
return acc as i32;`,
    ref: (a, b) => {
      let acc = 0n;
      for (let i = 0n; i < 8n; i++) {
        if (i === (b & 7n)) continue;
        for (let j = 0n; j < 20n; j += 3n) {
          const k = (a >> ((i + j) & 31n)) & 3n;
          if (k === 0n) continue;
          if (k === 1n) acc += j;
          else { if (k === 2n) acc ^= i << 3n; acc += 1n; }
          acc = u32(acc);
          if (acc > b >> 8n) break;
        }
      }
      return acc;
    },
  },
  early_return: {
    body: "for (let i: u32 = 0; i < 32; i++) if (((a >> i) & 1) != 0) return i as i32;\nreturn -1;",
    ref: (a) => { for (let i = 0n; i < 32n; i++) if (((a >> i) & 1n) !== 0n) return i; return u32(-1n); },
  },
  log2_for: {
    body: "let slot: u32 = 0;\nfor (let i: u32 = 1; i < 64; i++) if ((v >> i) != 0) slot = i;\nreturn slot as i32;",
    ref: (_a, _b, v) => { let slot = 0n; for (let i = 1n; i < 64n; i++) if (v >> i !== 0n) slot = i; return slot; },
  },
  log2_while: {
    body: "let x = v;\nlet slot: u32 = 0;\nwhile (x > 1) { x >>= 1; slot++; }\nreturn (slot >= 32 ? 31 : slot) as i32;",
    ref: (_a, _b, v) => { let x = v; let slot = 0n; while (x > 1n) { x >>= 1n; slot++; } return slot >= 32n ? 31n : slot; },
  },
};

const SOURCE = Object.entries(CASES).map(([name, c]) => `export function ${name}(ctx: Xdp): i32 {
  const d = ctx.data;
  if (d + 16 > ctx.data_end) return -1;
  const a = load_u32(d, 0);
  const b = load_u32(d, 4);
  const v = load_u64(d, 8);
${c.body}
}`).join("\n");


/** Edge values half the time (small numbers, sign bits, all ones), else uniform bits. */
function operand(rnd: () => number, bits: 32 | 64): bigint {
  const edges = [0n, 1n, 2n, 3n, 5n, 7n, 9n, 15n, 100n, 101n, 1000n, 65536n, 0x7fffffffn, 0x80000000n, 0xffffffffn, 0xfffffffen, -2n, -3n];
  const r = rnd();
  if (r < 0.3) return BigInt.asUintN(bits, edges[Math.floor(rnd() * edges.length)]!);
  if (r < 0.5) return BigInt(Math.floor(rnd() * 64));
  let x = 0n;
  for (let i = 0; i < bits / 16; i++) x = (x << 16n) | BigInt(Math.floor(rnd() * 65536));
  // Random magnitudes, so loops on the value's bit length see every length.
  return x >> BigInt(Math.floor(rnd() * bits));
}

const PER_PROGRAM = 1000;

describeKernel("control flow runs in the kernel like the reference", () => {
  let obj: BpfObject | undefined;
  beforeAll(async () => {
    const r = compileTemplate(template(SOURCE));
    expect(r.diagnostics).toEqual([]);
    obj = await load(r.elf!);
  });
  afterAll(() => obj?.[Symbol.dispose]());
  // Registered after the dispose above, so it runs after it.
  checkNoFdLeaks();

  test.each(Object.keys(CASES))("%s", (name) => {
    const c = CASES[name]!;
    const prog = obj!.program(name);
    const rnd = mulberry32([...name].reduce((h, ch) => (h * 31 + ch.charCodeAt(0)) | 0, 7));
    const pkt = new Uint8Array(64);
    const view = new DataView(pkt.buffer);
    const failures: string[] = [];
    for (let n = 0; n < PER_PROGRAM; n++) {
      const a = operand(rnd, 32);
      const b = operand(rnd, 32);
      const v = operand(rnd, 64);
      view.setUint32(0, Number(a), true);
      view.setUint32(4, Number(b), true);
      view.setBigUint64(8, v, true);
      const got = BigInt(prog.testRun({ data: pkt }).retval >>> 0);
      const want = u32(c.ref(a, b, u64(v)));
      if (got !== want && failures.length < 5) failures.push(`${name}(a=${a}, b=${b}, v=${v}): got ${got}, want ${want}`);
    }
    expect(failures).toEqual([]);
  });
});
