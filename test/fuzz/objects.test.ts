/**
 * Seeded fuzzing of the ELF/BTF readers and the loader with mutated valid objects (ours and
 * clang's). Every case must end in a typed error or a successful load into the kernel, in
 * under a second, and leak no fd. FUZZ_CASES (default 8000, ~40 s) and FUZZ_SEED (default 1) set the
 * size; `npm run fuzz` runs 100,000.
 */
import { expect, test } from "@jest/globals";
import { readdirSync } from "node:fs";
import { compileTemplate } from "../../transformer/compile.js";
import { COUNT_OPENS, COUNT_OPENS_SLOTS, SHARED, XDP_PROTO_COUNT, XDP_PROTO_COUNT_SLOTS, template } from "../compiler/helpers.js";
import { checkNoFdLeaks } from "../helpers/fds.js";
import { describeKernel } from "../helpers/kernel.js";
import { fixture, fixturePath } from "../loader/fixtures.js";
import { runCase, type Outcome } from "./harness.js";
import { mutate, rng, type MutationKind } from "./mutate.js";

const CASES = Number(process.env.FUZZ_CASES ?? 8000);
const SEED = Number(process.env.FUZZ_SEED ?? 1);
const MAX_CASE_MS = 1000;

function corpus(): { name: string; bytes: Uint8Array }[] {
  const ours = [["count_opens", COUNT_OPENS, COUNT_OPENS_SLOTS], ["xdp_proto_count", XDP_PROTO_COUNT, XDP_PROTO_COUNT_SLOTS], ["shared", SHARED, {}]] as const;
  const out = ours.map(([name, body, slots]) => ({ name: `ours:${name}`, bytes: compileTemplate(template(body, slots)).elf! }));
  const dir = fixturePath("");
  for (const f of readdirSync(dir).filter((n) => n.endsWith(".bpf.o")).sort()) out.push({ name: `clang:${f}`, bytes: fixture(f) });
  return out;
}

describeKernel("fuzz: mutated objects end in a typed error or a load", () => {
  checkNoFdLeaks();

  test(`${CASES} seeded cases (seed ${SEED})`, () => {
    const objects = corpus();
    // Warm-up, untimed: one-time costs (BTF feature probes, the kernel config, vmlinux BTF for
    // the fentry fixture) are not per-case hangs. Unmutated objects must behave too.
    for (const o of objects) expect([o.name, runCase(o.bytes, true).outcome]).not.toEqual([o.name, "parse-error"]);
    const r = rng(SEED);
    const tally = new Map<string, number>();
    const outcomes: Record<Outcome, number> = { "parse-error": 0, "load-error": 0, loaded: 0, "skipped-load": 0 };
    let slowest = { ms: 0, what: "" };
    const t0 = performance.now();
    for (let i = 0; i < CASES; i++) {
      const base = objects[Math.floor(r() * objects.length)]!;
      const m = mutate(base.bytes, r);
      const what = `case ${i} (seed ${SEED}): ${m.kind} of ${base.name}`;
      let res;
      try {
        res = runCase(m.bytes, true);
      } catch (e) {
        throw new Error(`${what} crashed with ${(e as Error)?.constructor?.name}: ${(e as Error)?.stack ?? e}`);
      }
      outcomes[res.outcome]++;
      const key = `${m.kind}:${res.error ?? res.outcome}`;
      tally.set(key, (tally.get(key) ?? 0) + 1);
      if (res.ms > slowest.ms) slowest = { ms: res.ms, what };
      expect([what, res.ms < MAX_CASE_MS]).toEqual([what, true]);
    }
    const total = performance.now() - t0;
    process.stderr.write(`fuzz: ${CASES} cases in ${(total / 1000).toFixed(1)} s (seed ${SEED}); ${JSON.stringify(outcomes)}; slowest ${slowest.ms.toFixed(1)} ms (${slowest.what})\n`);
    // The corpus really exercises both sides: some mutants still load, most are refused.
    expect(outcomes.loaded).toBeGreaterThan(0);
    expect(outcomes["parse-error"]).toBeGreaterThan(0);
    const kinds = new Set([...tally.keys()].map((k) => k.split(":")[0] as MutationKind));
    expect(kinds.size).toBeGreaterThanOrEqual(10);
  });
});
