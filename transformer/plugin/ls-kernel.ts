/**
 * Completions after a kernel struct expression: `task.` and `task.real_parent.` offer the
 * struct's fields (anonymous members flattened), from the layouts the compiler uses
 * (`../kernel/kernel-types.ts`). The chain's root is a local declared with
 * `as KernelStruct<"name">` or `: KernelStruct<"name">` earlier in the template; each step
 * goes through an embedded struct or a pointer to one.
 */
import { KERNEL_TYPES, ktypeC, type KComposite, type KType } from "../kernel/kernel-types.js";
import type { Doc } from "./ls-docs.js";
import { identStart, prevNonBlank } from "./ls-site.js";

export interface KernelEntry {
  readonly name: string;
  readonly doc: Doc;
}

/** Locals typed as kernel structs in `text` before `end`: name -> struct name. */
function kernelLocals(text: string, end: number): Map<string, string> {
  const out = new Map<string, string>();
  const decl = /\b(?:const|let)\s+([A-Za-z_]\w*)\s*(?::\s*KernelStruct\s*<\s*"(\w+)"\s*>)?\s*=([^;]*)/g;
  for (const m of text.slice(0, end).matchAll(decl)) {
    const cast = /\bas\s+KernelStruct\s*<\s*"(\w+)"\s*>\s*$/.exec(m[3]!.trim());
    const struct = m[2] ?? cast?.[1];
    if (struct) out.set(m[1]!, struct);
  }
  const params = /\b([A-Za-z_]\w*)\s*:\s*KernelStruct\s*<\s*"(\w+)"\s*>\s*[,)]/g;
  for (const m of text.slice(0, end).matchAll(params)) out.set(m[1]!, m[2]!);
  return out;
}

/** The identifiers of `a.b.c` ending at the dot before `wordStart`, or undefined. */
function chainBefore(text: string, wordStart: number): string[] | undefined {
  const names: string[] = [];
  let at = wordStart;
  for (;;) {
    const dot = prevNonBlank(text, at);
    if (dot < 0 || text[dot] !== ".") return names.length ? names.reverse() : undefined;
    const end = prevNonBlank(text, dot) + 1;
    const start = identStart(text, end);
    if (start === end) return undefined;
    names.push(text.slice(start, end));
    at = start;
  }
}

/** The struct a member of type `t` leads to (embedded, or pointed to). */
function next(t: KType): KComposite | undefined {
  if (t.k === "struct") return KERNEL_TYPES.composite(t.name);
  if (t.k === "anon") return t.def;
  if (t.k === "ptr" && t.to) return KERNEL_TYPES.composite(t.to);
  return undefined;
}

/** Fields offered after `text[..wordStart]` when it ends in a kernel struct expression. */
export function kernelMemberEntries(text: string, wordStart: number): KernelEntry[] {
  const chain = chainBefore(text, wordStart);
  if (!chain) return [];
  const root = kernelLocals(text, wordStart).get(chain[0]!);
  let comp = root ? KERNEL_TYPES.composite(root) : undefined;
  for (const name of chain.slice(1)) {
    const m = comp?.members.find((x) => x.name === name);
    comp = m ? next(m.type) : undefined;
  }
  if (!comp) return [];
  const owner = comp.name ? `${comp.union ? "union" : "struct"} ${comp.name}` : "(anonymous)";
  return comp.members.map((m) => ({
    name: m.name,
    doc: {
      kind: "property",
      display: `(field) ${owner}.${m.name}: ${ktypeC(m.type)}${m.bitfieldSize ? ` : ${m.bitfieldSize}` : ""}`,
      documentation: `offset ${Math.floor(m.bitOffset / 8)} in this build's layout; the loader relocates it for the kernel it loads into (CO-RE)`,
    },
  }));
}
