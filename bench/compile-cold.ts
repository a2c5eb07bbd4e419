/**
 * Cold compile: what compiling the tsc bench's 100 small templates costs in a FRESH process,
 * as inside tsc, where V8 has not optimized any of the compiler yet (~4x the warm cost).
 *
 * Generates the bench project's templates (bench/tsc-project.ts, found as the plugin finds
 * them), writes them as JSON, then runs `--runs` fresh node processes per compiler bundle,
 * each requiring TypeScript (as tsc has it loaded), then the bundle, and timing
 * `compileTemplate` over all templates once. Bundles alternate process by process, so A/B
 * comparisons share the machine's noise:
 *
 *   node dist/bench/compile-cold.js [--runs 15] [--bundle A.cjs --bundle B.cjs]
 *
 * The default bundle is dist/transformer/compiler.bundle.cjs (what tsc loads; refresh it
 * with `npm run build`). Prints, per bundle, the median and minimum ms for all templates
 * and the median ms for the first one and the first ten, and the median CPU ms.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { benchProjectTemplates, REVIVER_SOURCE, sourcesToJson } from "./template-corpus.js";

export interface ColdCompileStats {
  readonly bundle: string;
  readonly runs: number;
  readonly templates: number;
  readonly medianMs: number;
  readonly minMs: number;
  readonly firstMs: number;
  readonly first10Ms: number;
  /** Median CPU time (user + system) of the compiles: less at the mercy of other processes than wall time. */
  readonly cpuMs: number;
}

/** Run in the child: elapsed ms after each template and the CPU ms of all, as JSON on stdout. */
const CHILD = `
const { createRequire } = require("node:module");
const { readFileSync } = require("node:fs");
const [bundle, sourcesFile] = process.argv.slice(1);
const req = createRequire(bundle);
req("typescript");
const { compileTemplate } = req(bundle);
const sources = JSON.parse(readFileSync(sourcesFile, "utf8"), ${REVIVER_SOURCE});
const at = [];
const cpu0 = process.cpuUsage();
const t0 = performance.now();
for (const s of sources) {
  const r = compileTemplate(s);
  if (!r.elf) throw new Error("template did not compile: " + JSON.stringify(r.diagnostics));
  at.push(performance.now() - t0);
}
const cpu = process.cpuUsage(cpu0);
process.stdout.write(JSON.stringify({ at, cpu: (cpu.user + cpu.system) / 1000 }));
`;

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

export function measureColdCompile(repoRoot: string, bundles: readonly string[], runs: number): ColdCompileStats[] {
  const dir = mkdtempSync(path.join(tmpdir(), "whistler-cold-"));
  try {
    const sources = benchProjectTemplates(repoRoot);
    const file = path.join(dir, "sources.json");
    writeFileSync(file, sourcesToJson(sources));
    const samples = bundles.map(() => [] as { at: number[]; cpu: number }[]);
    for (let r = 0; r < runs; r++) {
      // Alternate which bundle goes first, so neither always follows the other.
      const order = bundles.map((_, i) => i);
      if (r % 2) order.reverse();
      for (const i of order) {
        const out = execFileSync(process.execPath, ["-e", CHILD, bundles[i]!, file], { encoding: "utf8" });
        samples[i]!.push(JSON.parse(out) as { at: number[]; cpu: number });
      }
    }
    return bundles.map((bundle, i) => {
      const s = samples[i]!.map((x) => x.at);
      return {
        bundle,
        runs,
        templates: sources.length,
        medianMs: median(s.map((at) => at[at.length - 1]!)),
        minMs: Math.min(...s.map((at) => at[at.length - 1]!)),
        firstMs: median(s.map((at) => at[0]!)),
        first10Ms: median(s.map((at) => at[Math.min(9, at.length - 1)]!)),
        cpuMs: median(samples[i]!.map((x) => x.cpu)),
      };
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function main(): void {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
  const args = process.argv.slice(2);
  const bundles: string[] = [];
  let runs = 15;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === "--bundle" && args[i + 1]) bundles.push(path.resolve(args[++i]!));
    else if (args[i] === "--runs" && args[i + 1]) runs = Number(args[++i]);
    else throw new Error(`compile-cold: unknown argument ${args[i]}; usage: compile-cold.js [--runs N] [--bundle file.cjs]...`);
  }
  if (bundles.length === 0) bundles.push(path.join(root, "dist/transformer/compiler.bundle.cjs"));
  const stats = measureColdCompile(root, bundles, runs);
  console.log(`cold compile of ${stats[0]!.templates} bench templates, ${runs} fresh processes per bundle (ms)`);
  console.log("median   min  first  first10    cpu  bundle");
  for (const s of stats) {
    const f = (n: number, w: number) => n.toFixed(1).padStart(w);
    console.log(`${f(s.medianMs, 6)} ${f(s.minMs, 5)} ${f(s.firstMs, 6)} ${f(s.first10Ms, 8)} ${f(s.cpuMs, 6)}  ${path.relative(process.cwd(), s.bundle) || s.bundle}`);
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
