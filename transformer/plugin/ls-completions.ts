/**
 * Completions inside `bpf` templates, from the compiler's tables:
 *   `${map}.|`      the methods of that map's kind
 *   `ctx.|`         the fields of the program's context kind (a tracepoint's record fields)
 *   `e.|`           the fields of a defstruct local (`let e: ${S}`, `= ${ring}.reserve(${S})`,
 *                   `= ${map}.lookup(k)` of a struct-valued map),
 *                   and `e.inner.|`, `e.pts[i].|` those of nested structs (ls-struct-chain.ts)
 *   `task.|`        the fields of a KernelStruct local (and of `task.real_parent.|`)
 *   `x: |`, `as |`  integer type names (context kinds in the parameter list)
 *   `Tracepoint<"|` tracepoint names of the running kernel (ls-tracepoints.ts)
 *   elsewhere       locals, the context parameter, helpers the program type may call,
 *                   intrinsics, constants and keywords
 * Every entry has a `Doc` (ls-docs.ts) for the details pane.
 */
import { SCALARS, type ScalarName } from "../../runtime/types.js";
import { CTX_KINDS, USDT_ARG_COUNT } from "../frontend/ctx.js";
import { HELPERS, helperAllowed } from "../frontend/helpers.js";
import { BPF_LOOP } from "../frontend/bpf-loop.js";
import { CONSTANTS, INTRINSICS } from "../frontend/builtins.js";
import {
  KEYWORDS, bpfLoopDoc, callDocs, constantDoc, ctxFieldDoc, ctxKindDoc, ctxParamDoc, helperDoc, intrinsicDoc, mapMethodDoc, mapMethods, scalarDoc, structFieldDoc, structLocalDoc, tracepointFieldDoc, usdtArgCountDoc, type Doc,
} from "./ls-docs.js";
import { tracepointNames } from "./ls-tracepoints.js";
import { tracepointFormat } from "../kernel/tracepoints.js";
import { identStart, memberObject, prevNonBlank, slotNamed, type SiteAt } from "./ls-site.js";
import { kernelMemberEntries } from "./ls-kernel.js";
import { localStruct, objectLiteralAt, structChainAt } from "./ls-struct-chain.js";

export interface Entry {
  readonly name: string;
  /** Groups entries: members first, then locals, then the rest. */
  readonly sortText: string;
  readonly doc: Doc;
}

export interface Completions {
  readonly entries: readonly Entry[];
  readonly isMember: boolean;
  /** Template offset where the word being typed starts. */
  readonly prefixStart: number;
}

function scalarEntries(): Entry[] {
  return (Object.keys(SCALARS) as ScalarName[]).map((n) => ({ name: n, sortText: "1", doc: scalarDoc(n) }));
}

/** `object` is undefined after `e.pts[1].`: only a struct chain fits there. */
function memberEntries(at: SiteAt, object: string | undefined): Entry[] {
  const slot = object === undefined ? undefined : slotNamed(at.site, object);
  if (slot) {
    const v = slot.value;
    if (v.kind !== "map") return [];
    return mapMethods(v.map.kind).map((m) => ({ name: m, sortText: "0", doc: mapMethodDoc(v.name, v.map, m) }));
  }
  const prog = at.program;
  if (prog?.ctxKind && object !== undefined && object === prog.ctxName) {
    const kindName = prog.ctxKindName ?? "";
    const format = prog.tracepoint === undefined ? undefined : tracepointFormat(prog.tracepoint);
    if (format) {
      // The record's own fields, from the tracefs format (snapshot or live).
      return format.fields.filter((f) => !f.common).map((f) => ({ name: f.name, sortText: "0", doc: tracepointFieldDoc(format.name, f) }));
    }
    const fields = Object.entries(prog.ctxKind.fields).map(([f, def]) => ({ name: f, sortText: "0", doc: ctxFieldDoc(kindName, f, def) }));
    return prog.ctxKind.args?.usdt ? [...fields, { name: USDT_ARG_COUNT, sortText: "0", doc: usdtArgCountDoc(kindName) }] : fields;
  }
  const wordStart = identStart(at.text, at.offset);
  const chain = structChainAt(at, wordStart);
  if (chain) return chain.layout.fields.map((f) => ({ name: f.name, sortText: "0", doc: structFieldDoc(chain, f) }));
  return kernelMemberEntries(at.text, wordStart).map((k) => ({ ...k, sortText: "0" }));
}

