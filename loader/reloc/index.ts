/**
 * loader/reloc: pure relocation and linking. Lays out each program with the functions it
 * calls (libbpf's layout), fixes call offsets, turns ld_imm64 relocations into map and
 * map-value references, moves func_info/line_info with the code, and computes kconfig
 * extern layouts and values from kernel facts given as arguments, and resolves CO-RE records
 * against a target BTF given as an argument. No syscalls.
 */
export { CodeIndex, type CodeFunction } from "./code-index.js";
export { linkProgram, KCONFIG_MAP, type LinkedProgram, type RelocTargets } from "./link.js";
export { linkDebugInfo, lineFor, type LinkedDebugInfo } from "./debug-info.js";
export {
  kconfigData, kconfigLayout, kernelVersionCode, parseKernelConfig,
  type KconfigExtern, type KconfigKind, type KconfigLayout, type KernelFacts,
} from "./kconfig.js";
export { applyRelocations, type MapFds } from "./apply.js";
export { parseCoreRelos, type CoreRelo } from "./core-ext.js";
export {
  applyCoreRelocations, CoreCandidates, CoreReloError, CoreReloKind, POISON_HELPER, resolveCoreRelo, type CoreResult,
} from "./core.js";
export { linkCoreRelos, type LinkedCoreRelo } from "./core-link.js";
export { coreVerifierHint, describeCoreRelo, type PlacedCoreResult } from "./core-report.js";
export * from "./types.js";
