/**
 * CO-RE records the compiler writes for kernel struct accesses (`KernelStruct<"...">`), as
 * clang does for `preserve_access_index` structs:
 *
 * - the object's `.BTF` gets a minimal local definition of every kernel struct an access
 *   touches, holding only the members accessed, at the offsets the compiler used (so the
 *   loader finds in the instruction exactly what the local BTF says);
 * - each relocated instruction gets a `bpf_core_relo` record: its byte offset in the
 *   section, the root struct's local type id, the access string ("0:3:1": the root, then
 *   member indices in the local definitions) and the kind (byte offset, existence).
 *
 * The loader (ours or libbpf) matches the local definitions by name against the target
 * kernel's BTF and rewrites each instruction's immediate.
 */
import type { KComposite, KernelTypes, KType } from "../kernel/kernel-types.js";
import { BTF_INT_BOOL, BTF_INT_SIGNED, type BtfWriter } from "./writer.js";

/** bpf_core_relo_kind values (include/uapi/linux/bpf.h) the compiler emits. */
export const CORE_KIND = {
  FIELD_BYTE_OFFSET: 0, FIELD_BYTE_SIZE: 1, FIELD_EXISTS: 2, FIELD_LSHIFT_U64: 4, FIELD_RSHIFT_U64: 5, TYPE_EXISTS: 8, TYPE_SIZE: 9, ENUMVAL_EXISTS: 10, ENUMVAL_VALUE: 11,
} as const;
export type CoreKind = (typeof CORE_KIND)[keyof typeof CORE_KIND];

/**
 * One relocatable value: `kind` of member `path` (names, from the root struct inward, and
 * numbers for elements of array members); of the root type itself when `path` is empty
 * (type_exists, type_size); of enumerator `path[0]` of enum `root` when `enumValues` is set
 * (enum_value, enum_exists).
 */
export interface CoreAccess {
  /** The named struct, union or enum the access starts from. */
  readonly root: string;
  /**
   * Member names, each inside the previous member's embedded struct; a number is an element
   * of the array member before it (`rlim[7]` is `"rlim", 7`).
   */
  readonly path: readonly (string | number)[];
  /** For enum accesses: the enum's size and every enumerator the build knows (name, value). */
  readonly enumValues?: { readonly size: number; readonly values: readonly { readonly name: string; readonly value: bigint }[] };
  readonly kind: CoreKind;
  /** The value compiled in (byte offset, size, or 1 for existence), from the build's layouts. */
  readonly value: bigint;
}

/** A relocated instruction of a function: index in the function and what it accesses. */
export interface CoreSite {
  readonly insn: number;
  readonly access: CoreAccess;
}

/** One `bpf_core_relo` record, section-relative. */
export interface CoreReloRecord {
  readonly insnOff: number;
  readonly typeId: number;
  readonly accessOff: number;
  readonly kind: number;
}

/** A member of a composite, or an element (`index`) of the array member the step before names. */
type Step = { readonly comp: KComposite; readonly member: string } | { readonly index: number };

/** The composite a value of type `t` is, if it is one. */
function compositeOf(t: KType, types: KernelTypes): KComposite | undefined {
  return t.k === "struct" ? types.composite(t.name) : t.k === "anon" ? t.def : undefined;
}

/** The composites, members and elements an access walks through, or undefined if one is unknown. */
function walk(a: CoreAccess, types: KernelTypes): Step[] | undefined {
  let comp = types.composite(a.root);
  let array: Extract<KType, { k: "array" }> | undefined;
  const steps: Step[] = [];
  for (const step of a.path) {
    if (typeof step === "number") {
      if (!array) return undefined;
      steps.push({ index: step });
      comp = compositeOf(array.elem, types);
      array = undefined;
      continue;
    }
    if (!comp) return undefined;
    const m = comp.members.find((x) => x.name === step);
    if (!m) return undefined;
    steps.push({ comp, member: step });
    comp = compositeOf(m.type, types);
    array = m.type.k === "array" ? m.type : undefined;
  }
  return steps;
}

/**
 * Writes the local struct definitions `accesses` need into `w` and returns, per access, its
 * root type id and access string. `arrayIndex` is the object's array index type.
 */
