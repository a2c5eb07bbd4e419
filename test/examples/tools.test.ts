/**
 * Every example tool run on the real kernel as a user runs it, while this test makes the
 * traffic it watches: its --json output must show that traffic, its report must be readable,
 * and Ctrl-C must end it cleanly with its summary.
 */
import { readFileSync } from "node:fs";
import { beforeAll, expect, test } from "@jest/globals";
import { describeKernel } from "../helpers/kernel.js";
import { checkNoFdLeaks } from "../helpers/fds.js";
import { buildExamples, lastJson, startExample } from "./run-example.js";

interface Bucket { low: number; high: number; count: number }

function readMany(n: number): void {
  for (let i = 0; i < n; i++) readFileSync("/proc/self/stat");
}

describeKernel("example tools", () => {
  checkNoFdLeaks();
  beforeAll(() => buildExamples(), 60_000);

  test("readlatency: log2 histogram of read() latency", async () => {
    const run = startExample("readlatency", ["--duration", "1.5", "--json"]);
    await run.ready;
    readMany(200);
    const r = await run.done;
    expect(r.code).toBe(0);
    const out = lastJson<{ unit: string; total: number; buckets: Bucket[] }>(r);
    expect(out.unit).toBe("usecs");
    expect(out.total).toBeGreaterThanOrEqual(200);
    expect(out.buckets.reduce((a, b) => a + b.count, 0)).toBe(out.total);
    expect(out.buckets[0]).toMatchObject({ low: 0, high: 1 });
    for (let i = 1; i < out.buckets.length; i++) expect(out.buckets[i]).toMatchObject({ low: 2 ** i, high: 2 ** (i + 1) - 1 });
  });

  test("readlatency: the report is a bcc-style histogram; Ctrl-C ends it with the summary", async () => {
    const run = startExample("readlatency", ["--duration", "30"]);
    await run.ready;
    readMany(50);
    run.kill("SIGINT");
    const r = await run.done;
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^ {5}usecs {15}: count {5}distribution$/m);
    expect(r.stdout).toMatch(/^ {9}0 -> 1 {10}: \d+ +\|\**\s*\|$/m);
    expect(r.stdout).toMatch(/\n\d+ reads measured in \d+\.\ds\.\n$/);
  });

  test("sched-switch: switches per CPU and the processes switched out most", async () => {
    const run = startExample("sched-switch", ["--duration", "1", "--json", "--top", "5"]);
    const r = await run.done;
    expect(r.code).toBe(0);
    const out = lastJson<{ total: number; cpus: Record<string, number>; top: { pid: number; comm: string; switches: number }[] }>(r);
    expect(out.total).toBeGreaterThan(0);
    expect(Object.values(out.cpus).reduce((a, b) => a + b, 0)).toBe(out.total);
    expect(out.top.length).toBeGreaterThan(0);
    expect(out.top.length).toBeLessThanOrEqual(5);
    for (let i = 1; i < out.top.length; i++) expect(out.top[i - 1]!.switches).toBeGreaterThanOrEqual(out.top[i]!.switches);
    const text = await startExample("sched-switch", ["--duration", "0.5"]).done;
    expect(text.stdout).toMatch(/^CPU {2}SWITCHES$/m);
    expect(text.stdout).toMatch(/^ *PID {2}COMM +SWITCHED OUT$/m);
    expect(text.stdout).toMatch(/context switches in \d+\.\ds \(\d+\/s\)\.\n$/);
  });
});
