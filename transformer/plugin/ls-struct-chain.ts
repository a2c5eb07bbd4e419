/**
 * Chains of defstruct fields in templates, for completions and hover: `e.` and `e.inner.`
 * lead to a struct whose fields the editor offers and describes. The root is a struct local
 * (`const e = ${ring}.reserve(${Outer})`, `let s: ${Outer}`); each step is a field whose type
 * is itself a defstruct, which the compiler folds into one access at the summed offset
 * (`../frontend/structs.ts` structMember). Array elements (`e.arr[i].a`) are not followed:
 * the chain stops at the `]`. One resolver serves both, so the editor offers exactly the
 * fields it describes.
 */
import type { StructLayout } from "../../runtime/struct/layout.js";
import { chainBefore, structLocalLayout, type SiteAt } from "./ls-site.js";

/** The struct a chain leads to, and where it starts inside the root local's struct. */
export interface StructChainEnd {
  readonly layout: StructLayout;
  /** The expression that names it: `e`, `e.inner`. */
  readonly path: string;
  /** The root local's struct and the byte `layout` starts at inside it. */
  readonly outer: StructLayout;
  readonly base: number;
}

/** The chain's start: a struct local itself. */
export function structChainRoot(name: string, layout: StructLayout): StructChainEnd {
  return { layout, path: name, outer: layout, base: 0 };
}

/** The struct the struct-local expression ending at the dot before `wordStart` leads to. */
export function structChainAt(at: SiteAt, wordStart: number): StructChainEnd | undefined {
  const chain = chainBefore(at.text, wordStart);
  if (!chain) return undefined;
  const root = structLocalLayout(at, chain[0]!);
  let end = root && structChainRoot(chain[0]!, root);
  for (const name of chain.slice(1)) {
    const f = end?.layout.fields.find((x) => x.name === name);
    end = end && f?.type.kind === "struct" ? { layout: f.type, path: `${end.path}.${name}`, outer: end.outer, base: end.base + f.offset } : undefined;
  }
  return end;
}
