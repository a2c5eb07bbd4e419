/** `whistler disasm FILE`: an object file, or every template of a TypeScript file. */
import { readFileSync } from "node:fs";

export async function disasmCommand(file: string): Promise<void> {
  const { disassemble } = await import("../transformer/compile.js");
  if (!/\.[mc]?tsx?$/.test(file)) {
    process.stdout.write(disassemble(new Uint8Array(readFileSync(file))));
    return;
  }
  const { buildFile } = await import("../transformer/plugin/build-file.js");
  const build = buildFile(file);
  for (const m of build.messages) process.stderr.write(m + "\n");
  if (build.errorCount > 0) {
    process.exitCode = 1;
    return;
  }
  for (const t of build.templates) {
    if (!t.result.elf) continue;
    process.stdout.write(`; template ${t.exportName ?? "(not exported)"}\n${disassemble(t.result.elf)}\n`);
  }
}
