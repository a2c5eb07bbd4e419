/**
 * Code quality against clang -O2, per reference program: instruction counts (the size of the
 * executable sections / 8, as `reference-c/build.sh` counts them), instructions the verifier
 * processed when loading (BPF_OBJ_GET_INFO_BY_FD verified_insns, summed over the object's
 * programs), and compile time: our compiler in-process (best of many runs of compileTemplate)
 * against a clang process per program (best of a few), both measured in this run.
 *
 * The C side is `../shared/reference-c/*.bpf.c` (or $WHISTLER_REFERENCE_C), built with the
 * flags of build.sh; the TypeScript side is `bench/programs/<same name>.ts`. clang, llvm and
 * libbpf-dev are installed with apt-get when missing (said on stderr).
 */
import { ensureBenchPackages } from "./prerequisites.js";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import ts = require("typescript");
import type * as TS from "typescript";
import { load } from "../index.js";
import type { TemplateSource } from "../transformer/api.js";
import { compileTemplate } from "../transformer/compile.js";
import { readElf } from "../transformer/elf/reader.js";
import { SHF } from "../transformer/elf/format.js";
import { compilerOptionsFor } from "../transformer/plugin/build-file.js";
import { findTemplates } from "../transformer/plugin/templates.js";

export interface ProgramInsns {
  /** Instructions of our object (null when the program has no port yet). */
  readonly ours: number | null;
  readonly clang: number;
  readonly oursVerified: number | null;
  readonly clangVerified: number;
  /** Best compile time, ms: ours in-process, clang as a process. */
  readonly oursMs: number | null;
  readonly clangMs: number;
}

export interface InsnsResult {
  readonly programs: Record<string, ProgramInsns>;
  /** Geometric mean and maximum of ours/clang instruction counts over ported programs. */
  readonly insnGeomean: number;
  readonly insnMax: number;
  readonly verifiedGeomean: number;
  readonly verifiedMax: number;
  /** Sum of clang process times / sum of our in-process compile times, over ported programs. */
  readonly compileSpeedup: number;
  /** Reference programs without a port in bench/programs. */
  readonly missing: readonly string[];
}

const OUR_RUNS = 30;
const CLANG_RUNS = 3;

/** clang, llvm and the libbpf headers the reference programs include (and the rest of the bench's tools). */
const ensureClang = ensureBenchPackages;

/** Instructions in an object's executable sections. */
export function objectInsns(elf: Uint8Array): number {
  return readElf(elf).sections.filter((s) => (s.flags & SHF.EXECINSTR) !== 0).reduce((n, s) => n + s.data.length / 8, 0);
}

/** Sum of verified_insns over the object's programs, loading it with our loader. */
async function verifiedInsns(elf: Uint8Array): Promise<number> {
  await using obj = await load(elf);
  let n = 0;
  for (const p of obj.programs.values()) n += p.info().verifiedInsns;
  return n;
}

function bestMs(runs: number, f: () => void): number {
  let best = Infinity;
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    f();
    best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return best;
}

/** The exported template named like the file in each port, as the plugin sees it. */
export function portSources(files: readonly string[]): Map<string, TemplateSource> {
  const out = new Map<string, TemplateSource>();
  if (files.length === 0) return out;
  const program = ts.createProgram(files, { ...compilerOptionsFor(files[0]!), noEmit: true });
  const checker = program.getTypeChecker();
  for (const file of files) {
    const name = path.basename(file, ".ts");
    const sf = program.getSourceFile(file);
    if (!sf) throw new Error(`insns: cannot read ${file}`);
    const site = findTemplates(ts as unknown as typeof TS, checker, sf).find((s) => s.exportName === name);
    if (!site) throw new Error(`insns: ${file} has no exported template named ${name}`);
    out.set(name, site.source);
  }
  return out;
}

const ratio = (a: number, b: number) => a / b;
const geomean = (xs: readonly number[]) => (xs.length ? Math.exp(xs.reduce((s, x) => s + Math.log(x), 0) / xs.length) : NaN);

export async function measureInsns(root: string): Promise<InsnsResult> {
  ensureClang();
  const refDir = process.env.WHISTLER_REFERENCE_C ?? path.resolve(root, "../shared/reference-c");
  const names = readdirSync(refDir).filter((f) => f.endsWith(".bpf.c")).map((f) => f.slice(0, -".bpf.c".length)).sort();
  const portDir = path.join(root, "bench/programs");
  const ported = names.filter((n) => existsSync(path.join(portDir, `${n}.ts`)));
  const sources = portSources(ported.map((n) => path.join(portDir, `${n}.ts`)));
  const archInc = `/usr/include/${execFileSync("gcc", ["-dumpmachine"], { encoding: "utf8" }).trim()}`;
  const tmp = mkdtempSync(path.join(tmpdir(), "whistler-insns-"));
  const programs: Record<string, ProgramInsns> = {};
  try {
    for (const name of names) {
      const out = path.join(tmp, `${name}.bpf.o`);
      const clangMs = bestMs(CLANG_RUNS, () => {
        execFileSync("clang", ["-O2", "-g", "-target", "bpf", "-D__TARGET_ARCH_x86", `-I${archInc}`, "-c", path.join(refDir, `${name}.bpf.c`), "-o", out], { stdio: ["ignore", "ignore", "inherit"] });
      });
      const clangElf = new Uint8Array(readFileSync(out));
      const src = sources.get(name);
      let ours: Uint8Array | undefined;
      let oursMs: number | null = null;
      if (src) {
        const first = compileTemplate(src);
        if (!first.elf) throw new Error(`insns: ${name}.ts does not compile: ${first.diagnostics.map((d) => d.message).join("; ")}`);
        ours = first.elf;
        oursMs = bestMs(OUR_RUNS, () => compileTemplate(src));
      }
      programs[name] = {
        ours: ours ? objectInsns(ours) : null,
        clang: objectInsns(clangElf),
        oursVerified: ours ? await verifiedInsns(ours) : null,
        clangVerified: await verifiedInsns(clangElf),
        oursMs,
        clangMs,
      };
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  const done = Object.values(programs).filter((p) => p.ours !== null);
  const insn = done.map((p) => ratio(p.ours!, p.clang));
  const ver = done.map((p) => ratio(p.oursVerified!, p.clangVerified));
  return {
    programs,
    insnGeomean: geomean(insn),
    insnMax: Math.max(...insn),
    verifiedGeomean: geomean(ver),
    verifiedMax: Math.max(...ver),
    compileSpeedup: done.reduce((s, p) => s + p.clangMs, 0) / done.reduce((s, p) => s + p.oursMs!, 0),
    missing: names.filter((n) => !sources.has(n)),
  };
}
