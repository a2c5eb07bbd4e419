/**
 * Template sources for the compile-time benches, found the way the tsc plugin finds them
 * (plugin/templates.ts findTemplates over a type-checked program), and their JSON form, so
 * that a fresh process can compile them without loading TypeScript's checker first.
 */
import { readFileSync, readdirSync, rmSync, statSync } from "node:fs";
import * as path from "node:path";
import ts = require("typescript");
import type * as TS from "typescript";
import type { TemplateSource } from "../transformer/api.js";
import { compilerOptionsFor } from "../transformer/plugin/build-file.js";
import { findTemplates } from "../transformer/plugin/templates.js";
import { generateProject } from "./tsc-project.js";

/** Every template of `files`, in file order then source order. */
export function templatesOf(files: readonly string[]): TemplateSource[] {
  if (files.length === 0) return [];
  const program = ts.createProgram(files, { ...compilerOptionsFor(files[0]!), noEmit: true });
  const checker = program.getTypeChecker();
  const out: TemplateSource[] = [];
  for (const file of files) {
    const sf = program.getSourceFile(file);
    if (!sf) throw new Error(`template-corpus: cannot read ${file}`);
    for (const site of findTemplates(ts as unknown as typeof TS, checker, sf)) out.push(site.source);
  }
  return out;
}

/**
 * The 100 templates of the tsc bench's generated project (20 files of 5), as tsc's plugin sees
 * them, except that file names are relative to the project (`src/t0.ts`), which is generated in
 * a fresh directory each time: the objects (their line info names the file) are the same on
 * every call.
 */
export function benchProjectTemplates(repoRoot: string, files = 20, perFile = 5): TemplateSource[] {
  const dir = generateProject(repoRoot, files, perFile, true);
  try {
    const names = Array.from({ length: files }, (_, f) => path.join(dir, "src", `t${f}.ts`));
    return templatesOf(names).map((s) => ({ ...s, fileName: path.relative(dir, s.fileName) }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** .ts files under `dir` (not .d.ts, not build output), sorted. */
export function tsFilesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) {
      if (name !== "out" && name !== "node_modules") out.push(...tsFilesUnder(p));
    } else if (name.endsWith(".ts") && !name.endsWith(".d.ts")) out.push(p);
  }
  return out;
}

// Interpolated integer constants are bigints, which JSON has no form for.
const replacer = (_k: string, v: unknown): unknown => (typeof v === "bigint" ? { $bigint: v.toString() } : v);
const reviver = (_k: string, v: unknown): unknown =>
  v !== null && typeof v === "object" && "$bigint" in v ? BigInt((v as { $bigint: string }).$bigint) : v;

export function sourcesToJson(sources: readonly TemplateSource[]): string {
  return JSON.stringify(sources, replacer);
}

/** Sources written by sourcesToJson, or one JSON source a line (.jsonl). */
export function readSources(file: string): TemplateSource[] {
  const text = readFileSync(file, "utf8");
  if (!file.endsWith(".jsonl")) return JSON.parse(text, reviver) as TemplateSource[];
  return text.split("\n").filter((l) => l.length > 0).map((l) => JSON.parse(l, reviver) as TemplateSource);
}

/** The reviver as source text, for child processes that read sourcesToJson's output. */
export const REVIVER_SOURCE = `(_k, v) => (v !== null && typeof v === "object" && "$bigint" in v ? BigInt(v.$bigint) : v)`;
