/**
 * CO-RE: resolving `.BTF.ext` core_relo records against a target kernel's BTF and patching
 * the instructions, as libbpf's relo_core.c does (our own code; the same rules):
 *
 * 1. The access string ("0:1:2") is walked on the object's (local) BTF: the first index is an
 *    array index on the root type, then member or array indices; named members are what must
 *    match on the target.
 * 2. Candidates are target types of the same kind whose essential name (without a
 *    `___flavor` suffix) equals the local one. Each is matched member by member by name
 *    (looking through anonymous structs and unions), with compatible field types.
 * 3. Every matching candidate must give the same value. No candidate: the *_EXISTS kinds give
 *    0; any other kind poisons the instruction (a call to helper 0xbad2310), so the verifier
 *    rejects it only if that code can run.
 *
 * Pure: bytes and BTF in, patched bytes and a per-relocation report out.
 */
import { WhistlerError } from "../../runtime/errors.js";
import { BTF_INT_SIGNED, type Btf, type BtfType } from "../btf/index.js";
import type { CoreRelo } from "./core-ext.js";

export const CoreReloKind = {
  FIELD_BYTE_OFFSET: 0, FIELD_BYTE_SIZE: 1, FIELD_EXISTS: 2, FIELD_SIGNED: 3, FIELD_LSHIFT_U64: 4, FIELD_RSHIFT_U64: 5,
  TYPE_ID_LOCAL: 6, TYPE_ID_TARGET: 7, TYPE_EXISTS: 8, TYPE_SIZE: 9, ENUMVAL_EXISTS: 10, ENUMVAL_VALUE: 11, TYPE_MATCHES: 12,
} as const;
const KIND_NAMES = Object.fromEntries(Object.entries(CoreReloKind).map(([k, v]) => [v, k.toLowerCase()])) as Record<number, string>;

/** The helper id libbpf writes into a poisoned call: the verifier names it in its log. */
export const POISON_HELPER = 0xbad2310;

/** A relocation the loader cannot even attempt (bad access string, unknown kind, ambiguity). */
export class CoreReloError extends WhistlerError {}

interface Accessor {
  /** Type of the composite/array this accessor indexes into (local or target ids). */
  readonly typeId: number;
  readonly idx: number;
  /** Member name for member accesses; undefined for array indices. */
  readonly name: string | undefined;
}

interface Spec {
  readonly rootId: number;
  /** Named member accesses and array indices (anonymous members folded into offsets). */
  readonly acc: readonly Accessor[];
  readonly bitOffset: number;
}

export interface CoreResult {
  readonly relo: CoreRelo;
  readonly kindName: string;
  /** Value the instruction holds for the local BTF, and the value patched in. */
  readonly localValue: number;
  readonly targetValue: number;
  /** Enumerator values exactly, for an ld_imm64 of a 64-bit one (the numbers round above 2^53). */
  readonly exact?: { readonly local: bigint; readonly target: bigint };
  readonly poisoned: boolean;
  /** Field size on the target (memory loads are resized to it). */
  readonly targetSize?: number;
  readonly localSize?: number;
  /**
   * The field changed size in a way a load cannot follow (anything but unsigned integers and
   * pointers, whose zero extension keeps the value): memory accesses are poisoned, as libbpf does.
   */
  readonly sizeChangeUnsafe?: boolean;
}

const isComposite = (t: BtfType): boolean => t.kind === "STRUCT" || t.kind === "UNION";
const isEnum = (t: BtfType): boolean => t.kind === "ENUM" || t.kind === "ENUM64";

/** `task_struct___v2` -> `task_struct` */
export function essentialName(name: string): string {
  const i = name.indexOf("___");
  return i > 0 ? name.slice(0, i) : name;
}

