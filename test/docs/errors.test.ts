/**
 * docs/ERRORS.md is generated from the compiler's diagnostics table and real compiles of the
 * examples in scripts/docs/error-examples.ts. Fails when a code has no example, an example does
 * not report its code, a fix still fails, or the committed doc differs from what the generator
 * writes now (regenerate: `npm run docs:errors`).
 */
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { expect, test } from "@jest/globals";
import { DIAGNOSTICS } from "../../transformer/diagnostics.js";
import { codesWithoutExamples, compileExamples, errorsMarkdown, type ExampleOutcome } from "../../scripts/docs/errors-doc.js";

const root = path.resolve(import.meta.dirname, "../..");
let outcomes: ExampleOutcome[] = [];

test("every diagnostic code has an example", () => {
  expect(codesWithoutExamples()).toEqual([]);
});

test("each example reports its code and each fix compiles clean", () => {
  outcomes = compileExamples(root);
  expect(outcomes.map((o) => o.code)).toEqual(Object.keys(DIAGNOSTICS));
  for (const o of outcomes) {
    expect({ code: o.code, reported: o.bad.map((r) => r.code) }).toEqual({ code: o.code, reported: expect.arrayContaining([o.code]) });
    expect({ code: o.code, fixErrors: o.fix.filter((r) => r.text.includes(" - error ")).map((r) => r.text) }).toEqual({ code: o.code, fixErrors: [] });
  }
}, 60_000);

test("docs/ERRORS.md is current (regenerate with `npm run docs:errors`)", () => {
  if (outcomes.length === 0) outcomes = compileExamples(root);
  const committed = readFileSync(path.join(root, "docs/ERRORS.md"), "utf8");
  expect(committed).toBe(errorsMarkdown(outcomes));
}, 60_000);
