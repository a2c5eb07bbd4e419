/**
 * Kernel struct expressions in templates, for completions and hover: `task.` and
 * `task.real_parent.` lead to a struct whose fields (anonymous members flattened) come from
 * the layouts the compiler uses (`../kernel/kernel-types.ts`). The chain's root is a local
 * declared with `as KernelStruct<"name">` or `: KernelStruct<"name">` earlier in the
 * template, or initialised by such a chain (`const parent = task.real_parent;`); each step
 * goes through an embedded struct, a pointer to one, or an element of an array of them at a
 * constant index. One resolver (`kernelChainAt`) serves both, so the editor offers exactly
 * the fields it describes.
 */
import { KERNEL_TYPES, ktypeSize, type KComposite, type KMember, type KType } from "../kernel/kernel-types.js";
import { kernelFieldDoc, kernelStructDoc, type Doc } from "./ls-docs.js";
import { chainSteps, constantIndex, prevNonBlank, type ChainStep } from "./ls-site.js";

export interface KernelEntry {
  readonly name: string;
  readonly doc: Doc;
}

/**
 * The struct a chain leads to. Steps into embedded members stay in the struct the last
 * pointer (or the root) led to: the compiler relocates such reads against that struct, at
 * `base` bytes plus the member's offset (as clang folds `a.b.c` into one CO-RE access).
 */
export interface KernelChainEnd {
  readonly comp: KComposite;
  /** How the struct is named in docs: `struct task_struct`, or `struct cred.uid` when anonymous. */
  readonly label: string;
  /** The named struct reads are relocated against, and where `comp` starts inside it. */
  readonly outer: KComposite;
  readonly base: number;
}

interface KernelLocal {
  readonly struct: string;
  readonly param: boolean;
}

/** `a.b[1].c`: an expression the compiler reads as a chain of kernel struct steps. */
const CHAIN = /^[A-Za-z_]\w*(?:\s*\.\s*[A-Za-z_]\w*|\s*\[[^[\]]*\])+$/;

/**
 * Locals and parameters holding kernel structs in `text` before `end`, by name: typed or cast
 * as `KernelStruct<"name">`, or initialised by a chain that leads to a named struct
 * (`const parent = task.real_parent;`, `const lim = task.signal.rlim[7];`), which the compiler
 * keeps as that struct's address. Resolved in order, so a chain may start at an earlier local.
 */
function kernelLocals(text: string, end: number): Map<string, KernelLocal> {
  const out = new Map<string, KernelLocal>();
  const before = text.slice(0, end);
  const params = /\b([A-Za-z_]\w*)\s*:\s*KernelStruct\s*<\s*"(\w+)"\s*>\s*[,)]/g;
  for (const m of before.matchAll(params)) out.set(m[1]!, { struct: m[2]!, param: true });
  const decl = /\b(?:const|let)\s+([A-Za-z_]\w*)\s*(?::\s*KernelStruct\s*<\s*"(\w+)"\s*>)?\s*=([^;]*)/g;
  for (const m of before.matchAll(decl)) {
    const init = m[3]!.trim();
    const cast = /\bas\s+KernelStruct\s*<\s*"(\w+)"\s*>\s*$/.exec(init);
    const struct = m[2] ?? cast?.[1] ?? (CHAIN.test(init) ? chainStruct(out, init) : undefined);
    if (struct) out.set(m[1]!, { struct, param: false });
  }
  return out;
}

/** The named struct the chain `init` leads to from one of `locals`; an anonymous one cannot be kept (WBPF1018). */
function chainStruct(locals: ReadonlyMap<string, KernelLocal>, init: string): string | undefined {
  const chain = chainSteps(`${init}.`, init.length + 1);
  const local = chain && locals.get(chain.root);
  const root = local && KERNEL_TYPES.composite(local.struct);
  const name = chain && root && walk(root, chain.steps)?.comp.name;
  return name || undefined;
}

function labelOf(c: KComposite): string {
  return `${c.union ? "union" : "struct"} ${c.name}`;
}

/** What a value of type `t` at byte `inside` of `at.outer` leads to: an embedded struct, or the struct a pointer points to. */
function into(at: KernelChainEnd, t: KType, inside: number, label: string): KernelChainEnd | undefined {
  if (t.k === "anon") return { comp: t.def, label, outer: at.outer, base: inside };
  if (t.k === "struct") {
    const comp = KERNEL_TYPES.composite(t.name);
    return comp && { comp, label: labelOf(comp), outer: at.outer, base: inside };
  }
  if (t.k === "ptr" && t.to) {
    const comp = KERNEL_TYPES.composite(t.to);
    return comp && { comp, label: labelOf(comp), outer: comp, base: 0 };
  }
  return undefined;
}

