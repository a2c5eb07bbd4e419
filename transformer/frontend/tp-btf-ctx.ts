/**
 * `TpBtf<"name">` contexts: BTF raw tracepoints, whose `ctx.args[i]` take the types of the
 * kernel's `btf_trace_<name>` prototype (`../kernel/tp-btf.ts`).
 */
import { tpBtfArgs, TP_BTF_SNAPSHOT } from "../kernel/tp-btf.js";
import { liveKernelBtf } from "../kernel/live-btf.js";
import type { CtxKindDef } from "./ctx.js";
import { suggest } from "./suggest.js";

/** The context kind with its arguments typed (other kinds unchanged). */
export function withTpBtfArgs(kind: CtxKindDef, ctxName: string, args: readonly string[]): CtxKindDef {
  if (ctxName !== "TpBtf" || !kind.args || !args[0]) return kind;
  const types = tpBtfArgs(args[0]);
  return types ? { ...kind, args: { ...kind.args, count: types.length, kernelTypes: types } } : kind;
}

/** Why a BTF raw tracepoint is not known, with the nearest recorded name; undefined when known. */
export function unknownTpBtf(name: string): string | undefined {
  if (tpBtfArgs(name)) return undefined;
  const near = suggest(name, TP_BTF_SNAPSHOT);
  const where = liveKernelBtf() ? `the kernel's BTF has no btf_trace_${name}` : "it is not in the snapshot of BTF raw tracepoints, and this build reads no kernel BTF";
  return `no BTF raw tracepoint '${name}' (${where})${near ? `; did you mean '${near}'?` : ""}`;
}
