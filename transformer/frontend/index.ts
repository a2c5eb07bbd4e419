/**
 * The front end: template text -> checked tree -> IR. `parse.ts` (TypeScript's parser,
 * subset walk), `check.ts` (names, types, nullability, map and helper rules), `lower.ts`
 * (to SSA IR). Tables: `ctx.ts` (context kinds), `helpers.ts` (kernel helpers),
 * `builtins.ts` (constants, intrinsics, map methods). User errors become diagnostics;
 * nothing here throws for bad input.
 */
export { parseTemplate } from "./parse.js";
export { checkTemplate } from "./check.js";
export { lowerProgram } from "./lower.js";
export { CTX_KINDS } from "./ctx.js";
export { HELPERS } from "./helpers.js";
export { CONSTANTS, INTRINSICS, MAP_METHODS } from "./builtins.js";