export function writeCoreTypes(w: BtfWriter, accesses: readonly CoreAccess[], types: KernelTypes, arrayIndex: number): (a: CoreAccess) => { typeId: number; access: string } {
  // Members used per composite (named ones by name: a struct is one local type however reached).
  const keyOf = new Map<KComposite, string>();
  const named = (name: string, union?: true): string => `${union ? "union" : "struct"} ${name}`;
  const key = (c: KComposite): string => {
    if (c.name) return named(c.name, c.union);
    let k = keyOf.get(c);
    if (!k) keyOf.set(c, (k = `anon#${keyOf.size}`));
    return k;
  };
  const comps = new Map<string, { comp: KComposite; used: Set<string> }>();
  const use = (c: KComposite, member?: string) => {
    const k = key(c);
    let e = comps.get(k);
    if (!e) comps.set(k, (e = { comp: c, used: new Set() }));
    if (member) e.used.add(member);
  };
  const walks = new Map<CoreAccess, Step[]>();
  const roots = new Map<CoreAccess, KComposite>();
  // Enums: the enumerators accessed, per enum.
  const enums = new Map<string, { size: number; values: Map<string, bigint> }>();
  for (const a of accesses) {
    if (a.enumValues) {
      let e = enums.get(a.root);
      if (!e) enums.set(a.root, (e = { size: a.enumValues.size, values: new Map() }));
      const v = a.enumValues.values.find((x) => x.name === a.path[0]);
      if (!v) throw new Error(`internal: CO-RE enumerator ${a.root}.${a.path[0]} unknown`);
      e.values.set(v.name, v.value);
      continue;
    }
    const steps = walk(a, types);
    const root = types.composite(a.root);
    if (!steps || !root || (steps.length === 0 && a.path.length > 0)) throw new Error(`internal: CO-RE access ${a.root}.${a.path.join(".")} does not resolve`);
    walks.set(a, steps);
    roots.set(a, root);
    use(root);
    for (const s of steps) if ("member" in s) use(s.comp, s.member);
  }
  // Embedded members (and elements of array members) need their own (possibly empty)
  // definitions; pointers to known structs point at theirs, other pointers at void.
  const memberOf = (c: KComposite, name: string) => c.members.find((m) => m.name === name)!;
  for (const { comp, used } of [...comps.values()]) {
    for (const n of used) {
      const t = memberOf(comp, n).type;
      const inner = compositeOf(t.k === "array" ? t.elem : t, types);
      if (inner) use(inner);
    }
  }
  const order = [...comps.keys()];
  const leafIds = new Map<string, number>();
  const leaf = (k: string, make: () => number): number => {
    let id = leafIds.get(k);
    if (id === undefined) leafIds.set(k, (id = make()));
    return id;
  };
  const scalarType = (t: KType): number | undefined => {
    if (t.k === "int") return leaf(`i:${t.c}:${t.size}:${t.signed}`, () => w.int(t.c, t.size, t.c === "_Bool" ? BTF_INT_BOOL : t.signed ? BTF_INT_SIGNED : 0));
    if (t.k === "enum") return leaf(`e:${t.c}:${t.size}`, () => w.enumeration(t.c, t.size, false));
    if (t.k === "array") {
      const elem = scalarType(t.elem);
      return elem === undefined ? undefined : leaf(`a:${elem}:${t.length}`, () => w.array(elem, arrayIndex, t.length));
    }
    return undefined;
  };
  // Scalars and arrays of them first; then pointers and arrays of pointers or composites, whose
  // targets (the composites) come right after them.
  const pointers: string[] = [];
  const ptrKey = (t: Extract<KType, { k: "ptr" }>) => (t.to && comps.has(named(t.to, t.union)) ? named(t.to, t.union) : "void");
  // The local type a pointer, struct or union member (or array element) refers to.
  const elemKey = (t: KType): string | undefined =>
    t.k === "ptr" ? `*${ptrKey(t)}` : t.k === "struct" ? named(t.name, t.union) : t.k === "anon" ? key(t.def) : undefined;
  const arrays: { key: string; elem: string; length: number }[] = [];
  const arrayKey = (t: Extract<KType, { k: "array" }>): string | undefined => {
    const e = elemKey(t.elem);
    return e === undefined ? undefined : `${e}[${t.length}]`;
  };
  for (const { comp, used } of comps.values()) {
    for (const n of used) {
      const t = memberOf(comp, n).type;
      const inner = t.k === "array" ? t.elem : t;
      if (inner.k === "ptr") {
        const pk = ptrKey(inner);
        if (!pointers.includes(pk)) pointers.push(pk);
      }
      const ak = t.k === "array" ? arrayKey(t) : undefined;
      if (t.k === "array" && ak !== undefined) {
        if (!arrays.some((a) => a.key === ak)) arrays.push({ key: ak, elem: elemKey(t.elem)!, length: t.length });
      } else if (t.k !== "ptr" && t.k !== "struct" && t.k !== "anon" && scalarType(t) === undefined) {
        throw new Error(`internal: CO-RE member ${comp.name}.${n} has a type the compiler does not read`);
      }
    }
  }
  const firstComp = w.nextTypeId + pointers.length + arrays.length;
  const compId = (k: string) => firstComp + order.indexOf(k);
  const ptrIds = new Map(pointers.map((pk) => [pk, w.ptr(pk === "void" ? 0 : compId(pk))]));
  const elemId = (k: string) => (k.startsWith("*") ? ptrIds.get(k.slice(1))! : compId(k));
  const arrayIds = new Map(arrays.map((a) => [a.key, w.array(elemId(a.elem), arrayIndex, a.length)]));
  const localMembers = new Map<string, string[]>();
  for (const k of order) {
    const { comp, used } = comps.get(k)!;
    const members = comp.members.filter((m) => used.has(m.name)).sort((a, b) => a.bitOffset - b.bitOffset);
    localMembers.set(k, members.map((m) => m.name));
    const typed = members.map((m) => {
      const t = m.type;
      const ak = t.k === "array" ? arrayKey(t) : undefined;
      const ek = elemKey(t);
      const type = ak !== undefined ? arrayIds.get(ak)! : ek !== undefined ? elemId(ek) : scalarType(t)!;
      return { name: m.name, type, bitOffset: m.bitOffset, ...(m.bitfieldSize ? { bitfieldSize: m.bitfieldSize } : {}) };
    });
    const id = comp.union ? w.union(comp.name, comp.size, typed) : w.struct(comp.name, comp.size, typed);
    if (id !== compId(k)) throw new Error("internal: CO-RE local type ids out of order");
  }
  const enumIds = new Map<string, { id: number; names: string[] }>();
  for (const [name, e] of enums) {
    const values = [...e.values].map(([n, value]) => ({ name: n, value }));
    enumIds.set(name, { id: w.enumeration(name, e.size, false, values), names: values.map((v) => v.name) });
  }
  return (a) => {
    if (a.enumValues) {
      const e = enumIds.get(a.root)!;
      return { typeId: e.id, access: `${e.names.indexOf(String(a.path[0]))}` };
    }
    const steps = walks.get(a)!;
    const idx = steps.map((s) => ("member" in s ? localMembers.get(key(s.comp))!.indexOf(s.member) : s.index));
    return { typeId: compId(key(roots.get(a)!)), access: ["0", ...idx].join(":") };
  };
}
