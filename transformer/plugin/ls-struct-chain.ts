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
import { structArgument } from "../frontend/map-structs.js";
import { chainSteps, constantIndex, enclosingBracket, identStart, prevNonBlank, slotNamed, structLocalLayout, type ChainStep, type SiteAt } from "./ls-site.js";

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
  return chain && root ? walk(root, chain.root, chain.steps) : undefined;
}

/** Where `steps` (fields, and indices into array fields) lead from the struct `root`, named `rootName`. */
function walk(root: StructLayout, rootName: string, steps: readonly ChainStep[]): StructChainEnd | undefined {
  let type: StructFieldType = root;
  let path = rootName;
  let base: number | undefined = 0;
  for (const step of steps) {
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
  return type.kind === "struct" ? { layout: type, path, nested: steps.length > 0, outer: root, base } : undefined;
}

/**
 * The struct whose fields an object literal around `offset` gives: `let e: ${Event} = { | }`,
 * and a nested struct field's `inner: { | }` inside one. Undefined anywhere else (a block).
 */
export function objectLiteralAt(at: SiteAt, offset: number): StructChainEnd | undefined {
  const fields: string[] = [];
  for (let end = offset; ;) {
    const open = enclosingBracket(at.text, end, "{", "}");
    const before = open < 0 ? -1 : prevNonBlank(at.text, open);
    if (before < 0) return undefined;
    if (at.text[before] === ":") {
      // `inner: {`: a field of the literal around this one.
      const nameEnd = prevNonBlank(at.text, before) + 1;
      const nameStart = identStart(at.text, nameEnd);
      if (nameStart === nameEnd) return undefined;
      fields.push(at.text.slice(nameStart, nameEnd));
      end = nameStart;
      continue;
    }
    const steps = fields.reverse().map((field) => ({ field }));
    if (at.text[before] === "(" || at.text[before] === ",") {
      // `${flows}.update(k, { | })`: a map method's struct key or value.
      const arg = mapArgument(at, open);
      return arg ? walk(arg.layout, arg.role, steps) : undefined;
    }
    if (at.text[before] !== "=") return undefined;
    const decl = /\b(?:let|const)\s+([A-Za-z_]\w*)\s*:\s*(\$\w+)\s*$/.exec(at.text.slice(0, before));
    const v = decl ? slotNamed(at.site, decl[2]!)?.value : undefined;
    return decl && v?.kind === "struct" ? walk(v, decl[1]!, steps) : undefined;
  }
}

/**
 * The struct the argument starting at `start` gives a map method (`${flows}.lookup({`, or
 * `${flows}.update(k, {`): the map's key struct first, an update's value struct second.
 */
function mapArgument(at: SiteAt, start: number): ReturnType<typeof structArgument> {
  let depth = 0;
  let index = 0;
  let paren = -1;
  for (let i = start - 1; i >= 0 && paren < 0; i--) {
    const c = at.text[i];
    if (c === ")" || c === "]" || c === "}") depth++;
    else if (c === "(" || c === "[" || c === "{") {
      if (depth === 0) {
        if (c !== "(") return undefined;
        paren = i;
      } else depth--;
    } else if (c === "," && depth === 0) index++;
  }
  const call = /(\$\w+)\s*\.\s*(\w+)\s*$/.exec(at.text.slice(0, Math.max(0, paren)));
  const v = call ? slotNamed(at.site, call[1]!)?.value : undefined;
  return call && v?.kind === "map" ? structArgument(v.map, call[2]!, index) : undefined;
}
