/** `whistler build FILE.ts --out-dir DIR`. */
import { mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";

export async function buildCommand(file: string, outDir: string): Promise<void> {
  // The compiler and `typescript` load only for the commands that need them.
  const { buildFile } = await import("../transformer/plugin/build-file.js");
  const build = buildFile(file);
  for (const m of build.messages) process.stderr.write(m + "\n");
  if (build.errorCount > 0) {
    process.exitCode = 1;
    return;
  }
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
