// The programs WBPF1016 accepts pass the kernel's verifier: each near miss of
// test/compiler/packet-lint.test.ts loaded and run with BPF_PROG_TEST_RUN.
import { expect, test } from "@jest/globals";
import { compileTemplate } from "../../transformer/compile.js";
import { load } from "../../loader/index.js";
import { template } from "../compiler/helpers.js";
import { NEAR_MISSES, XDP } from "../compiler/packet-cases.js";
import { describeKernel } from "../helpers/kernel.js";
import { checkNoFdLeaks } from "../helpers/fds.js";

describeKernel("packet bounds the compiler accepts load in the kernel", () => {
  checkNoFdLeaks();

  test.each(NEAR_MISSES)("%s", async (_name, body) => {
    const r = compileTemplate(template(XDP(body)));
    expect(r.diagnostics).toEqual([]);
    await using obj = await load(r.elf!);
    const data = new Uint8Array(64);
    data[0] = 8;
    expect(typeof obj.programs.get("f")!.testRun({ data }).retval).toBe("number");
  });
});
