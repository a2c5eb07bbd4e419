/**
 * `whistler usdt BINARY [FILTER]`: a binary's USDT probes, one line per probe with the
 * `Usdt<...>` context type that traces it, then its sites (file offset, semaphore) and where
 * each site keeps its arguments.
 */
import { WhistlerError } from "../runtime/errors.js";
import type { UsdtProbe } from "../loader/link/usdt-notes.js";
import { usdtProbesOf } from "../loader/link/usdt.js";
import { resolveBinary } from "../loader/link/uprobe-target.js";

export function describeUsdtProbes(path: string, probes: readonly UsdtProbe[]): string {
  const byProbe = new Map<string, UsdtProbe[]>();
  for (const p of probes) {
    const key = `${p.provider}:${p.name}`;
    byProbe.set(key, [...(byProbe.get(key) ?? []), p]);
  }
  const lines: string[] = [];
  for (const [key, sites] of byProbe) {
    // Counted from the text: a site whose specs this machine cannot follow is still listed.
    const args = sites[0]!.argText.split(/\s+/).filter(Boolean).length;
    lines.push(`Usdt<"${path}:${key}">  ${args} argument${args === 1 ? "" : "s"}, ${sites.length} site${sites.length === 1 ? "" : "s"}`);
    for (const s of sites) {
      const sem = s.semaphoreOffset ? `, semaphore at 0x${s.semaphoreOffset.toString(16)}` : "";
      lines.push(`  at 0x${s.offset.toString(16)}${sem}: ${s.argText || "(no arguments)"}`);
    }
  }
  return lines.join("\n") + (lines.length ? "\n" : "");
}

export function usdtCommand(binary: string, filter: string | undefined): void {
  const path = resolveBinary(binary);
  const probes = usdtProbesOf(path).filter((p) => !filter || `${p.provider}:${p.name}`.includes(filter));
  if (probes.length === 0) {
    throw new WhistlerError(filter ? `${path} has no USDT probe matching "${filter}"` : `${path} has no USDT probes (no .note.stapsdt section)`, {
      hint: filter ? `list them all with: whistler usdt ${binary}` : "USDT probes come from <sys/sdt.h> STAP_PROBE/DTRACE_PROBE macros in the program's source",
    });
  }
  process.stdout.write(describeUsdtProbes(path, probes));
}
