// docs/LANGUAGE.md mirrors the compiler's tables: every diagnostic code (with its title and
// help), every helper and every constant appears there.
import { expect, test } from "@jest/globals";
import { readFileSync } from "node:fs";
import { DIAGNOSTICS } from "../../transformer/diagnostics.js";
import { HELPERS } from "../../transformer/frontend/helpers.js";
import { CONSTANTS, INTRINSICS } from "../../transformer/frontend/builtins.js";

const doc = readFileSync(new URL("../../docs/LANGUAGE.md", import.meta.url), "utf8");

test("every diagnostic code is documented with its title", () => {
  for (const [code, info] of Object.entries(DIAGNOSTICS)) {
    expect(doc).toContain(`| ${code} | ${info.title} | ${info.help}`);
  }
});

test("every helper, intrinsic and constant is documented", () => {
  for (const [name, h] of Object.entries(HELPERS)) expect(doc).toMatch(new RegExp(`\`${name}\\(.*\\| ${h.id} \\|`));
  for (const name of Object.keys(INTRINSICS)) expect(doc).toContain(name);
  for (const name of Object.keys(CONSTANTS)) expect(doc).toContain(name);
});
