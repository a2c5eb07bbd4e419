/** `whistler build FILE.ts --out-dir DIR`. */
import { mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { buildOrReport } from "./build-or-report.js";

export async function buildCommand(file: string, outDir: string): Promise<void> {
  const build = await buildOrReport(file);
  if (!build) return;
  const exported = build.templates.filter((t) => t.exportName !== undefined && t.result.elf);
  if (exported.length === 0) {
    process.stderr.write(`${file}: no exported bpf templates (write \`export const name = bpf\\\`...\\\`\`)\n`);
    process.exitCode = 1;
    return;
  }
  mkdirSync(outDir, { recursive: true });
  for (const t of exported) {
    const out = path.join(outDir, `${t.exportName}.bpf.o`);
    writeFileSync(out, t.result.elf as Uint8Array);
    const progs = t.result.programs.map((p) => `${p.name} (${p.section}, ${p.insnCount} insns)`).join(", ");
    process.stdout.write(`wrote ${out}: ${progs}\n`);
  }
}
