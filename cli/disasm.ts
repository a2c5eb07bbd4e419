/** `whistler disasm FILE`: an object file, or every template of a TypeScript file. */
import { readFileSync } from "node:fs";
import { buildOrReport } from "./build-or-report.js";

export async function disasmCommand(file: string): Promise<void> {
  const { disassemble } = await import("../transformer/compile.js");
  if (!/\.[mc]?tsx?$/.test(file)) {
    process.stdout.write(disassemble(new Uint8Array(readFileSync(file))));
    return;
  }
  const build = await buildOrReport(file);
  if (!build) return;
  for (const t of build.templates) {
    if (!t.result.elf) continue;
    process.stdout.write(`; template ${t.exportName ?? "(not exported)"}\n${disassemble(t.result.elf)}\n`);
  }
}
