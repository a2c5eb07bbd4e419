/** loader/program: loaded programs: info, attach by section, test runs. */
export { Program, type AttachOptions, type ProgramInfo, type TestRunInput, type TestRunOutput } from "./program.js";
export { decodeSkbContext, encodeSkbContext, SKB_CTX_SIZE, type SkbContext, type SkbContextOut } from "./skb-ctx.js";
