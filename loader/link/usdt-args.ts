/**
 * USDT argument specs of x86-64 SystemTap notes: `<size>@<operand>`, where the operand is
 * the AT&T-syntax text gcc chose for sdt.h's "nor" constraint: an immediate (`-4@$42`), a
 * register (`8@%rdi`, `1@%dl`) or memory at a register plus a displacement (`-4@-20(%rbp)`,
 * `1@(%r8)`). Pure: text in, specs out; a BPF program reads each argument from `pt_regs`
 * (and user memory for derefs) using the offsets given here.
 */
import { NotSupportedError, WhistlerError } from "../../runtime/errors.js";

export type UsdtArgKind = "const" | "reg" | "reg_deref";

export interface UsdtArg {
  readonly kind: UsdtArgKind;
  /** const: the value; reg_deref: the displacement added to the register; reg: 0n. */
  readonly value: bigint;
  /** reg, reg_deref: byte offset of the (full 64-bit) register in x86-64 struct pt_regs; const: 0. */
  readonly regOffset: number;
  /** The register as written ("eax", "rsp"), or "" for const. */
  readonly register: string;
  /** Bytes of the value (1, 2, 4 or 8) and whether it is signed ("-4@..." is a signed int). */
  readonly size: 1 | 2 | 4 | 8;
  readonly signed: boolean;
}

/**
 * Offsets in x86-64 `struct pt_regs` (arch/x86/include/uapi/asm/ptrace.h) and every name of
 * each register. A sub-register is read from its full register and then narrowed by the
 * size, so all its names share one offset.
 */
const REGISTERS: readonly (readonly [number, readonly string[]])[] = [
  [0, ["r15", "r15d", "r15w", "r15b"]],
  [8, ["r14", "r14d", "r14w", "r14b"]],
  [16, ["r13", "r13d", "r13w", "r13b"]],
  [24, ["r12", "r12d", "r12w", "r12b"]],
  [32, ["rbp", "ebp", "bp", "bpl"]],
  [40, ["rbx", "ebx", "bx", "bl"]],
  [48, ["r11", "r11d", "r11w", "r11b"]],
  [56, ["r10", "r10d", "r10w", "r10b"]],
  [64, ["r9", "r9d", "r9w", "r9b"]],
  [72, ["r8", "r8d", "r8w", "r8b"]],
  [80, ["rax", "eax", "ax", "al"]],
  [88, ["rcx", "ecx", "cx", "cl"]],
  [96, ["rdx", "edx", "dx", "dl"]],
  [104, ["rsi", "esi", "si", "sil"]],
  [112, ["rdi", "edi", "di", "dil"]],
  [152, ["rsp", "esp", "sp", "spl"]],
];

const REGISTER_OFFSETS: ReadonlyMap<string, number> = new Map(REGISTERS.flatMap(([off, names]) => names.map((n) => [n, off] as const)));

/** Bits 8-15 of a register: pt_regs has no slot holding them at the bottom of a word. */
const HIGH_BYTE = new Set(["ah", "bh", "ch", "dh"]);

const SIZES = new Set([1, 2, 4, 8]);

/** A decimal or 0x-hex integer, optionally negative, as GNU as writes displacements and immediates. */
const INTEGER = /^-?(?:0x[0-9a-f]+|\d+)$/i;

const MIN_I64 = -(1n << 63n);
const MAX_U64 = (1n << 64n) - 1n;

/** Parse a whole argument string ("8@%rbp -4@$1"); "" (a probe without arguments) is []. */
export function parseUsdtArgs(text: string): UsdtArg[] {
  const specs = text.trim();
  return specs === "" ? [] : specs.split(/\s+/).map(parseUsdtArg);
}

/** Parse one `<size>@<operand>` spec. */
export function parseUsdtArg(spec: string): UsdtArg {
  const at = spec.indexOf("@");
  const sizeText = at < 0 ? "" : spec.slice(0, at);
  const sizeValue = /^-?\d$/.test(sizeText) ? Number(sizeText) : NaN;
  const size = Math.abs(sizeValue);
  if (!SIZES.has(size)) {
    const why = at < 0 ? "it has no size (expected <size>@<operand>, e.g. -4@%eax)" : `size "${sizeText}" is not one of 1, 2, 4, 8 (negative for signed)`;
    throw new NotSupportedError(`USDT argument "${spec}": ${why}`);
  }
  const common = { size: size as UsdtArg["size"], signed: sizeValue < 0 };
  const operand = spec.slice(at + 1);

  if (operand.startsWith("$")) {
    const imm = operand.slice(1);
    if (!INTEGER.test(imm)) {
      if (/^[A-Za-z_.]/.test(imm)) throw new NotSupportedError(`USDT argument "${spec}": an immediate naming a symbol ("${imm}") is not supported`);
      throw unparseable(spec);
    }
    return { kind: "const", value: integer(imm, spec), regOffset: 0, register: "", ...common };
  }
  if (operand.startsWith("%")) {
    const register = operand.slice(1);
    return { kind: "reg", value: 0n, regOffset: registerOffset(register, spec), register, ...common };
  }
  const mem = /^([^(]*)\((.*)\)$/.exec(operand);
  if (!mem) throw unparseable(spec);
  const [, disp = "", inside = ""] = mem;
  if (inside.includes(",")) {
    throw new NotSupportedError(`USDT argument "${spec}": index/scale memory operands (disp(%base,%index,scale)) are not supported`);
  }
  if (!inside.startsWith("%")) throw unparseable(spec);
  const register = inside.slice(1);
  if (disp !== "" && !INTEGER.test(disp)) {
    // gcc writes a global as `sym(%rip)`; its address is known only after relocation.
    if (/^[A-Za-z_.]/.test(disp)) {
      throw new NotSupportedError(`USDT argument "${spec}": a memory operand relative to symbol "${disp}" is not supported`);
    }
    throw unparseable(spec);
  }
  return { kind: "reg_deref", value: disp === "" ? 0n : integer(disp, spec), regOffset: registerOffset(register, spec), register, ...common };
}

function registerOffset(register: string, spec: string): number {
  const off = REGISTER_OFFSETS.get(register);
  if (off !== undefined) return off;
  if (register === "rip") {
    // Relative to the instruction that would use the operand, which the note does not record.
    throw new NotSupportedError(`USDT argument "${spec}": %rip-relative operands are not supported`);
  }
  if (HIGH_BYTE.has(register)) {
    throw new NotSupportedError(`USDT argument "${spec}": high-byte register %${register} is not supported`);
  }
  if (/^[a-z][a-z0-9]*$/.test(register)) {
    throw new NotSupportedError(`USDT argument "${spec}": register %${register} is not an x86-64 general-purpose register in pt_regs`);
  }
  throw unparseable(spec);
}

/** A 64-bit value, signed or unsigned, from decimal or hex text checked by INTEGER. */
function integer(text: string, spec: string): bigint {
  const negative = text.startsWith("-");
  const magnitude = BigInt(negative ? text.slice(1) : text);
  const value = negative ? -magnitude : magnitude;
  if (value < MIN_I64 || value > MAX_U64) throw new WhistlerError(`USDT argument "${spec}": ${text} does not fit in 64 bits`);
  return value;
}

function unparseable(spec: string): WhistlerError {
  return new WhistlerError(`USDT argument "${spec}" is not a spec this parser knows`, {
    hint: "expected <size>@$<integer>, <size>@%<register>, <size>@<displacement>(%<register>) or <size>@(%<register>)",
  });
}
