/**
 * Content-hash cache of compile results: in watch mode and across the files of one build,
 * a template whose text and resolved interpolations did not change is not recompiled.
 */
import { createHash } from "node:crypto";
import type { CompileResult, TemplateSource } from "../api.js";

const cache = new Map<string, CompileResult>();
const MAX_ENTRIES = 1000;

function keyOf(src: TemplateSource): string {
  const h = createHash("sha256");
  h.update(src.fileName).update("\0").update(String(src.start)).update("\0").update(src.text);
  // Positions of diagnostics depend on where the template sits in the host file.
  h.update("\0").update(JSON.stringify(src.slots, (_k, v: unknown) => (typeof v === "bigint" ? `${v}n` : v)));
  return h.digest("hex");
}

export function compileCached(src: TemplateSource, compile: (s: TemplateSource) => CompileResult): CompileResult {
  const key = keyOf(src);
  const hit = cache.get(key);
  if (hit) return hit;
  const result = compile(src);
  if (cache.size >= MAX_ENTRIES) cache.delete(cache.keys().next().value as string);
  cache.set(key, result);
  return result;
}
