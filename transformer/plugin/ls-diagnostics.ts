/**
 * Editor diagnostics for templates, incremental: results are cached by what the compiler
 * sees (file, template text, resolved interpolations) but not by where the template sits,
 * so typing in one template, or above it, recompiles only that template; the others move
 * their cached diagnostics by the distance they moved.
 */
import { createHash } from "node:crypto";
import type { CompileResult, Diagnostic, TemplateSource } from "../api.js";

interface Entry {
  /** `source.start` when compiled: diagnostics are at host offsets from there. */
  readonly start: number;
  readonly length: number;
  readonly diagnostics: readonly Diagnostic[];
}

const MAX_ENTRIES = 2000;
const cache = new Map<string, Entry>();

function keyOf(src: TemplateSource): string {
  const h = createHash("sha256");
  h.update(src.fileName).update("\0").update(src.text).update("\0");
  // Related locations (map declarations) are absolute positions: part of the key.
  h.update(JSON.stringify(src.slots, (_k, v: unknown) => (typeof v === "bigint" ? `${v}n` : v)));
  return h.digest("hex");
}

function shift(d: Diagnostic, from: number, length: number, delta: number, fileName: string): Diagnostic {
  if (delta === 0) return d;
  const inside = (fn: string, s: number): boolean => fn === fileName && s >= from && s <= from + length;
  return {
    ...d,
    start: d.start + delta,
    ...(d.related ? { related: d.related.map((r) => (inside(r.fileName, r.start) ? { ...r, start: r.start + delta } : r)) } : {}),
  };
}

export interface TemplateDiagnostics {
  readonly diagnostics: readonly Diagnostic[];
  /** False when the compiler ran for this call. */
  readonly cached: boolean;
}

export function templateDiagnostics(src: TemplateSource, compile: (s: TemplateSource) => CompileResult): TemplateDiagnostics {
  const key = keyOf(src);
  const hit = cache.get(key);
  if (hit) {
    // Refresh recency: the Map's insertion order is the eviction order.
    cache.delete(key);
    cache.set(key, hit);
    const delta = src.start - hit.start;
    return { diagnostics: hit.diagnostics.map((d) => shift(d, hit.start, hit.length, delta, src.fileName)), cached: true };
  }
  const { diagnostics } = compile(src);
  if (cache.size >= MAX_ENTRIES) cache.delete(cache.keys().next().value as string);
  cache.set(key, { start: src.start, length: src.text.length, diagnostics });
  return { diagnostics, cached: false };
}