function nameEntries(at: SiteAt): Entry[] {
  const prog = at.program;
  const progType = prog?.ctxKind?.progType;
  const out: Entry[] = [];
  for (const l of prog?.locals ?? []) {
    const layout = localStruct(at, l);
    out.push({ name: l, sortText: "0", doc: layout ? structLocalDoc(l, layout, prog?.nullableLocals.get(l)) : { kind: "let", display: `(local) ${l}`, documentation: "" } });
  }
  if (prog?.ctxName) out.push({ name: prog.ctxName, sortText: "0", doc: ctxParamDoc(prog.ctxName, prog.ctxKindName ?? "?", prog.ctxKind) });
  for (const [name, h] of Object.entries(HELPERS)) {
    if (progType && !helperAllowed(h, progType)) continue;
    out.push({ name, sortText: "1", doc: helperDoc(name, h, progType) });
  }
  out.push({ name: BPF_LOOP, sortText: "1", doc: bpfLoopDoc() });
  for (const [name, doc] of callDocs(progType)) out.push({ name, sortText: "1", doc });
  for (const [name, i] of Object.entries(INTRINSICS)) out.push({ name, sortText: "1", doc: intrinsicDoc(name, i) });
  for (const [name, v] of Object.entries(CONSTANTS)) out.push({ name, sortText: "1", doc: constantDoc(name, v) });
  for (const k of KEYWORDS) out.push({ name: k, sortText: "2", doc: { kind: "keyword", display: k, documentation: "" } });
  return out;
}

/** Start of the string literal the offset is in (after its quote), if it is in one. */
function stringStart(text: string, offset: number): number | undefined {
  const lineStart = text.lastIndexOf("\n", offset - 1) + 1;
  let open: number | undefined;
  for (let i = lineStart; i < offset; i++) {
    const c = text[i];
    if (open === undefined && (c === '"' || c === "'")) open = i;
    else if (open !== undefined && c === text[open]) open = undefined;
  }
  return open === undefined ? undefined : open + 1;
}

/** In a string: tracepoint names after `Tracepoint<`, nothing elsewhere. */
function stringCompletions(text: string, start: number): Completions {
  const before = text.slice(0, start - 1).trimEnd();
  const entries = /\bTracepoint\s*<$/.test(before)
    ? tracepointNames().map((n): Entry => ({ name: n, sortText: "0", doc: { kind: "const", display: `tracepoint ${n}`, documentation: "From the running kernel's tracefs (available_events)." } }))
    : [];
  return { entries, isMember: false, prefixStart: start };
}

/** What to offer at `at.offset`, or undefined where nothing fits (inside a number). */
export function completionsAt(at: SiteAt): Completions | undefined {
  const { text, offset } = at;
  const inString = stringStart(text, offset);
  if (inString !== undefined) return stringCompletions(text, inString);
  const prefixStart = identStart(text, offset);
  if (/^[0-9]/.test(text.slice(prefixStart, offset))) return undefined;
  const before = prevNonBlank(text, prefixStart);
  if (text[before] === ".") return { entries: memberEntries(at, memberObject(text, prefixStart)), isMember: true, prefixStart };
  // `let e: ${Event} = { | }`: the struct's fields as keys; after `pid:`, a value.
  const literal = text[before] === "{" || text[before] === "," || text[before] === ":" ? objectLiteralAt(at, prefixStart) : undefined;
  if (literal && text[before] !== ":") return { entries: literal.layout.fields.map((f) => ({ name: f.name, sortText: "0", doc: structFieldDoc(literal, f) })), isMember: false, prefixStart };
  if (literal) return { entries: nameEntries(at), isMember: false, prefixStart };
  const prevWordStart = identStart(text, before + 1);
  const prevWord = text.slice(prevWordStart, before + 1);
  if (text[before] === ":" || prevWord === "as") {
    const prog = at.program;
    const inParams = prog !== undefined && offset >= prog.paramsStart && offset <= prog.paramsEnd;
    const entries = inParams
      ? Object.entries(CTX_KINDS).map(([n, def]) => ({ name: n, sortText: "0", doc: ctxKindDoc(n, def) }))
      : scalarEntries();
    return { entries, isMember: false, prefixStart };
  }
  return { entries: nameEntries(at), isMember: false, prefixStart };
}