function skipModsAndTypedefs(btf: Btf, id: number): { id: number; t: BtfType } {
  let t = btf.type(id);
  for (let i = 0; i < 64; i++) {
    if (t.kind === "TYPEDEF" || t.kind === "CONST" || t.kind === "VOLATILE" || t.kind === "RESTRICT" || t.kind === "TYPE_TAG") {
      id = t.type;
      t = btf.type(id);
    } else {
      return { id, t };
    }
  }
  throw new CoreReloError(`type #${id} is a chain of typedefs/modifiers too deep to follow`);
}

function isFieldKind(k: number): boolean {
  return k <= CoreReloKind.FIELD_RSHIFT_U64;
}
function isTypeKind(k: number): boolean {
  return k >= CoreReloKind.TYPE_ID_LOCAL && k <= CoreReloKind.TYPE_SIZE || k === CoreReloKind.TYPE_MATCHES;
}
function isEnumKind(k: number): boolean {
  return k === CoreReloKind.ENUMVAL_EXISTS || k === CoreReloKind.ENUMVAL_VALUE;
}

/** Walks the access string on the local BTF. */
function parseSpec(btf: Btf, relo: CoreRelo): Spec {
  const parts = relo.access.split(":");
  if (parts.length === 0 || parts.some((p) => !/^\d+$/.test(p))) throw new CoreReloError(`access string "${relo.access}" is malformed`);
  const idxs = parts.map(Number);
  const root = skipModsAndTypedefs(btf, relo.typeId);
  if (isTypeKind(relo.kind)) {
    if (idxs.length !== 1 || idxs[0] !== 0) throw new CoreReloError(`type relocation with access "${relo.access}" (expected "0")`);
    return { rootId: relo.typeId, acc: [{ typeId: relo.typeId, idx: 0, name: undefined }], bitOffset: 0 };
  }
  if (isEnumKind(relo.kind)) {
    if (!isEnum(root.t) || idxs.length !== 1) throw new CoreReloError(`enum relocation on type #${relo.typeId} (${root.t.kind}) with access "${relo.access}"`);
    const values = (root.t as Extract<BtfType, { kind: "ENUM" | "ENUM64" }>).values;
    const v = values[idxs[0]!];
    if (!v) throw new CoreReloError(`enumerator #${idxs[0]} of enum ${root.t.name || `#${root.id}`} does not exist`);
    return { rootId: relo.typeId, acc: [{ typeId: root.id, idx: idxs[0]!, name: v.name }], bitOffset: 0 };
  }
  if (!isFieldKind(relo.kind)) throw new CoreReloError(`relocation kind ${relo.kind} is unknown`);
  const acc: Accessor[] = [{ typeId: relo.typeId, idx: idxs[0]!, name: undefined }];
  let bitOffset = idxs[0]! * btf.sizeof(root.id) * 8;
  let id = relo.typeId;
  for (const idx of idxs.slice(1)) {
    const { id: rid, t } = skipModsAndTypedefs(btf, id);
    if (t.kind === "STRUCT" || t.kind === "UNION") {
      const m = t.members[idx];
      if (!m) throw new CoreReloError(`member #${idx} of ${t.kind.toLowerCase()} ${t.name || `#${rid}`} does not exist (access "${relo.access}")`);
      bitOffset += m.bitOffset;
      if (m.name) acc.push({ typeId: rid, idx, name: m.name });
      id = m.type;
    } else if (t.kind === "ARRAY") {
      acc.push({ typeId: rid, idx, name: undefined });
      bitOffset += idx * btf.sizeof(t.type) * 8;
      id = t.type;
    } else {
      throw new CoreReloError(`access "${relo.access}" indexes into a ${t.kind} (type #${rid})`);
    }
  }
  return { rootId: relo.typeId, acc, bitOffset };
}

/** libbpf's field compatibility: same class of type; composites by kind only; arrays by element. */
function fieldsCompatible(local: Btf, lid: number, target: Btf, tid: number): boolean {
  for (let depth = 0; depth < 32; depth++) {
    const l = skipModsAndTypedefs(local, lid).t;
    const t = skipModsAndTypedefs(target, tid).t;
    if (isComposite(l) && isComposite(t)) return true;
    if (isEnum(l) && isEnum(t)) return true;
    if (l.kind === "FWD" || t.kind === "FWD") return isComposite(l) || isComposite(t) || (l.kind === "FWD" && t.kind === "FWD");
    if (l.kind !== t.kind) return false;
    switch (l.kind) {
      case "INT": case "PTR": return true;
      case "FLOAT": return l.size === (t as typeof l).size;
      case "ARRAY": lid = l.type; tid = (t as typeof l).type; continue;
      default: return false;
    }
  }
  return false;
}

/** libbpf's type compatibility for type-based relocations. */
function typesCompatible(local: Btf, lid: number, target: Btf, tid: number, depth = 0): boolean {
  if (depth > 32) return false;
  const l = skipModsAndTypedefs(local, lid).t;
  const t = skipModsAndTypedefs(target, tid).t;
  if (l.kind !== t.kind && !(isEnum(l) && isEnum(t))) return false;
  switch (l.kind) {
    case "STRUCT": case "UNION": case "ENUM": case "ENUM64": case "FWD": case "VOID": return true;
    case "INT": return (l.bitOffset === 0) === ((t as typeof l).bitOffset === 0);
    case "FLOAT": return true;
    case "PTR": return typesCompatible(local, l.type, target, (t as typeof l).type, depth + 1);
    case "ARRAY": return typesCompatible(local, l.type, target, (t as typeof l).type, depth + 1);
    case "FUNC_PROTO": {
      const tp = t as typeof l;
      if (l.params.length !== tp.params.length) return false;
      return l.params.every((p, i) => typesCompatible(local, p.type, target, tp.params[i]!.type, depth + 1)) &&
        typesCompatible(local, l.returnType, target, tp.returnType, depth + 1);
    }
    default: return false;
  }
}

/** Finds member `name` in composite `tid`, looking through anonymous members; returns its bit offset and type. */
function findMember(target: Btf, tid: number, name: string, depth = 0): { bitOffset: number; bitfieldSize: number; type: number; parent: number; idx: number } | undefined {
  if (depth > 32) return undefined;
  const { id, t } = skipModsAndTypedefs(target, tid);
  if (t.kind !== "STRUCT" && t.kind !== "UNION") return undefined;
  for (const [i, m] of t.members.entries()) {
    if (m.name && essentialName(m.name) === essentialName(name)) return { bitOffset: m.bitOffset, bitfieldSize: m.bitfieldSize, type: m.type, parent: id, idx: i };
    if (!m.name) {
      const inner = findMember(target, m.type, name, depth + 1);
      if (inner) return { ...inner, bitOffset: inner.bitOffset + m.bitOffset };
    }
  }
  return undefined;
}

/** Matches the local spec on target type `tid`; undefined when it does not match. */
function matchSpec(local: Btf, spec: Spec, relo: CoreRelo, target: Btf, tid: number): Spec | undefined {
  if (isTypeKind(relo.kind)) {
    return typesCompatible(local, spec.rootId, target, tid) ? { rootId: tid, acc: [{ typeId: tid, idx: 0, name: undefined }], bitOffset: 0 } : undefined;
  }
  if (isEnumKind(relo.kind)) {
    const t = skipModsAndTypedefs(target, tid).t;
    if (!isEnum(t)) return undefined;
    const want = essentialName(spec.acc[0]!.name!);
    const idx = (t as Extract<BtfType, { kind: "ENUM" | "ENUM64" }>).values.findIndex((v) => essentialName(v.name) === want);
    return idx < 0 ? undefined : { rootId: tid, acc: [{ typeId: tid, idx, name: want }], bitOffset: 0 };
  }
  const first = spec.acc[0]!;
  const acc: Accessor[] = [{ typeId: tid, idx: first.idx, name: undefined }];
  let bitOffset = first.idx * target.sizeof(tid) * 8;
  let id = tid;
  for (const la of spec.acc.slice(1)) {
    if (la.name !== undefined) {
      const m = findMember(target, id, la.name);
      if (!m) return undefined;
      const lm = (local.type(la.typeId) as Extract<BtfType, { kind: "STRUCT" | "UNION" }>).members[la.idx]!;
      if (!fieldsCompatible(local, lm.type, target, m.type)) return undefined;
      bitOffset += m.bitOffset;
      acc.push({ typeId: m.parent, idx: m.idx, name: la.name });
      id = m.type;
    } else {
      const { id: rid, t } = skipModsAndTypedefs(target, id);
      if (t.kind !== "ARRAY") return undefined;
      if (t.nelems !== 0 && la.idx >= t.nelems) return undefined;
      acc.push({ typeId: rid, idx: la.idx, name: undefined });
      bitOffset += la.idx * target.sizeof(t.type) * 8;
      id = t.type;
    }
  }
  return { rootId: tid, acc, bitOffset };
}

interface Calc {
  readonly value: number;
  /** An enumerator's value exactly (`value` rounds 64-bit ones above 2^53). */
  readonly exact?: bigint;
  readonly size?: number;
  /** The field's type (modifiers and typedefs skipped), for field-based kinds. */
  readonly typeId?: number;
}

/** The relocation's value for a (local or target) spec, as libbpf computes it. */
function calcValue(btf: Btf, spec: Spec, kind: number, localTypeId: number): Calc {
  const last = spec.acc[spec.acc.length - 1]!;
  switch (kind) {
    case CoreReloKind.TYPE_ID_LOCAL: return { value: localTypeId };
    case CoreReloKind.TYPE_ID_TARGET: return { value: spec.rootId };
    case CoreReloKind.TYPE_EXISTS: case CoreReloKind.TYPE_MATCHES: return { value: 1 };
    case CoreReloKind.TYPE_SIZE: return { value: btf.sizeof(spec.rootId) };
    case CoreReloKind.ENUMVAL_EXISTS: return { value: 1 };
    case CoreReloKind.ENUMVAL_VALUE: {
      const t = skipModsAndTypedefs(btf, last.typeId).t as Extract<BtfType, { kind: "ENUM" | "ENUM64" }>;
      const v = t.values[last.idx]!.value;
      return { value: Number(v), exact: BigInt(v) };
    }
    default: break;
  }
  if (kind === CoreReloKind.FIELD_EXISTS) return { value: 1 };
  if (last.name === undefined) {
    // The root itself or an array element.
    const elemId = spec.acc.length === 1 ? spec.rootId : (skipModsAndTypedefs(btf, last.typeId).t as Extract<BtfType, { kind: "ARRAY" }>).type;
    const size = btf.sizeof(elemId);
    const typeId = skipModsAndTypedefs(btf, elemId).id;
    if (kind === CoreReloKind.FIELD_BYTE_OFFSET) return { value: spec.bitOffset / 8, size, typeId };
    if (kind === CoreReloKind.FIELD_BYTE_SIZE) return { value: size, size, typeId };
    throw new CoreReloError(`${KIND_NAMES[kind]} applies to struct members, not to array elements or the root`);
  }
  const parent = skipModsAndTypedefs(btf, last.typeId).t as Extract<BtfType, { kind: "STRUCT" | "UNION" }>;
  const m = parent.members[last.idx]!;
  const mt = skipModsAndTypedefs(btf, m.type).t;
  const bitOff = spec.bitOffset;
  let byteSize = btf.sizeof(m.type);
  let bitSize = m.bitfieldSize;
  let byteOff: number;
  if (bitSize === 0) {
    bitSize = byteSize * 8;
    byteOff = bitOff / 8;
  } else {
    byteOff = Math.floor(bitOff / 8 / byteSize) * byteSize;
    while (bitOff + bitSize - byteOff * 8 > byteSize * 8) {
      if (byteSize >= 8) throw new CoreReloError(`bitfield at bit ${bitOff} of ${bitSize} bits cannot be loaded in 8 bytes`);
      byteSize *= 2;
      byteOff = Math.floor(bitOff / 8 / byteSize) * byteSize;
    }
  }
  switch (kind) {
    case CoreReloKind.FIELD_BYTE_OFFSET: return { value: byteOff, size: byteSize, typeId: skipModsAndTypedefs(btf, m.type).id };
    case CoreReloKind.FIELD_BYTE_SIZE: return { value: byteSize, size: byteSize, typeId: skipModsAndTypedefs(btf, m.type).id };
    case CoreReloKind.FIELD_SIGNED:
      return { value: ((mt.kind === "ENUM" || mt.kind === "ENUM64") && mt.signed) || (mt.kind === "INT" && (mt.encoding & BTF_INT_SIGNED) !== 0) ? 1 : 0 };
    case CoreReloKind.FIELD_LSHIFT_U64: return { value: 64 - (bitOff + bitSize - byteOff * 8) };
    case CoreReloKind.FIELD_RSHIFT_U64: return { value: 64 - bitSize };
    default: throw new CoreReloError(`relocation kind ${kind} is unknown`);
  }
}

/**
 * Target types by essential name, kept per target BTF. Only the names objects ask for are
 * looked up (one pass over the types each): indexing every name of a kernel's 120,000+ types
 * up front cost more than all the lookups of a typical object.
 */
export class CoreCandidates {
  readonly #byName = new Map<string, readonly number[]>();
  /**
   * `modules`: kernel module BTFs (split on `target`), searched, as libbpf does, only for root
   * types `target` itself has no candidate for; read on first need.
   */
  constructor(readonly target: Btf, private readonly modules?: () => readonly CoreCandidates[]) {}

  /** Ids of the types whose essential name is `key` (`key` itself or `key___flavor`). */
  #named(key: string): readonly number[] {
    let ids = this.#byName.get(key);
    if (ids) return ids;
    const found: number[] = [];
    // Split BTF: only its own types; the base's are the base's candidates.
    const types = this.target.base ? this.target.types.slice(this.target.firstOwnId) : this.target.types;
    for (const t of types) {
      const n = t.name;
      if (n.length >= key.length && n.startsWith(key) && (n.length === key.length || n.startsWith("___", key.length)) && essentialName(n) === key) found.push(t.id);
    }
    this.#byName.set(key, (ids = found));
    return ids;
  }

  /** Target types with the same essential name as `local` and a compatible kind. */
  for(local: BtfType): number[] {
    const sameKind = (t: BtfType): boolean => t.kind === local.kind || (isEnum(t) && isEnum(local)) ||
      (isComposite(local) && t.kind === "FWD") || (local.kind === "FWD" && isComposite(t));
    return this.#named(essentialName(local.name)).filter((id) => sameKind(this.target.type(id)));
  }

  /** Candidates with the BTF they live in: this target's, else every module's. */
  pool(local: BtfType): { readonly btf: Btf; readonly id: number }[] {
    const own = this.for(local).map((id) => ({ btf: this.target, id }));
    if (own.length > 0 || !this.modules) return own;
    return this.modules().flatMap((m) => m.for(local).map((id) => ({ btf: m.target, id })));
  }
}

/** Resolves one relocation: the value for the target (or a poison verdict). */
export function resolveCoreRelo(local: Btf, relo: CoreRelo, candidates: CoreCandidates): CoreResult {
  const kindName = KIND_NAMES[relo.kind] ?? `kind ${relo.kind}`;
  const localSpec = parseSpec(local, relo);
  const localCalc = relo.kind === CoreReloKind.TYPE_ID_TARGET ? { value: relo.typeId } : calcValue(local, localSpec, relo.kind, relo.typeId);
  if (relo.kind === CoreReloKind.TYPE_ID_LOCAL) return { relo, kindName, localValue: relo.typeId, targetValue: relo.typeId, poisoned: false };
  const root = local.type(localSpec.rootId);
  const rootType = skipModsAndTypedefs(local, root.id).t;
  if (!rootType.name) throw new CoreReloError(`relocation on anonymous type #${relo.typeId}: CO-RE needs a named root type`);
  let found: { calc: Calc; id: number; btf: Btf } | undefined;
  for (const { btf, id: tid } of candidates.pool(rootType)) {
    const t = btf.type(tid);
    if (t.kind === "FWD") continue;
    const spec = matchSpec(local, localSpec, relo, btf, tid);
    if (!spec) continue;
    const calc = calcValue(btf, spec, relo.kind, relo.typeId);
    if (found && (found.calc.value !== calc.value || found.calc.size !== calc.size)) {
      throw new CoreReloError(`${kindName} of ${rootType.name} "${relo.access}": candidates #${found.id} and #${tid} give different values (${found.calc.value}, ${calc.value})`);
    }
    found ??= { calc, id: tid, btf };
  }
  const exists = relo.kind === CoreReloKind.FIELD_EXISTS || relo.kind === CoreReloKind.TYPE_EXISTS || relo.kind === CoreReloKind.ENUMVAL_EXISTS || relo.kind === CoreReloKind.TYPE_MATCHES;
  if (!found) {
    return { relo, kindName, localValue: localCalc.value, targetValue: 0, poisoned: !exists, localSize: localCalc.size };
  }
  const exact = localCalc.exact !== undefined && found.calc.exact !== undefined ? { exact: { local: localCalc.exact, target: found.calc.exact } } : {};
  return {
    relo, kindName, localValue: localCalc.value, targetValue: found.calc.value, poisoned: false, targetSize: found.calc.size, localSize: localCalc.size,
    sizeChangeUnsafe: sizeChangeUnsafe(local, localCalc, found.btf, found.calc), ...exact,
  };
}

/** libbpf's rule for resizing a memory access to a field that changed size. */
function sizeChangeUnsafe(local: Btf, l: Calc, target: Btf, t: Calc): boolean {
  if (l.size === undefined || t.size === undefined || l.size === t.size || l.typeId === undefined || t.typeId === undefined) return false;
  const lt = local.type(l.typeId);
  const tt = target.type(t.typeId);
  if (lt.kind === "PTR" && tt.kind === "PTR") return false;
  if (lt.kind === "INT" && tt.kind === "INT" && lt.encoding !== BTF_INT_SIGNED && tt.encoding !== BTF_INT_SIGNED) return false;
  return true;
}

const BPF_CLASS = (code: number): number => code & 0x07;
const LD = 0x00, LDX = 0x01, ST = 0x02, STX = 0x03, ALU = 0x04, JMP = 0x05, ALU64 = 0x07;
const BPF_K = 0x00;
const SIZE_BITS: Readonly<Record<number, number>> = { 1: 0x10, 2: 0x08, 4: 0x00, 8: 0x18 };
const SIZE_OF_BITS: Readonly<Record<number, number>> = { 0x10: 1, 0x08: 2, 0x00: 4, 0x18: 8 };

function poison(view: DataView, at: number): void {
  view.setUint8(at, JMP | 0x80); // BPF_JMP | BPF_CALL
  view.setUint8(at + 1, 0);
  view.setInt16(at + 2, 0, true);
  view.setInt32(at + 4, POISON_HELPER, true);
}

/**
 * Patches one instruction (at instruction index `insn`) with a resolved relocation, in place.
 * The instruction must hold the local value (as compilers emit it); anything else is refused.
 * Returns whether the instruction was poisoned.
 */
export function patchCoreInsn(insns: Uint8Array, insn: number, r: CoreResult, program: string): boolean {
  const view = new DataView(insns.buffer, insns.byteOffset, insns.byteLength);
  const at = insn * 8;
  if (at + 8 > insns.length) throw new CoreReloError(`program "${program}": CO-RE relocation at instruction ${insn} is past its end`);
  const code = view.getUint8(at);
  const cls = BPF_CLASS(code);
  const where = `program "${program}", instruction ${insn} (${r.kindName} "${r.relo.access}")`;
  const memory = cls === LDX || cls === ST || cls === STX;
  if (r.poisoned || (memory && r.sizeChangeUnsafe)) {
    poison(view, at);
    if (code === 0x18 && at + 16 <= insns.length) poison(view, at + 8);
    return true;
  }
  switch (cls) {
    case ALU: case ALU64: {
      if ((code & 0x08) !== BPF_K) throw new CoreReloError(`${where}: expected an ALU instruction with an immediate`);
      const imm = view.getInt32(at + 4, true);
      if (imm !== r.localValue) throw new CoreReloError(`${where}: the instruction holds ${imm}, the object's BTF says ${r.localValue}`);
      view.setInt32(at + 4, r.targetValue, true);
      return false;
    }
    case LDX: case ST: case STX: {
      const off = view.getInt16(at + 2, true);
      if (off !== r.localValue) throw new CoreReloError(`${where}: the instruction's offset is ${off}, the object's BTF says ${r.localValue}`);
      if (r.targetValue > 0x7fff) throw new CoreReloError(`${where}: offset ${r.targetValue} does not fit an instruction`);
      view.setInt16(at + 2, r.targetValue, true);
      // A field that changed size is loaded at its new size (libbpf does the same for LDX/ST/STX).
      if (r.relo.kind === CoreReloKind.FIELD_BYTE_OFFSET && r.targetSize !== undefined && r.localSize !== undefined && r.targetSize !== r.localSize) {
        const insnSize = SIZE_OF_BITS[code & 0x18];
        if (insnSize !== r.localSize || SIZE_BITS[r.targetSize] === undefined) {
          throw new CoreReloError(`${where}: the field changed size from ${r.localSize} to ${r.targetSize} bytes and the access cannot follow`);
        }
        view.setUint8(at, (code & ~0x18) | SIZE_BITS[r.targetSize]!);
      }
      return false;
    }
    case LD: {
      if (code !== 0x18 || at + 16 > insns.length) throw new CoreReloError(`${where}: expected ld_imm64`);
      // 64 bits: compared and written as bigints (an enumerator may use all of them).
      const held = (BigInt(view.getUint32(at + 12, true)) << 32n) | BigInt(view.getUint32(at + 4, true));
      const local = BigInt.asUintN(64, r.exact?.local ?? BigInt(r.localValue));
      const target = BigInt.asUintN(64, r.exact?.target ?? BigInt(r.targetValue));
      if (held !== local) throw new CoreReloError(`${where}: the instruction holds ${held}, the object's BTF says ${local}`);
      view.setUint32(at + 4, Number(target & 0xffffffffn), true);
      view.setUint32(at + 12, Number(target >> 32n), true);
      return false;
    }
    default:
      throw new CoreReloError(`${where}: instruction class ${cls} cannot carry a CO-RE relocation`);
  }
}

/**
 * Resolves and applies every relocation of one program's instructions (indexes relative to
 * `insns`), returning the patched copy and what was done.
 */
export function applyCoreRelocations(
  insns: Uint8Array, relos: readonly (CoreRelo & { readonly insn: number })[], local: Btf, candidates: CoreCandidates, program: string,
): { insns: Uint8Array; results: CoreResult[] } {
  const out = insns.slice();
  const results: CoreResult[] = [];
  for (const relo of relos) {
    let r: CoreResult;
    try {
      r = resolveCoreRelo(local, relo, candidates);
    } catch (e) {
      if (e instanceof CoreReloError) throw new CoreReloError(`program "${program}": CO-RE relocation at instruction ${relo.insn}: ${e.message}`, { cause: e });
      throw e;
    }
    const poisoned = patchCoreInsn(out, relo.insn, r, program);
    results.push(poisoned === r.poisoned ? r : { ...r, poisoned });
  }
  return { insns: out, results };
}
