/**
 * One fuzz case: parse a (mutated) object and, when it parses, load it into the kernel and
 * dispose it. The contract under test: every case ends in a WhistlerError (typed, with a
 * message) or a successful load; anything else is a crash. Each case is timed.
 */
import { loadSpec, parseObject, type ObjectSpec } from "../../loader/object/index.js";
import { WhistlerError } from "../../runtime/errors.js";

export type Outcome = "parse-error" | "load-error" | "loaded" | "skipped-load";

export interface CaseResult {
  readonly outcome: Outcome;
  readonly ms: number;
  /** Error class name, for the tally. */
  readonly error: string | undefined;
}

/** Kernel memory one map may ask for before the harness declines to create it (mutants ask for terabytes). */
const MAX_MAP_BYTES = 64 * 1024 * 1024;

function tooBig(spec: ObjectSpec): boolean {
  for (const m of spec.maps.values()) {
    const per = m.keySize + m.valueSize + 64;
    if (m.maxEntries * per > MAX_MAP_BYTES || m.valueSize > MAX_MAP_BYTES || (m.inner && m.inner.maxEntries * (m.inner.keySize + m.inner.valueSize) > MAX_MAP_BYTES)) return true;
  }
  return false;
}

/** Runs one case; throws (the crash) when an error is not a WhistlerError. */
export function runCase(bytes: Uint8Array, kernel: boolean): CaseResult {
  const t0 = performance.now();
  let spec: ObjectSpec;
  try {
    spec = parseObject(bytes);
  } catch (e) {
    if (!(e instanceof WhistlerError)) throw e;
    return { outcome: "parse-error", ms: performance.now() - t0, error: e.constructor.name };
  }
  if (!kernel || tooBig(spec)) return { outcome: "skipped-load", ms: performance.now() - t0, error: undefined };
  try {
    loadSpec(spec, { maxLogSize: 256 * 1024 })[Symbol.dispose]();
    return { outcome: "loaded", ms: performance.now() - t0, error: undefined };
  } catch (e) {
    if (!(e instanceof WhistlerError)) throw e;
    return { outcome: "load-error", ms: performance.now() - t0, error: e.constructor.name };
  }
}
