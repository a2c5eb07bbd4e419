/**
 * tscPluginRatio: wall time of tsc with the whistler-ts transformer (TypeScript patched by
 * `ts-patch install`) on a generated project of 100 templates, against plain `tsc` on the same
 * project without the plugin (rounds alternate; best of each). The same patched tsc without
 * the plugin separates ts-patch's own cost from the plugin's, and the same build compiling on
 * tsc's thread alone (`WHISTLER_JOBS=1`) shows what a machine with no core to spare gets, and
 * the same build with `"turbofan": true` what pausing V8's TurboFan for it (build-jit.ts) saves.
 * `tspc`, which re-patches the compiler in memory on every run, is reported beside it. Also the
 * warm watch-mode rebuild after editing one template (best of 3).
 */
import { execFileSync, spawn } from "node:child_process";
import { rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { generateProject, templateFile } from "./tsc-project.js";
import { patchedTypeScript } from "./patched-tsc.js";

const FILES = 20;
const PER_FILE = 5;

function timeRun(args: string[], env: NodeJS.ProcessEnv = process.env): number {
  const t0 = process.hrtime.bigint();
  execFileSync(process.execPath, args, { stdio: "pipe", env });
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

/** Milliseconds from "File change detected" to "Found 0 errors" after editing one template. */
export async function watchRebuildMs(repoRoot: string, projectDir: string): Promise<number> {
  const tspc = path.join(repoRoot, "node_modules/ts-patch/bin/tspc.js");
  const child = spawn(process.execPath, [tspc, "-p", projectDir, "--watch", "--preserveWatchOutput"], { stdio: ["ignore", "pipe", "pipe"] });
  try {
    let buf = "";
    let changeAt = 0n;
    const waitFor = (re: RegExp, timeoutMs: number): Promise<bigint> =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`watch: no ${re} within ${timeoutMs} ms; output:\n${buf}`)), timeoutMs);
        const check = (): void => {
          const m = re.exec(buf);
          if (!m) return;
          buf = buf.slice(m.index + m[0].length);
          clearTimeout(timer);
          child.stdout.off("data", onData);
          resolve(process.hrtime.bigint());
        };
        const onData = (d: Buffer): void => {
          buf += d.toString();
          if (/File change detected/.test(buf) && changeAt === 0n) changeAt = process.hrtime.bigint();
          check();
        };
        child.stdout.on("data", onData);
        check();
      });
    await waitFor(/Found 0 errors\. Watching for file changes\./, 60_000);
    changeAt = 0n;
    writeFileSync(path.join(projectDir, "src", "t0.ts"), templateFile(0, PER_FILE, 1));
    const done = await waitFor(/Found 0 errors\. Watching for file changes\./, 30_000);
    return Number(done - changeAt) / 1e6;
  } finally {
    child.kill();
  }
}

export interface TscPluginTimes {
  /** Plain tsc, no plugin (ms). */
  plain: number;
  /** tsc patched by `ts-patch install`, with the plugin (ms). */
  plugin: number;
  /** The same patched tsc on the same project without the plugin (ms): ts-patch's own cost. */
  patchedPlain: number;
  /** tspc with the plugin (ms). */
  tspc: number;
  /** The patched tsc with the plugin compiling on tsc's thread alone (`WHISTLER_JOBS=1`, ms). */
  oneThread: number;
  /** The patched tsc with the plugin's entry saying `"turbofan": true` (ms). */
  turbofanKept: number;
  ratio: number;
  /**
   * The median over rounds of each round's plugin / plain: both builds of a round run back to
   * back, so a slow spell of a shared machine slows both, where the best of each side alone
   * can pair one side's lucky run with the other's ordinary one.
   */
  pairedRatio: number;
  /** oneThread / plain: the ratio on a machine with no core to spare. */
  oneThreadRatio: number;
  /** plugin / patchedPlain: what the plugin alone adds to a tsc that ts-patch already patched. */
  pluginOnlyRatio: number;
  /** turbofanKept / plain: the ratio without the plugin's TurboFan pause. */
  turbofanKeptRatio: number;
  watchMs: number;
}

export async function measureTscPlugin(repoRoot: string, rounds = 9): Promise<TscPluginTimes> {
  const tsc = path.join(repoRoot, "node_modules/typescript/bin/tsc");
  const tspc = path.join(repoRoot, "node_modules/ts-patch/bin/tspc.js");
  const plainDir = generateProject(repoRoot, FILES, PER_FILE, false);
  const pluginDir = generateProject(repoRoot, FILES, PER_FILE, true);
  const patchedPlainDir = generateProject(repoRoot, FILES, PER_FILE, false);
  const keptDir = generateProject(repoRoot, FILES, PER_FILE, { turbofan: true });
  try {
    const patched = patchedTypeScript(repoRoot, pluginDir);
    const patchedNoPlugin = patchedTypeScript(repoRoot, patchedPlainDir);
    const patchedKept = patchedTypeScript(repoRoot, keptDir);
    let plain = Infinity;
    let plugin = Infinity;
    let patchedPlain = Infinity;
    let tspcMs = Infinity;
    let oneThread = Infinity;
    let turbofanKept = Infinity;
    const paired: number[] = [];
    timeRun([tspc, "-p", pluginDir]); // warm ts-patch's patched-compiler cache, as any second build is
    for (let r = 0; r < rounds; r++) {
      const plainMs = timeRun([tsc, "-p", plainDir]);
      const pluginMs = timeRun([patched, "-p", pluginDir]);
      paired.push(pluginMs / plainMs);
      plain = Math.min(plain, plainMs);
      plugin = Math.min(plugin, pluginMs);
      patchedPlain = Math.min(patchedPlain, timeRun([patchedNoPlugin, "-p", patchedPlainDir]));
      tspcMs = Math.min(tspcMs, timeRun([tspc, "-p", pluginDir]));
      oneThread = Math.min(oneThread, timeRun([patched, "-p", pluginDir], { ...process.env, WHISTLER_JOBS: "1" }));
      turbofanKept = Math.min(turbofanKept, timeRun([patchedKept, "-p", keptDir]));
    }
    // Best of 3 rebuilds, each in a fresh project (an edit must change the file to be seen).
    let watchMs = await watchRebuildMs(repoRoot, pluginDir);
    for (let r = 0; r < 2; r++) {
      const dir = generateProject(repoRoot, FILES, PER_FILE, true);
      try {
        watchMs = Math.min(watchMs, await watchRebuildMs(repoRoot, dir));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
    return {
      plain, plugin, patchedPlain, tspc: tspcMs, oneThread, turbofanKept, ratio: plugin / plain, pairedRatio: median(paired),
      oneThreadRatio: oneThread / plain, pluginOnlyRatio: plugin / patchedPlain, turbofanKeptRatio: turbofanKept / plain, watchMs,
    };
  } finally {
    rmSync(plainDir, { recursive: true, force: true });
    rmSync(pluginDir, { recursive: true, force: true });
    rmSync(patchedPlainDir, { recursive: true, force: true });
    rmSync(keptDir, { recursive: true, force: true });
  }
}

function median(xs: readonly number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
