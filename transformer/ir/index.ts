/**
 * The intermediate representation: SSA over virtual registers in basic blocks
 * (`ir.ts`), its op table (`ops.ts`), a builder doing SSA construction (`builder.ts`), a
 * printer (`print.ts`) and the invariant checker (`verify.ts`, throws on compiler bugs).
 */
export * from "./ir.js";
export { OPS, CONDS, invertCond, swapCond, type Op, type Cond } from "./ops.js";
export { FnBuilder } from "./builder.js";
export { printFn } from "./print.js";
export { verify, IrVerifyError } from "./verify.js";
