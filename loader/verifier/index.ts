/**
 * loader/verifier: making a verifier rejection readable: parse the log (failing instruction,
 * error line, last register states), map the instruction through line_info back to the
 * source file, line and column (TypeScript host file for our objects, C for clang's), and add
 * a plain-English hint for the common messages. Pure.
 */
export { parseVerifierLog, type ParsedVerifierLog } from "./parse.js";
export { verifierHint, HINT_COUNT } from "./hints.js";
export { explainVerifierLog, type VerifierExplanation } from "./explain.js";
