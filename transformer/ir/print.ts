/**
 * Text form of the IR, for tests and for reading what a pass did:
 *
 *   b0:
 *     v1 = call.64 #14
 *     v2 = lshr.64 v1, 32
 *     store.64 v3, v2 [size 4, off 0]
 *     br ne.64 v5, 0 -> b1, b2
 */
import type { Block, Fn, Inst, Operand, Term } from "./ir.js";

export function printOperand(o: Operand): string {
  return o.k === "v" ? `v${o.id}` : BigInt.asIntN(64, o.v).toString();
}

function attrs(i: Inst): string {
  const a: string[] = [];
  if (i.size !== undefined) a.push(`size ${i.size}`);
  if (i.off !== undefined) a.push(`off ${i.off}`);
  if (i.slot !== undefined) a.push(`slot ${i.slot}`);
  if (i.map !== undefined) a.push(`map ${i.map}`);
  if (i.global !== undefined) a.push(`global ${i.global}`);
  if (i.helper !== undefined) a.push(`helper ${i.helper}`);
  if (i.kfunc !== undefined) a.push(`kfunc ${i.kfunc}`);
  if (i.func !== undefined) a.push(`func ${i.func}`);
  if (i.bits !== undefined) a.push(`bits ${i.bits}`);
  if (i.param !== undefined) a.push(`param ${i.param}`);
  if (i.core !== undefined) a.push(`core ${i.core.kind} ${i.core.root}.${i.core.path.join(".")} = ${i.core.value}`);
  return a.length ? ` [${a.join(", ")}]` : "";
}

export function printInst(i: Inst): string {
  const lhs = i.dst !== undefined ? `v${i.dst} = ` : "";
  return `${lhs}${i.op}.${i.w}${i.args.length ? " " + i.args.map(printOperand).join(", ") : ""}${attrs(i)}`;
}

export function printTerm(t: Term): string {
  switch (t.k) {
    case "jmp": return `jmp b${t.target}`;
    case "br": return `br ${t.cond}.${t.w} ${printOperand(t.a)}, ${printOperand(t.b)} -> b${t.t}, b${t.f}`;
    case "ret": return `ret ${printOperand(t.v)}`;
  }
}

export function printBlock(b: Block): string {
  const lines = [`b${b.id}:`];
  for (const p of b.phis) lines.push(`  v${p.dst} = phi ${p.args.map((a) => `[b${a.pred}: ${printOperand(a.v)}]`).join(", ")}`);
  for (const i of b.insts) lines.push(`  ${printInst(i)}`);
  lines.push(`  ${printTerm(b.term)}`);
  return lines.join("\n");
}

export function printFn(fn: Fn): string {
  return `fn ${fn.name} {\n${fn.blocks.map(printBlock).join("\n")}\n}\n`;
}
