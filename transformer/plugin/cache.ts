/**
 * Content-hash cache of compile results: in watch mode and across the files of one build,
 * a template whose text and resolved interpolations did not change is not recompiled.
 */
import { createHash } from "node:crypto";
import type { CompileResult, TemplateSource } from "../api.js";

const cache = new Map<string, CompileResult>();
const MAX_ENTRIES = 1000;

/** `WHISTLER_TRACE=compile` prints every compile (cache miss) to stderr: watch-mode diagnosis. */
const TRACE = (process.env.WHISTLER_TRACE ?? "").split(",").includes("compile");

function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = text.indexOf("\n"); i >= 0 && i < offset; i = text.indexOf("\n", i + 1)) line++;
  return line;
}

function keyOf(src: TemplateSource, line: number): string {
  const column = src.start - (src.hostText.lastIndexOf("\n", src.start - 1) + 1);
  const h = createHash("sha256");
  // Line info in the object names the host file, line and column, so all three are key parts.
  h.update(src.fileName).update("\0").update(String(src.start)).update("\0").update(`${line}:${column}`).update("\0").update(src.text);
  // Positions of diagnostics depend on where the template sits in the host file.
  h.update("\0").update(JSON.stringify(src.slots, (_k, v: unknown) => (typeof v === "bigint" ? `${v}n` : v)));
  return h.digest("hex");
}

export function compileCached(src: TemplateSource, compile: (s: TemplateSource) => CompileResult): CompileResult {
  const line = lineOf(src.hostText, src.start);
  const key = keyOf(src, line);
  const hit = cache.get(key);
  if (hit) return hit;
  if (TRACE) process.stderr.write(`whistler: compile ${src.fileName}:${line}\n`);
  const result = compile(src);
  if (cache.size >= MAX_ENTRIES) cache.delete(cache.keys().next().value as string);
  cache.set(key, result);
  return result;
}
