import { expect, test } from "@jest/globals";
import { loadSpec, parseObject, type ObjectSpec } from "../../loader/object/index.js";
import { VerifierError } from "../../runtime/errors.js";
import { checkNoFdLeaks } from "../helpers/fds.js";
import { describeKernel } from "../helpers/kernel.js";
import { fixture } from "./fixtures.js";

/** count_opens with its `r0 = 0` before exit replaced by `r0 = r5` (r5 was never written). */
function brokenSpec(): ObjectSpec {
  const spec = parseObject(fixture("count_opens.bpf.o"));
  const p = spec.programs[0]!;
  const insns = p.insns.slice();
  insns.set([0xbf, 0x50, 0, 0, 0, 0, 0, 0], 21 * 8);
  return { ...spec, programs: [{ ...p, insns }] };
}

function verifierError(f: () => unknown): VerifierError {
  try {
    f();
  } catch (e) {
    if (e instanceof VerifierError) return e;
    throw e;
  }
  throw new Error("nothing thrown");
}

describeKernel("verifier errors", () => {
  checkNoFdLeaks();

  test("a rejected program throws VerifierError with the log; maps made so far are closed", () => {
    const e = verifierError(() => loadSpec(brokenSpec()));
    expect(e.program).toBe("count_opens");
    expect(e.code).toBe("EACCES");
    expect(e.command).toBe("BPF_PROG_LOAD");
    expect(e.log).toMatch(/R5 !read_ok/);
    expect(e.message).toMatch(/^program "count_opens" rejected by the verifier: BPF_PROG_LOAD failed: EACCES/);
    expect(e.message).toMatch(/\| .*R5 !read_ok/);
    expect(e.message.split("\n").filter((l) => l.startsWith("  | ")).length).toBeLessThanOrEqual(20);
  });

  test("a log larger than maxLogSize is cut, still a VerifierError", () => {
    const e = verifierError(() => loadSpec(brokenSpec(), { maxLogSize: 128 }));
    expect(e.code).toBe("EACCES");
    expect(e.log.length).toBeLessThan(128);
  });
});
