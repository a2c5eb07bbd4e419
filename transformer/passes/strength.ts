/**
 * Strength reduction: unsigned multiply, divide and remainder by a power of two become a
 * shift or a mask (`x * 8` is `x << 3`, `x / 1000` stays, `x % 16` is `x & 15`). BPF's
 * shift and and are cheaper than mul/div/mod, and the verifier keeps a register's range
 * exactly through `>>` and `&`. Multiplication wraps the same for signed and unsigned
 * values; division and remainder in the IR are unsigned (signed ones are lowered around
 * them), so every udiv/umod here may be rewritten.
 */
import type { Fn } from "../ir/ir.js";

/** log2 of a power of two, or -1. */
function log2(v: bigint): number {
  if (v <= 0n || (v & (v - 1n)) !== 0n) return -1;
  return v.toString(2).length - 1;
}

export function strengthReduce(fn: Fn): boolean {
  let changed = false;
  for (const b of fn.blocks) {
    for (const i of b.insts) {
      const y = i.args[1];
      if (i.args.length !== 2 || y?.k !== "imm") continue;
      const k = log2(BigInt.asUintN(i.w, y.v));
      if (k < 1) continue;
      switch (i.op) {
        case "mul":
          i.op = "shl";
          i.args = [i.args[0]!, { k: "imm", v: BigInt(k) }];
          changed = true;
          break;
        case "udiv":
          i.op = "lshr";
          i.args = [i.args[0]!, { k: "imm", v: BigInt(k) }];
          changed = true;
          break;
        case "umod":
          // A mask wider than 31 bits needs a 64-bit immediate load: keep the mod there.
          if (k > 31) break;
          i.op = "and";
          i.args = [i.args[0]!, { k: "imm", v: (1n << BigInt(k)) - 1n }];
          changed = true;
          break;
        default:
          break;
      }
    }
  }
  return changed;
}
