/**
 * Every example tool run on the real kernel as a user runs it, while this test makes the
 * traffic it watches: its --json output must show that traffic, its report must be readable,
 * and Ctrl-C must end it cleanly with its summary.
 */
import { spawn } from "node:child_process";
import { existsSync, readFileSync, readdirSync } from "node:fs";
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

  test("malloc-stats: a uprobe on libc malloc, filtered to one process, with a size histogram", async () => {
    // 100 KB uninitialised buffers come from malloc() in node's array buffer allocator
    const child = spawn(process.execPath, ["-e", "setInterval(() => { for (let i = 0; i < 20; i++) Buffer.allocUnsafeSlow(100000); }, 10)"], { stdio: "ignore" });
    try {
      await new Promise((r) => setTimeout(r, 300));
      const r = await startExample("malloc-stats", ["--duration", "1", "--json", "--pid", String(child.pid)]).done;
      expect(r.code).toBe(0);
      const out = lastJson<{ total: number; buckets: Bucket[]; top: { pid: number; comm: string; calls: number; bytes: number }[] }>(r);
      expect(out.top.map((t) => t.pid)).toEqual([child.pid]);
      expect(out.top[0]!.comm).toBe("node");
      const big = out.buckets.find((b) => b.low === 65536)!;
      expect(big.count).toBeGreaterThanOrEqual(100);
      expect(out.top[0]!.bytes).toBeGreaterThanOrEqual(big.count * 100000);
      expect(out.buckets.reduce((a, b) => a + b.count, 0)).toBe(out.total);
    } finally {
      child.kill();
    }
  });

  test("pygc: python3's garbage collections per generation from its USDT probes, filtered to one process", async () => {
    // Each round makes 100 reference cycles, then collects generation 1 ten times and 2 once.
    const script = "import gc, time\nwhile True:\n    for _ in range(100):\n        a = []; a.append(a)\n    del a\n    for _ in range(10): gc.collect(1)\n    gc.collect(2)\n    time.sleep(0.01)\n";
    const child = spawn("/usr/bin/python3", ["-c", script], { stdio: "ignore" });
    try {
      await new Promise((r) => setTimeout(r, 300));
      const r = await startExample("pygc", ["--duration", "1", "--json", "--pid", String(child.pid)]).done;
      expect(r.code).toBe(0);
      const out = lastJson<{ generations: { generation: number; collections: number; freed: number; pauseNs: number; longestNs: number; averageNs: number }[]; processes: { pid: number; comm: string; collections: number }[] }>(r);
      expect(out.processes.map((p) => [p.pid, p.comm])).toEqual([[child.pid, "python3"]]);
      const [, g1, g2] = out.generations;
      expect(g1!.collections).toBeGreaterThanOrEqual(10);
      expect(g2!.collections).toBeGreaterThanOrEqual(1);
      expect(g1!.collections).toBeGreaterThanOrEqual(5 * g2!.collections); // ten to one, give or take the run's edges
      expect(g1!.freed + g2!.freed).toBeGreaterThanOrEqual(100); // the cycles, freed by whichever collection came first
      for (const g of [g1!, g2!]) {
        expect(g.pauseNs).toBeGreaterThan(0);
        expect(g.longestNs).toBeGreaterThanOrEqual(g.averageNs);
        expect(g.longestNs).toBeLessThanOrEqual(g.pauseNs);
      }
      expect(out.processes[0]!.collections).toBe(out.generations.reduce((a, g) => a + g.collections, 0));
    } finally {
      child.kill();
    }
  });

  test("cgroup-egress: bytes and packets per cgroup, exact for known UDP senders", async () => {
    const r = await startExample("cgroup-egress", ["--duration", "1.5", "--json"]).done;
    expect(r.code).toBe(0);
    const out = lastJson<{ cgroups: { cgroup: string; bytes: number; packets: number }[] }>(r);
    expect(out.cgroups.map((c) => c.cgroup.split("/").pop())).toEqual(["small", "large"]);
    // 40 datagrams each: 64 and 1200 bytes of payload, plus 8 (UDP) and 20 (IPv4) bytes of headers
    expect(out.cgroups[0]).toMatchObject({ packets: 40, bytes: 40 * (64 + 28) });
    expect(out.cgroups[1]).toMatchObject({ packets: 40, bytes: 40 * (1200 + 28) });
    // the demo cgroups are gone afterwards
    const parent = out.cgroups[0]!.cgroup.replace(/\/small$/, "");
    expect(existsSync(parent)).toBe(false);
  });

  test("tc-mark-udp: marks the watched port's UDP packets on a veth pair in its own netns", async () => {
    const r = await startExample("tc-mark-udp", ["--duration", "1", "--json", "--port", "7000", "--mark", "7"]).done;
    expect(r.code).toBe(0);
    const out = lastJson<{ interface: string; mark: number; ports: { port: number; packets: number; marked: number }[] }>(r);
    expect(out.mark).toBe(7);
    expect(out.ports).toEqual([
      { port: 7000, packets: 20, marked: 20 },
      { port: 7001, packets: 20, marked: 0 },
      { port: 9999, packets: 20, marked: 0 },
    ]);
    // the veth pair and its namespace are removed on exit
    expect(readdirSync("/sys/class/net")).not.toContain(out.interface);
    const text = await startExample("tc-mark-udp", ["--duration", "0.5"]).done;
    expect(text.stdout).toMatch(/^PORT {2}UDP PACKETS {2}MARKED$/m);
    expect(text.stdout).toMatch(/^5353 +20 +20$/m);
    expect(text.stdout).toMatch(/\n20 packets marked 42 in \d+\.\ds\.\n$/);
  });
});
