// Runs once before all suites: tell the reader up front whether kernel suites will run.
import { readFileSync } from "node:fs";

export default function globalSetup() {
  const m = /^CapEff:\s*([0-9a-f]+)$/m.exec(readFileSync("/proc/self/status", "utf8"));
  const caps = m ? BigInt("0x" + m[1]) : 0n;
  const bpf = ((caps >> 39n) & 1n) === 1n || ((caps >> 21n) & 1n) === 1n;
  if (!bpf) {
    process.stderr.write("\n*** whistler-ts: no CAP_BPF: kernel suites will be SKIPPED" +
      (process.env.CI === "true" ? " and FAIL under CI=true" : "") + " ***\n");
  }
}
