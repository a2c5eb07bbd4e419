/**
 * Planning a build's compiles across threads (compile-pool.ts). On the first file of a
 * program's emit, every template of the program is found and parsed; with enough of them,
 * worker threads start compiling from the end of the list while tsc's thread goes on.
 *
 * Only a process's first build is planned: a watch-mode rebuild recompiles the few templates
 * that changed, and finding every template again would cost it more than threads could save.
 */
import type * as TS from "typescript";
import { findTemplates, type TemplateSite } from "./templates.js";
import { cachedResults } from "./cache.js";
import { CompilePool, workerCount } from "./compile-pool.js";
import type { PoolJob } from "./compile-jobs.js";
import type { loadCompiler } from "./host-typescript.js";

export interface ParallelBuild {
  /** The templates of each scanned file, found once for both the plan and the file's transform. */
  readonly sites: ReadonlyMap<TS.SourceFile, readonly TemplateSite[]>;
  /** Absent when the build has too few templates to be worth a thread. */
  readonly pool?: CompilePool;
}

export function planParallelBuild(ts: typeof TS, program: TS.Program, checker: TS.TypeChecker, compiler: ReturnType<typeof loadCompiler>): ParallelBuild | undefined {
  if (cachedResults() > 0) return undefined;
  const sites = new Map<TS.SourceFile, readonly TemplateSite[]>();
  let count = 0;
  for (const sf of program.getSourceFiles()) {
    // Only a file that mentions the tag can hold a template; a file missed here (the tag
    // renamed through a re-export) is simply searched when tsc emits it.
    if (sf.isDeclarationFile || program.isSourceFileFromExternalLibrary(sf) || !sf.text.includes("bpf")) continue;
    const found = findTemplates(ts, checker, sf);
    sites.set(sf, found);
    count += found.length;
  }
  const workers = workerCount(count);
  if (workers === 0) return { sites };
  const jobs: PoolJob[] = [];
  for (const found of sites.values()) {
    for (const site of found) {
      const parsed = compiler.parseSource(site.source);
      // A template with parse diagnostics is compiled on tsc's thread, whole, as usual.
      if ("template" in parsed) jobs.push({ source: site.source, template: parsed.template });
    }
  }
  return { sites, pool: new CompilePool(jobs, workers, (job) => compiler.compileParsed(job.source, job.template)) };
}
