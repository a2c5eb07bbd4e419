/**
 * Content-hash cache of compile results: in watch mode and across the files of one build,
 * a template whose text and resolved interpolations did not change is not recompiled.
 */
import type { CompileResult, TemplateSource } from "../api.js";
import { countCacheHit, timed, TRACE_COMPILES } from "./trace.js";

const cache = new Map<string, CompileResult>();
const MAX_ENTRIES = 1000;

function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = text.indexOf("\n"); i >= 0 && i < offset; i = text.indexOf("\n", i + 1)) line++;
  return line;
}

/**
 * The key is the content itself, not a digest of it: a Map compares it exactly (no collision
 * to reason about), and a build skips loading and running a hash (a few ms per 100 templates).
 */
function keyOf(src: TemplateSource, line: number): string {
  const column = src.start - (src.hostText.lastIndexOf("\n", src.start - 1) + 1);
  // Line info in the object names the host file, line and column, so all three are key parts;
  // positions of diagnostics depend on where the template sits in the host file.
  const slots = JSON.stringify(src.slots, (_k, v: unknown) => (typeof v === "bigint" ? `${v}n` : v));
  return `${src.fileName}\0${src.start}\0${line}:${column}\0${src.text}\0${slots}`;
}

export function compileCached(src: TemplateSource, compile: (s: TemplateSource) => CompileResult): CompileResult {
  const line = lineOf(src.hostText, src.start);
  const key = keyOf(src, line);
  const hit = cache.get(key);
  if (hit) {
    countCacheHit();
    return hit;
  }
  if (TRACE_COMPILES) process.stderr.write(`whistler: compile ${src.fileName}:${line}\n`);
  const result = timed("compileMs", () => compile(src));
  if (cache.size >= MAX_ENTRIES) cache.delete(cache.keys().next().value as string);
  cache.set(key, result);
  return result;
}

/** Results held: none means this is the process's first build (not a watch-mode rebuild). */
export function cachedResults(): number {
  return cache.size;
}
