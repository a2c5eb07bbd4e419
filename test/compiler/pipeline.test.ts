// The pipeline runs to its end on cleanup cascades: a chain of branches that only fed a
// value later overwritten dies one branch per cleanup step (each dead branch kills the code
// feeding it, exposing the one before). Forty of them once outlasted the 16-round limit and
// left dead code; the cleanup passes now run to their own fixpoint.
import { expect, test } from "@jest/globals";
import { printFn } from "../../transformer/ir/print.js";
import { toIr } from "./helpers.js";

test("forty dead diamonds in a row all go", () => {
  const steps = Array.from({ length: 40 }, (_, k) => `  acc = acc * 3 + load_u32(d, ${(k % 8) * 4});\n  if ((acc & ${1 << (k % 16)}) != 0) acc = acc ^ ${k + 1};`).join("\n");
  const fn = toIr(`export function p(ctx: Xdp): i32 {
  const d = ctx.data;
  if (d + 32 > ctx.data_end) return XDP_PASS;
  let acc: u32 = load_u32(d, 0);
${steps}
  acc = 0;
  return (acc + load_u32(d, 4)) as i32;
}`);
  const text = printFn(fn);
  // Only the packet check branches; nothing of the forty steps is left.
  expect(text.match(/\bbr /g)).toHaveLength(1);
  expect(text).not.toMatch(/xor|mul/);
});
