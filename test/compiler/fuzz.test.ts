// Mutation fuzzing of the front end: whatever the template, compileTemplate returns
// diagnostics or an object, never throws.
import { expect, test } from "@jest/globals";
import { compileTemplate } from "../../transformer/compile.js";
import { COUNT_OPENS, COUNT_OPENS_SLOTS, XDP_PROTO_COUNT, XDP_PROTO_COUNT_SLOTS, template } from "./helpers.js";

const PIECES = ["(", ")", "{", "}", ";", "+", "-", "*", "/", "<<", ">>>", "!", "~", "&&", "||", "==", "0", "1n", "0xffffffffffffffffff",
  "as u8", "as i64", "as bool", "let q = 1;", "return 0;", "ctx", ".data", "[0]", "null", "if (", "else", "x", "const", "=", "+=", "++", ",", "?"];

function mutate(s: string, rnd: () => number): string {
  let out = s;
  const n = 1 + Math.floor(rnd() * 3);
  for (let i = 0; i < n; i++) {
    const at = Math.floor(rnd() * out.length);
    const r = rnd();
    if (r < 0.4) out = out.slice(0, at) + out.slice(at + 1 + Math.floor(rnd() * 6));
    else out = out.slice(0, at) + " " + PIECES[Math.floor(rnd() * PIECES.length)] + " " + out.slice(at);
  }
  return out;
}

test("mutated templates never throw", () => {
  let seed = 12345;
  const rnd = () => ((seed = (seed * 1664525 + 1013904223) >>> 0) / 2 ** 32);
  let compiled = 0;
  for (let i = 0; i < 1500; i++) {
    const [body, slots] = i % 2 ? [COUNT_OPENS, COUNT_OPENS_SLOTS] : [XDP_PROTO_COUNT, XDP_PROTO_COUNT_SLOTS];
    // Mutate outside the ${...} interpolations so the helper can still substitute them.
    const parts = body.split(/(\$\{\w+\})/);
    const mutated = parts.map((p) => (p.startsWith("${") ? p : rnd() < 0.5 ? mutate(p, rnd) : p)).join("");
    let r;
    try {
      r = compileTemplate(template(mutated, slots));
    } catch (e) {
      throw new Error(`compileTemplate threw on:\n${mutated}\n${(e as Error).stack}`);
    }
    if (r.elf) compiled++;
    else expect(r.diagnostics.some((d) => d.severity === "error")).toBe(true);
  }
  expect(compiled).toBeGreaterThan(0);
});
