/**
 * The first build's TurboFan pause (plugin/build-jit.ts): what it does to V8 in a real node
 * process (observed through V8's own optimization status), when it leaves V8 alone, and that
 * a tsc build emits the same files either way.
 */
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { afterAll, describe, expect, test } from "@jest/globals";
import { MAX_PAUSED_TEMPLATES, tieringFlagsGiven } from "../../transformer/plugin/build-jit.js";
import { generateProject } from "../../bench/tsc-project.js";

const root = path.resolve(import.meta.dirname, "../..");
const BUILD_JIT = path.join(root, "dist/transformer/plugin/build-jit.js");

/** V8's OptimizationStatus bit for code TurboFan produced (src/runtime/runtime.h). */
const TURBOFANNED = 1 << 6;

/**
 * In a fresh node: calls pauseTurbofanForBuild(`templates`, `keep`), then runs a hot function
 * long enough for TurboFan to take it, before and after the event loop turns once. Returns
 * whether it paused and whether the function was TurboFan code at each point.
 */
function probe(templates: number, keep: boolean, nodeArgs: readonly string[] = []): { paused: boolean; during: boolean; after: boolean } {
  const script = `
const { pauseTurbofanForBuild } = await import(${JSON.stringify(BUILD_JIT)});
function hot(n) { let s = 0; for (let i = 0; i < n; i++) s += (i * n) ^ (s >>> 3); return s; }
const warm = async () => {
  for (let round = 0; round < 40; round++) {
    for (let i = 0; i < 2000; i++) hot(50);
    if (%GetOptimizationStatus(hot) & ${TURBOFANNED}) return true;
    await new Promise((r) => setTimeout(r, 5)); // concurrent TurboFan jobs finish on the main thread
  }
  return false;
};
const paused = pauseTurbofanForBuild(${templates}, ${keep});
let during = false;
for (let i = 0; i < 20; i++) for (let j = 0; j < 2000; j++) hot(50);
during = (%GetOptimizationStatus(hot) & ${TURBOFANNED}) !== 0;
await new Promise((r) => setImmediate(r));
const after = await warm();
process.stdout.write(JSON.stringify({ paused, during, after }));
`;
  const run = spawnSync(process.execPath, ["--allow-natives-syntax", ...nodeArgs, "--input-type=module", "-e", script], {
    encoding: "utf8",
    env: { ...process.env, NODE_OPTIONS: "" },
  });
  if (run.status !== 0) throw new Error(`probe failed:\n${run.stdout}${run.stderr}`);
  return JSON.parse(run.stdout) as { paused: boolean; during: boolean; after: boolean };
}

describe("TurboFan during a first build", () => {
  test("paused for the build's synchronous emit, on again once the event loop turns", () => {
    expect(probe(100, false)).toEqual({ paused: true, during: false, after: true });
  }, 30_000);

  test("left on when the plugin's entry says turbofan: true, or the build is long", () => {
    // (Whether TurboFan finished its job before the synchronous check is up to its thread.)
    expect(probe(100, true)).toMatchObject({ paused: false, after: true });
    expect(probe(MAX_PAUSED_TEMPLATES + 1, false).paused).toBe(false);
    expect(probe(0, false).paused).toBe(false);
  }, 30_000);

  test("left as node was told when a V8 tiering flag was given", () => {
    // V8 lets node's command line, not NODE_OPTIONS, turn TurboFan off (NODE_OPTIONS takes --jitless).
    expect(probe(100, false, ["--no-turbofan"])).toEqual({ paused: false, during: false, after: false });
    expect(tieringFlagsGiven(["--turbofan"], "")).toBe(true);
    expect(tieringFlagsGiven([], "--jitless")).toBe(true);
    expect(tieringFlagsGiven(["--no_opt"], "")).toBe(true);
    expect(tieringFlagsGiven(["--max-old-space-size=4096", "--enable-source-maps"], "--inspect")).toBe(false);
    expect(tieringFlagsGiven([], "")).toBe(false);
  }, 30_000);
});

describe("tsc builds", () => {
  const project = generateProject(root, 4, 5, true);
  afterAll(() => rmSync(project, { recursive: true, force: true }));

  /** Builds the project with `options` in the plugin's entry: the emitted files, and the time trace. */
  const build = (options: Readonly<Record<string, unknown>>): { files: Map<string, string>; trace: string } => {
    const tsconfig = path.join(project, "tsconfig.json");
    const config = JSON.parse(readFileSync(tsconfig, "utf8")) as { compilerOptions: { plugins: object[] } };
    config.compilerOptions.plugins = [{ transform: "whistler-ts/transformer", ...options }];
    writeFileSync(tsconfig, JSON.stringify(config));
    rmSync(path.join(project, "out"), { recursive: true, force: true });
    const run = spawnSync(process.execPath, [path.join(root, "node_modules/ts-patch/bin/tspc.js"), "-p", project], {
      env: { ...process.env, WHISTLER_TRACE: "time" },
      encoding: "utf8",
    });
    if (run.status !== 0) throw new Error(`tspc failed:\n${run.stdout}${run.stderr}`);
    const dir = path.join(project, "out");
    return { files: new Map(readdirSync(dir).map((f) => [f, readFileSync(path.join(dir, f), "utf8")])), trace: run.stderr };
  };

  test("a build with TurboFan paused emits exactly what one with it on emits", () => {
    const paused = build({});
    const kept = build({ turbofan: true });
    expect(paused.trace).toMatch(/compiling 20 templates .*; TurboFan paused for the build/);
    expect(kept.trace).toMatch(/compiling 20 templates/);
    expect(kept.trace).not.toContain("TurboFan");
    expect([...paused.files.keys()].sort()).toEqual([...kept.files.keys()].sort());
    for (const [name, js] of paused.files) expect(kept.files.get(name)).toBe(js);
    expect(paused.files.get("t3.js")!.match(/bpf\.compiled\(/g)?.length).toBe(5);
  }, 120_000);
});
