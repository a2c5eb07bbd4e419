/**
 * Disassembly of BPF_ATOMIC instructions other than a plain add, in llvm-objdump's spirit:
 * `lock *(u64 *)(r1 + 0) |= r2`, `r2 = atomic_fetch_add(*(u64 *)(r1 + 0), r2)`,
 * `r2 = xchg(*(u64 *)(r1 + 0), r2)`, `r0 = cmpxchg(*(u64 *)(r1 + 0), r0, r2)`.
 */
import { ATOMIC_ADD, ATOMIC_AND, ATOMIC_CMPXCHG, ATOMIC_FETCH, ATOMIC_OR, ATOMIC_XCHG, ATOMIC_XOR } from "./opcodes.js";

const NAMES: Readonly<Record<number, readonly [string, string]>> = {
  [ATOMIC_ADD]: ["+=", "add"], [ATOMIC_OR]: ["|=", "or"], [ATOMIC_AND]: ["&=", "and"], [ATOMIC_XOR]: ["^=", "xor"],
};

/** Text of an atomic with op `imm` on memory operand `mem` with source register `src`. */
export function atomicText(imm: number, mem: string, src: string): string {
  if (imm === ATOMIC_XCHG) return `${src} = xchg(${mem}, ${src})`;
  if (imm === ATOMIC_CMPXCHG) return `${src.startsWith("w") ? "w0" : "r0"} = cmpxchg(${mem}, ${src.startsWith("w") ? "w0" : "r0"}, ${src})`;
  const base = NAMES[imm & ~ATOMIC_FETCH];
  if (!base) return `atomic op 0x${imm.toString(16)} on ${mem}, ${src}`;
  return imm & ATOMIC_FETCH ? `${src} = atomic_fetch_${base[1]}(${mem}, ${src})` : `lock ${mem} ${base[0]} ${src}`;
}
