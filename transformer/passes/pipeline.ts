/**
 * The optimisation pipeline, in order (QBE's `main.c` `func()`): each pass reports whether
 * it changed anything; the list runs until a fixpoint (bounded). In every test run the IR
 * is verified after every pass so a broken invariant names the pass that broke it; a build
 * skips that (about a tenth of compile time) unless WHISTLER_VERIFY_IR=1 asks for it.
 */
import type { Fn } from "../ir/ir.js";
import { verify } from "../ir/verify.js";
import { mergeBoundsChecks } from "./bounds.js";
import { reuseBoolBranches, threadKnownBranches } from "./boolbranch.js";
import { canonicalizeClamps } from "./clamp.js";
import { constFold } from "./constfold.js";
import { copyProp } from "./copyprop.js";
import { cse } from "./cse.js";
import { dce } from "./dce.js";
import { demandedBits } from "./demanded.js";
import { dse } from "./dse.js";
import { licm } from "./licm.js";
import { sccp } from "./sccp.js";
import { simplifyCfg } from "./simplifycfg.js";
import { strengthReduce } from "./strength.js";
import { widenBoundsChecks } from "./widen.js";
import { shareSlots } from "./slots.js";

export interface Pass {
  readonly name: string;
  readonly run: (fn: Fn) => boolean;
}

export const PIPELINE: readonly Pass[] = [
  { name: "copyprop", run: copyProp },
  { name: "sccp", run: sccp },
  { name: "constfold", run: constFold },
  { name: "strength", run: strengthReduce },
  { name: "demanded", run: demandedBits },
  { name: "cse", run: cse },
  { name: "dse", run: dse },
  { name: "licm", run: licm },
  { name: "slots", run: shareSlots },
  { name: "widen", run: widenBoundsChecks },
  { name: "bounds", run: mergeBoundsChecks },
  { name: "clamp", run: canonicalizeClamps },
  { name: "boolbranch", run: reuseBoolBranches },
  { name: "thread", run: threadKnownBranches },
  { name: "simplifycfg", run: simplifyCfg },
  { name: "dce", run: dce },
];

export interface PipelineOptions {
  /** Called after each pass that changed the function (for dumps and tests). */
  readonly onPass?: (pass: string, fn: Fn) => void;
  /** Verify after every pass (default: under jest, or with WHISTLER_VERIFY_IR=1). */
  readonly verify?: boolean;
}

/** Tests always verify (jest sets JEST_WORKER_ID in every worker); builds opt in. */
const VERIFY_BY_DEFAULT = process.env.JEST_WORKER_ID !== undefined || process.env.WHISTLER_VERIFY_IR === "1";

export function optimize(fn: Fn, opts: PipelineOptions = {}): Fn {
  const check = opts.verify ?? VERIFY_BY_DEFAULT;
  if (check) verify(fn, "lowering");
  const ran = (p: Pass): boolean => {
    if (!p.run(fn)) return false;
    if (check) verify(fn, p.name);
    opts.onPass?.(p.name, fn);
    return true;
  };
  for (let round = 0; round < 16; round++) {
    const changed = PIPELINE.filter(ran).map((p) => p.name);
    if (changed.length === 0) break;
    // Only cleanup changed: a dead branch whose removal kills the code that fed it, exposing
    // the branch before it, and so on back. Run just the cleanup to its end (each step is
    // linear) instead of one whole round per step, which the round limit cut off in long
    // programs, leaving dead code behind.
    if (changed.every((n) => CLEANUP.some((p) => p.name === n))) {
      for (let step = 0; step < 100_000 && CLEANUP.filter(ran).length > 0; step++);
    }
  }
  return fn;
}

/** The passes of a cleanup cascade (see `optimize`). */
const CLEANUP: readonly Pass[] = PIPELINE.filter((p) => p.name === "simplifycfg" || p.name === "dce");
