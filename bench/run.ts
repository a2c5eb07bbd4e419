/**
 * `npm run bench [-- --json]`: side-by-side measurements in one run (the machines are shared
 * and noisy, so only ratios are reported). Prints a table; with --json, one JSON object as
 * the last line of stdout.
 */
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { measureLoadTime } from "./load-time.js";
import { measureMapLookup } from "./map-lookup.js";
import { measureTscPlugin } from "./tsc-plugin.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const row = (label: string, value: string, note = ""): void => console.log(`  ${label.padEnd(34)} ${value.padStart(10)}  ${note}`);

async function main(): Promise<void> {
  const json = process.argv.includes("--json");
  const report: Record<string, unknown> = { programs: {} };

  const lookup = await measureMapLookup(root);
  console.log("map lookup (u32 -> u64 hash, best of 7 rounds):");
  row("C (gcc, raw syscall)", `${lookup.c.toFixed(1)} ns`);
  row("whistler-ts MapHandle.get", `${lookup.ours.toFixed(1)} ns`);
  row("ratio (ours / C)", lookup.ratio.toFixed(3), "bar: <= 1.25");
  report.mapLookupRatio = Number(lookup.ratio.toFixed(4));

  const tsc = await measureTscPlugin(root);
  console.log("tsc on a generated project of 100 templates (best of 3 rounds):");
  row("tsc, no plugin", `${tsc.plain.toFixed(0)} ms`);
  row("tsc (ts-patch install) + plugin", `${tsc.plugin.toFixed(0)} ms`);
  row("tspc + plugin", `${tsc.tspc.toFixed(0)} ms`, "re-patches the compiler in memory each run");
  row("ratio (plugin / plain tsc)", tsc.ratio.toFixed(3), "bar: <= 1.5");
  row("watch rebuild after one edit", `${tsc.watchMs.toFixed(0)} ms`, "bar: <= 200 ms");
  report.tscPluginRatio = Number(tsc.ratio.toFixed(4));
  report.watchRebuildMs = Number(tsc.watchMs.toFixed(1));

  const loadTime = await measureLoadTime(root);
  console.log("object load time, ours vs bpftool prog loadall (libbpf), best of 7 rounds:");
  for (const [name, t] of Object.entries(loadTime.objects)) row(name, `${t.ours.toFixed(2)} ms`, `bpftool ${t.bpftool.toFixed(2)} ms`);
  row("total, ours", `${loadTime.ours.toFixed(1)} ms`);
  row("total, bpftool (net of process start)", `${loadTime.bpftool.toFixed(1)} ms`);
  row("ratio (ours / bpftool)", loadTime.ratio.toFixed(3), "bar: <= 1.2");
  report.loadRatio = Number(loadTime.ratio.toFixed(4));

  if (json) console.log(JSON.stringify(report));
}

await main();
