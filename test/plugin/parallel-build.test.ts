/**
 * Templates compiled on worker threads (plugin/compile-pool.ts) give exactly what compiling
 * them on tsc's thread gives: in the pool directly, and in whole tsc builds.
 */
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync, rmSync } from "node:fs";
import * as path from "node:path";
import { afterAll, describe, expect, test } from "@jest/globals";
import { compileTemplate } from "../../transformer/compile.js";
import { CompilePool, MIN_PARALLEL_JOBS, workerCount } from "../../transformer/plugin/compile-pool.js";
import type { CompileResult, TemplateSource } from "../../transformer/api.js";
import { generateProject } from "../../bench/tsc-project.js";
import { hashMap, template } from "../compiler/helpers.js";

const root = path.resolve(import.meta.dirname, "../..");
const WORKER = path.join(root, "dist/transformer/compile-worker.bundle.cjs");

function source(n: number): TemplateSource {
  return template(
    `export function prog_${n}(ctx: Xdp): i32 {
  const key = (get_current_pid_tgid() >> 32n) & ${n + 1}n;
  \${sizes}.increment(key);
  if (key > ${n}n) { return 1; }
  return 2;
}`,
    { sizes: hashMap("u64", "u64", 64 + n) },
    `t${n}.ts`,
  );
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("CompilePool", () => {
  test("results from the worker are byte for byte those of compileTemplate", async () => {
    const sources = Array.from({ length: 24 }, (_, n) => source(n));
    let here = 0;
    const pool = new CompilePool(1, WORKER);
    pool.begin(sources, (s) => (here++, compileTemplate(s)));
    // Give the worker time to take jobs before this thread claims any.
    await sleep(1500);
    for (const src of sources) {
      const got = pool.compile(src)!;
      const want = compileTemplate(src);
      expect(want.diagnostics).toEqual([]);
      expect(got.diagnostics).toEqual([]);
      expect(Buffer.from(got.elf!).equals(Buffer.from(want.elf!))).toBe(true);
      expect(got.programs).toEqual(want.programs);
    }
    expect(pool.workerResults).toBeGreaterThan(0);
    expect(pool.workerResults + here).toBe(sources.length);
  }, 60_000);

  test("a template the worker's parser does not read is compiled on this thread, which reports it", async () => {
    const good = source(5);
    let here = 0;
    const pool = new CompilePool(1, WORKER);
    const bad = template("export function p(ctx: Xdp): i32 { return ; ; }}", {}, "bad.ts");
    pool.begin([good, bad], (s) => (here++, compileTemplate(s)));
    await sleep(1000); // the worker takes both: bad first (it starts from the end)
    const reported = pool.compile(bad)!;
    expect(reported.elf).toBeUndefined();
    expect(reported.diagnostics.map((d) => d.code)).toEqual(compileTemplate(bad).diagnostics.map((d) => d.code));
    expect(reported.diagnostics[0]!.code).toBe("WBPF1000");
    expect(pool.compile(good)!.elf).toBeDefined();
    expect(pool.workerResults).toBe(1);
    expect(here).toBe(1);
  }, 30_000);

  test("a job the worker fails on is compiled on this thread, which reports the failure", async () => {
    const good = source(1);
    // A slot whose value is missing: no user input makes this, so the compiler throws.
    const ok = source(2);
    const broken: TemplateSource = { ...ok, slots: ok.slots.map((sl) => ({ ...sl, value: undefined as unknown as typeof sl.value })) };
    const pool = new CompilePool(1, WORKER);
    pool.begin([good, broken], (s) => compileTemplate(s));
    await sleep(1500);
    expect(() => compileTemplate(broken)).toThrow(TypeError);
    expect(() => pool.compile(broken)).toThrow(TypeError);
    expect(pool.compile(good)!.elf).toBeDefined();
  }, 60_000);

  test("a worker that cannot start leaves every job to this thread", async () => {
    const sources = [source(3), source(4)];
    let here = 0;
    const pool = new CompilePool(1, path.join(root, "dist/transformer/no-such-worker.cjs"));
    pool.begin(sources, (s) => (here++, compileTemplate(s)));
    await sleep(500);
    for (const src of sources) expect(pool.compile(src)!.elf).toBeDefined();
    expect(here).toBe(2);
    expect(pool.workerResults).toBe(0);
  }, 30_000);

  test("disposing terminates the workers; jobs they had claimed then compile here", async () => {
    const sources = Array.from({ length: 6 }, (_, n) => source(50 + n));
    let here = 0;
    const pool = new CompilePool(1, WORKER);
    pool.begin(sources, (s) => (here++, compileTemplate(s)));
    await sleep(300); // the worker may be inside a job when it is terminated
    pool[Symbol.dispose]();
    for (const src of sources) expect(Buffer.from(pool.compile(src)!.elf!).equals(Buffer.from(compileTemplate(src).elf!))).toBe(true);
    expect(pool.workerResults + here).toBe(sources.length);
  }, 30_000);

  test("a source that is not one of its jobs is left to the caller", () => {
    const pool = new CompilePool(0, WORKER);
    pool.begin([source(1)], (s) => compileTemplate(s));
    expect(pool.compile(source(1))).toBeUndefined(); // equal content, but not the job's object
  });

  test("worker threads: none for small builds; WHISTLER_JOBS counts tsc's thread too", () => {
    expect(workerCount(MIN_PARALLEL_JOBS - 1, { WHISTLER_JOBS: "4" })).toBe(0);
    expect(workerCount(100, { WHISTLER_JOBS: "1" })).toBe(0);
    expect(workerCount(100, { WHISTLER_JOBS: "2" })).toBe(1);
    expect(workerCount(100, { WHISTLER_JOBS: "8" })).toBe(6); // a worker per 16 templates at most
    expect(workerCount(20, { WHISTLER_JOBS: "8" })).toBe(1);
  });
});

describe("tsc builds", () => {
  const project = generateProject(root, 8, 5, true);
  afterAll(() => rmSync(project, { recursive: true, force: true }));

  /** Builds the project with WHISTLER_JOBS=`jobs`: the emitted files, and the time trace. */
  const build = (jobs: string): { files: Map<string, string>; trace: string } => {
    rmSync(path.join(project, "out"), { recursive: true, force: true });
    const run = spawnSync(process.execPath, [path.join(root, "node_modules/ts-patch/bin/tspc.js"), "-p", project], {
      env: { ...process.env, WHISTLER_JOBS: jobs, WHISTLER_TRACE: "time" },
      encoding: "utf8",
    });
    if (run.status !== 0) throw new Error(`tspc failed:\n${run.stdout}${run.stderr}`);
    const dir = path.join(project, "out");
    return { files: new Map(readdirSync(dir).map((f) => [f, readFileSync(path.join(dir, f), "utf8")])), trace: run.stderr };
  };

  test("40 templates on two threads emit exactly what one thread emits", () => {
    const one = build("1");
    const two = build("2");
    expect(one.trace).toMatch(/compiling 40 templates/);
    expect(one.trace).not.toContain("worker thread");
    expect(two.trace).toMatch(/compiling 40 templates .*; \d+ compiled on 1 worker thread/);
    expect([...two.files.keys()].sort()).toEqual([...one.files.keys()].sort());
    for (const [name, js] of one.files) expect(two.files.get(name)).toBe(js);
    expect(one.files.get("t7.js")!.match(/bpf\.compiled\(/g)?.length).toBe(5);
  }, 120_000);
});