/** One step from `at` through member `m`: into an embedded struct, or through a pointer to one. */
function step(at: KernelChainEnd, m: KMember): KernelChainEnd | undefined {
  return into(at, m.type, at.base + Math.floor(m.bitOffset / 8), `${at.label}.${m.name}`);
}

/** Element `i` of the array member `m` of `at` (a constant inside it, as the compiler requires). */
function element(at: KernelChainEnd, m: KMember, i: number | undefined): KernelChainEnd | undefined {
  const t = m.type;
  if (t.k !== "array" || i === undefined || (t.length > 0 && i >= t.length)) return undefined;
  const size = ktypeSize(t.elem, (n) => KERNEL_TYPES.composite(n));
  return into(at, t.elem, at.base + Math.floor(m.bitOffset / 8) + i * size, `${at.label}.${m.name}[${i}]`);
}

/** The kernel struct `name` is declared as before `end`, if it is a KernelStruct local or parameter. */
function kernelRoot(text: string, name: string, end: number): (KernelLocal & { comp: KComposite }) | undefined {
  const local = kernelLocals(text, end).get(name);
  const comp = local && KERNEL_TYPES.composite(local.struct);
  return comp && { ...local, comp };
}

/** Where `steps` (fields, and constant indices into array fields) lead from the struct `root`. */
function walk(root: KComposite, steps: readonly ChainStep[]): KernelChainEnd | undefined {
  let at: KernelChainEnd | undefined = { comp: root, label: labelOf(root), outer: root, base: 0 };
  // An array member waits for its index: its fields are its elements'.
  let array: KMember | undefined;
  for (const s of steps) {
    if (!at) return undefined;
    if ("index" in s) {
      at = array && element(at, array, constantIndex(s.index));
      array = undefined;
      continue;
    }
    if (array) return undefined;
    const m: KMember | undefined = at.comp.members.find((x) => x.name === s.field);
    if (m?.type.k === "array") array = m;
    else at = m && step(at, m);
  }
  return array ? undefined : at;
}

/**
 * The struct the kernel struct expression ending at the dot before `wordStart` leads to,
 * through fields and constant-index elements of arrays (`task.signal.rlim[7].`).
 */
export function kernelChainAt(text: string, wordStart: number): KernelChainEnd | undefined {
  const chain = chainSteps(text, wordStart);
  const root = chain && kernelRoot(text, chain.root, wordStart)?.comp;
  return chain && root ? walk(root, chain.steps) : undefined;
}

/** Fields offered after `text[..wordStart]` when it ends in a kernel struct expression. */
export function kernelMemberEntries(text: string, wordStart: number): KernelEntry[] {
  const at = kernelChainAt(text, wordStart);
  return at ? at.comp.members.map((m) => ({ name: m.name, doc: kernelFieldDoc(at, m) })) : [];
}

/**
 * Hover on `[start, end)`: a field of a kernel struct expression (`task.real_parent.tgid`),
 * a KernelStruct local itself (`task`), or the struct named in `KernelStruct<"task_struct">`.
 * An unknown field or struct has none (the build's WBPF1017 names it).
 */
export function kernelHover(text: string, start: number, end: number): Doc | undefined {
  const word = text.slice(start, end);
  if (/\bKernelStruct\s*<\s*"$/.test(text.slice(Math.max(0, start - 64), start)) && text[end] === '"') {
    const comp = KERNEL_TYPES.composite(word);
    return comp && kernelStructDoc(comp);
  }
  if (text[prevNonBlank(text, start)] === ".") {
    const at = kernelChainAt(text, start);
    const m = at?.comp.members.find((x) => x.name === word);
    return at && m ? kernelFieldDoc(at, m) : undefined;
  }
  // The declaration itself counts: `const task = ... as KernelStruct<"task_struct">;`.
  const stmtEnd = text.indexOf(";", end);
  const root = kernelRoot(text, word, stmtEnd < 0 ? text.length : stmtEnd);
  return root && kernelStructDoc(root.comp, { name: word, param: root.param });
}
