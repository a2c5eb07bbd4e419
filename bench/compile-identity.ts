/**
 * Output identity for compiler speed work: compiles a corpus of templates with a compiler
 * bundle and records a hash of every result (ELF bytes, diagnostics, program, map and
 * global lists), so a change that must not alter output can be checked byte for byte:
 *
 *   node dist/bench/compile-identity.js --out before.json [--bundle A.cjs] [--sources x.jsonl]...
 *   node dist/bench/compile-identity.js --check before.json [--bundle B.cjs] [--sources x.jsonl]...
 *
 * The corpus: the tsc bench project's 100 templates, bench/programs/*.ts and every example,
 * found as the plugin finds them, plus any `--sources` files (JSON from
 * template-corpus.ts sourcesToJson, or one TemplateSource a line), e.g. the templates a test
 * run compiled. --check prints each source whose result differs and exits 1.
 */
import { createHash } from "node:crypto";
import { createRequire } from "node:module";
import { readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import type { CompileResult, TemplateSource } from "../transformer/api.js";
import { benchProjectTemplates, readSources, templatesOf, tsFilesUnder } from "./template-corpus.js";

type Compile = (src: TemplateSource) => CompileResult;

/** One hash over everything a caller of compileTemplate can see in the result. */
export function resultHash(r: CompileResult): string {
  const h = createHash("sha256");
  h.update(JSON.stringify({ diagnostics: r.diagnostics, programs: r.programs, maps: r.maps, globals: r.globals }, (_k, v: unknown) => (typeof v === "bigint" ? `${v}n` : v)));
  h.update(r.elf ?? new Uint8Array(0));
  return h.digest("hex").slice(0, 24);
}

function corpus(root: string, extra: readonly string[]): { name: string; source: TemplateSource }[] {
  const named = (label: string, sources: readonly TemplateSource[]) => sources.map((source, i) => ({ name: `${label}#${i}`, source }));
  // File names relative to the checkout (line info names the file): the same hashes from any clone.
  const inRepo = (dir: string) => templatesOf(tsFilesUnder(path.join(root, dir))).map((s) => ({ ...s, fileName: path.relative(root, s.fileName) }));
  return [
    ...named("bench-project", benchProjectTemplates(root)),
    ...named("bench/programs", inRepo("bench/programs")),
    ...named("examples", inRepo("examples")),
    ...extra.flatMap((f) => named(path.basename(f), readSources(f))),
  ];
}

function main(): void {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
  const args = process.argv.slice(2);
  let bundle = path.join(root, "dist/transformer/compiler.bundle.cjs");
  let out: string | undefined;
  let check: string | undefined;
  const extra: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const v = args[i + 1];
    if (args[i] === "--bundle" && v) bundle = path.resolve(v);
    else if (args[i] === "--out" && v) out = v;
    else if (args[i] === "--check" && v) check = v;
    else if (args[i] === "--sources" && v) extra.push(v);
    else throw new Error(`compile-identity: unknown argument ${args[i]}; usage: compile-identity.js (--out f | --check f) [--bundle b.cjs] [--sources s.json]...`);
    i++;
  }
  const req = createRequire(bundle);
  req("typescript");
  const compile = (req(bundle) as { compileTemplate: Compile }).compileTemplate;
  const hashes: Record<string, string> = {};
  let compiled = 0;
  for (const { name, source } of corpus(root, extra)) {
    hashes[name] = resultHash(compile(source));
    compiled++;
  }
  const all = createHash("sha256").update(Object.entries(hashes).map(([k, v]) => `${k} ${v}`).join("\n")).digest("hex").slice(0, 24);
  console.log(`${compiled} templates compiled with ${path.relative(process.cwd(), bundle)}; corpus hash ${all}`);
  if (out) writeFileSync(out, JSON.stringify({ all, hashes }, null, 1));
  if (check) {
    const want = (JSON.parse(readFileSync(check, "utf8")) as { hashes: Record<string, string> }).hashes;
    const diff = Object.keys({ ...want, ...hashes }).filter((k) => want[k] !== hashes[k]);
    for (const k of diff.slice(0, 20)) console.log(`differs: ${k} (${want[k] ?? "absent"} -> ${hashes[k] ?? "absent"})`);
    if (diff.length > 0) {
      console.log(`${diff.length} of ${compiled} results differ from ${check}`);
      process.exit(1);
    }
    console.log(`all ${compiled} results identical to ${check}`);
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
