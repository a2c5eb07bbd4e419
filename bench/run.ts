/**
 * `npm run bench [-- --json]`: side-by-side measurements in one run (the machines are shared
 * and noisy, so only ratios are reported). Prints a table; with --json, one JSON object as
 * the last line of stdout.
 */
import * as path from "node:path";
import { fileURLToPath } from "node:url";
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
  row("tspc with the whistler-ts plugin", `${tsc.plugin.toFixed(0)} ms`);
  row("ratio (plugin / plain tsc)", tsc.ratio.toFixed(3), "bar: <= 1.5");
  row("watch rebuild after one edit", `${tsc.watchMs.toFixed(0)} ms`, "bar: <= 200 ms");
  report.tscPluginRatio = Number(tsc.ratio.toFixed(4));
  report.watchRebuildMs = Number(tsc.watchMs.toFixed(1));

  if (json) console.log(JSON.stringify(report));
}

await main();
