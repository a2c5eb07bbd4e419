// Golden disassembly of small programs (test/compiler/golden-programs.ts): the exact listing,
// so any change in the code the compiler emits for them is a visible, reviewed diff.
import { expect, test } from "@jest/globals";
import { compileTemplate, disassemble } from "../../transformer/compile.js";
import { GOLDEN } from "./golden-programs.js";
import { describeDiagnostics, template } from "./helpers.js";

test.each(GOLDEN.map((g) => [g.name, g] as const))("%s", (_name, g) => {
  const src = template(g.source, g.slots ?? {});
  const r = compileTemplate(src);
  if (!r.elf) throw new Error(describeDiagnostics(src, r.diagnostics).join("\n"));
  const listing = disassemble(r.elf).replace(/^; .*\n/gm, "");
  expect(listing).toBe(g.listing);
});
