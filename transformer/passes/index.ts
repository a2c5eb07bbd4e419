/**
 * Optimisation passes over SSA IR, one file per pass; `pipeline.ts` lists them in order and
 * verifies the IR after each. Passes report whether they changed anything.
 */
export { optimize, PIPELINE, type Pass } from "./pipeline.js";
