/**
 * `WHISTLER_TRACE` (comma-separated) makes the transformer say what it does, on stderr:
 * - `compile`: every compile (a cache miss), with the template's file and line: which
 *   templates a watch-mode rebuild recompiled;
 * - `time`: at exit, how long loading the compiler, transforming files (finding templates,
 *   resolving their interpolations, compiling, replacing) and compiling alone took, and how
 *   many templates came from the cache, and how many compiled on worker threads: what the
 *   plugin costs a build.
 */
const FLAGS = new Set((process.env.WHISTLER_TRACE ?? "").split(",").map((s) => s.trim()));

export const TRACE_COMPILES = FLAGS.has("compile");
export const TRACE_TIME = FLAGS.has("time");

const stats = { loadMs: 0, transformMs: 0, files: 0, compileMs: 0, compiled: 0, cached: 0, workers: 0, onWorkers: 0, turbofanPaused: false };

if (TRACE_TIME) {
  process.on("exit", () => {
    const per = stats.compiled ? ` (${(stats.compileMs / stats.compiled).toFixed(2)} ms each)` : "";
    process.stderr.write(
      `whistler: loading the compiler ${stats.loadMs.toFixed(1)} ms; transforming ${stats.files} files ${stats.transformMs.toFixed(1)} ms, ` +
        `of which compiling ${stats.compiled} templates ${stats.compileMs.toFixed(1)} ms${per}; ${stats.cached} from the cache` +
        (stats.workers > 0 ? `; ${stats.onWorkers} compiled on ${stats.workers} worker thread${stats.workers === 1 ? "" : "s"}` : "") +
        (stats.turbofanPaused ? "; TurboFan paused for the build" : "") +
        "\n",
    );
  });
}

/** Runs `f`, adding its wall time to the statistic `what` when `time` tracing is on. */
export function timed<T>(what: "loadMs" | "transformMs" | "compileMs", f: () => T): T {
  if (!TRACE_TIME) return f();
  const t0 = performance.now();
  try {
    return f();
  } finally {
    stats[what] += performance.now() - t0;
    if (what === "compileMs") stats.compiled++;
    if (what === "transformMs") stats.files++;
  }
}

export function countCacheHit(): void {
  stats.cached++;
}

/** A compile pool started `workers` threads. */
export function countWorkers(workers: number): void {
  stats.workers += workers;
}

/** A result came from a worker thread (its time is the wait, in `compileMs`). */
export function countWorkerCompile(): void {
  stats.onWorkers++;
}

/** The plugin turned V8's TurboFan off for this build (build-jit.ts). */
export function noteTurbofanPaused(paused: boolean): void {
  if (paused) stats.turbofanPaused = true;
}
