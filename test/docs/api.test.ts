/**
 * docs/API.md is typedoc's rendering of the package's exports and their TSDoc: this fails when
 * an export or its documentation changed without regenerating (`npm run docs:api`).
 */
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { expect, test } from "@jest/globals";
import { apiMarkdown } from "../../scripts/docs/api-doc.js";

const root = path.resolve(import.meta.dirname, "../..");

test("docs/API.md is current (regenerate with `npm run docs:api`)", () => {
  const now = apiMarkdown(root);
  for (const name of ["load", "bpf", "defstruct", "HashMap", "BpfObject", "WhistlerError"]) expect(now).toMatch(new RegExp(`^#{2,4} (abstract )?${name}\\b`, "m"));
  expect(readFileSync(path.join(root, "docs/API.md"), "utf8")).toBe(now);
}, 90_000);
