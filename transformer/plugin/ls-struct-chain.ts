/**
 * Chains of defstruct fields in templates, for completions and hover: `e.`, `e.inner.` and
 * `e.pts[i].` lead to a struct whose fields the editor offers and describes. The root is a
 * struct local (`const e = ${ring}.reserve(${Outer})`, `let s: ${Outer}`, or `const p = e.inner;`,
 * which the compiler keeps as a pointer into `e`); each step is a field whose type is a defstruct, or an element of an array of them, as the compiler reads
 * them (`../frontend/structs.ts`: structMember folds `e.inner.b` into one access at the
 * summed offset; arrayIndex checks a constant index against the length). One resolver
 * serves both, so the editor offers exactly the fields it describes.
 */
import type { StructFieldLayout, StructFieldType, StructLayout } from "../../runtime/struct/layout.js";
import { chainSteps, constantIndex, structLocalLayout, type ChainStep, type SiteAt } from "./ls-site.js";

/** The struct a chain leads to, and where it starts inside the root local's struct. */
export interface StructChainEnd {
  readonly layout: StructLayout;
  /** The expression that names it: `e`, `e.inner`, `e.pts[1]`. */
  readonly path: string;
  /** Whether the chain went through fields or elements (`path` is not the local itself). */
  readonly nested: boolean;
  /** The root local's struct and the byte `layout` starts at inside it (unknown after a variable index). */
  readonly outer: StructLayout;
  readonly base: number | undefined;
}

/**
 * The struct local `name` holds: its own struct, or the one its initialiser leads to
 * (`const p = e.inner;`). `seen` stops `const a = b.x; const b = a.y;` from looping.
 */
export function localStruct(at: SiteAt, name: string, seen: Set<string> = new Set()): StructLayout | undefined {
  const own = structLocalLayout(at, name);
  const expr = at.program?.structAliases.get(name);
  if (own || expr === undefined || seen.has(name)) return own;
  seen.add(name);
  const text = `${expr}.`;
  return resolve(at, chainSteps(text, text.length), seen)?.layout;
}

/** The struct the struct-local expression ending at the dot before `wordStart` leads to. */
export function structChainAt(at: SiteAt, wordStart: number): StructChainEnd | undefined {
  return resolve(at, chainSteps(at.text, wordStart), new Set());
}

function resolve(at: SiteAt, chain: { root: string; steps: ChainStep[] } | undefined, seen: Set<string>): StructChainEnd | undefined {
  const root = chain && localStruct(at, chain.root, seen);
  if (!chain || !root) return undefined;
  let type: StructFieldType = root;
  let path = chain.root;
  let base: number | undefined = 0;
  for (const step of chain.steps) {
    if ("field" in step) {
      const f: StructFieldLayout | undefined = type.kind === "struct" ? type.fields.find((x) => x.name === step.field) : undefined;
      if (!f) return undefined;
      type = f.type;
      base = base === undefined ? undefined : base + f.offset;
      path = `${path}.${step.field}`;
    } else {
      if (type.kind !== "array") return undefined;
      const i = constantIndex(step.index);
      // A constant index out of bounds is the build's WBPF1008: nothing to offer.
      if (i !== undefined && i >= type.length) return undefined;
      base = base === undefined || i === undefined ? undefined : base + i * type.element.size;
      type = type.element;
      path = `${path}[${step.index}]`;
    }
  }
  return type.kind === "struct" ? { layout: type, path, nested: chain.steps.length > 0, outer: root, base } : undefined;
}
