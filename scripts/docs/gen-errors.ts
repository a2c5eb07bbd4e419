/**
 * `npm run docs:errors`: writes docs/ERRORS.md from the compiler's diagnostics table and the
 * compiled examples. Fails when a code has no example or an example misbehaves.
 */
import { writeFileSync } from "node:fs";
import * as path from "node:path";
import { codesWithoutExamples, compileExamples, errorsMarkdown } from "./errors-doc.js";

const root = path.resolve(import.meta.dirname, "../../..");
const missing = codesWithoutExamples();
if (missing.length > 0) {
  process.stderr.write(`docs/ERRORS.md: no example for ${missing.join(", ")}: add one to scripts/docs/error-examples.ts\n`);
  process.exit(1);
}
const outcomes = compileExamples(root);
let bad = 0;
for (const o of outcomes) {
  if (!o.bad.some((r) => r.code === o.code)) {
    process.stderr.write(`${o.code}: the example does not report ${o.code}; it reports ${o.bad.map((r) => r.code).join(", ") || "nothing"}\n`);
    bad++;
  }
  if (o.fix.some((r) => r.text.includes(" - error "))) {
    process.stderr.write(`${o.code}: the fixed example still fails:\n${o.fix.map((r) => r.text).join("\n")}\n`);
    bad++;
  }
}
writeFileSync(path.join(root, "docs/ERRORS.md"), errorsMarkdown(outcomes));
process.stdout.write(`wrote docs/ERRORS.md (${outcomes.length} codes)\n`);
if (bad > 0) process.exitCode = 1;
