/**
 * Kernel test gating: suites that need the real kernel call `describeKernel`. Without
 * CAP_BPF (or CAP_SYS_ADMIN) they skip with a loud notice; under CI=true a skip fails the run,
 * so a green CI means the kernel really ran our programs.
 */
import { readFileSync } from "node:fs";
import { describe, test } from "@jest/globals";

const CAP_SYS_ADMIN = 21n;
const CAP_PERFMON = 38n;
const CAP_BPF = 39n;

function effectiveCaps(): bigint {
  const status = readFileSync("/proc/self/status", "utf8");
  const m = /^CapEff:\s*([0-9a-f]+)$/m.exec(status);
  return m ? BigInt("0x" + m[1]) : 0n;
}

function has(caps: bigint, bit: bigint): boolean {
  return ((caps >> bit) & 1n) === 1n;
}

/** Why kernel tests cannot run here, or undefined when they can. */
export function kernelUnavailableReason(): string | undefined {
  const caps = effectiveCaps();
  if (!(has(caps, CAP_BPF) || has(caps, CAP_SYS_ADMIN))) return "the process lacks CAP_BPF and CAP_SYS_ADMIN";
  if (!(has(caps, CAP_PERFMON) || has(caps, CAP_SYS_ADMIN))) return "the process lacks CAP_PERFMON";
  return undefined;
}

/** `describe` for suites that need the kernel: skips loudly, fails under CI=true. */
export function describeKernel(name: string, fn: () => void): void {
  const reason = kernelUnavailableReason();
  if (reason === undefined) {
    describe(name, fn);
    return;
  }
  if (process.env.CI === "true") {
    describe(name, () => {
      test(`kernel available (CI=true forbids skipping: ${reason})`, () => {
        throw new Error(`kernel test suite "${name}" cannot run: ${reason}. Run as root or grant CAP_BPF+CAP_PERFMON.`);
      });
    });
    return;
  }
  process.stderr.write(`\n*** SKIPPING kernel suite "${name}": ${reason} (run as root to exercise the kernel) ***\n`);
  describe.skip(name, fn);
}
