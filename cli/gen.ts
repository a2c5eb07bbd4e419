/** `whistler gen --lang c|go|rust|python FILE.ts [-o OUT]`: foreign definitions of every exported defstruct. */
import { writeFileSync } from "node:fs";
import * as path from "node:path";
import { WhistlerError } from "../runtime/errors.js";

export const GEN_LANGS = ["c", "go", "rust", "python"] as const;
export type GenLang = (typeof GEN_LANGS)[number];

export async function genCommand(file: string, opts: { lang: string; out?: string; package?: string }): Promise<void> {
  if (!(GEN_LANGS as readonly string[]).includes(opts.lang)) {
    throw new WhistlerError(`unknown language "${opts.lang}"`, { hint: `use one of: ${GEN_LANGS.join(", ")}` });
  }
  // The compiler and `typescript` load only for the commands that need them.
  const { structsOfFile } = await import("../transformer/structs/collect.js");
  const { generate } = await import("../transformer/structs/generate.js");
  const found = structsOfFile(file);
  for (const e of found.errors) process.stderr.write(e + "\n");
  if (found.errors.length > 0) {
    process.exitCode = 1;
    return;
  }
  if (found.structs.length === 0) {
    process.stderr.write(`${file}: no exported defstruct (write \`export const Name = defstruct("name", { ... })\`)\n`);
    process.exitCode = 1;
    return;
  }
  const text = generate(opts.lang as GenLang, found.structs.map((s) => s.layout), path.basename(file), { goPackage: opts.package });
  if (opts.out) writeFileSync(opts.out, text);
  else process.stdout.write(text);
}
