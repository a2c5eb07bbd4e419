// The packet's length in an XDP program: xdp_get_buff_len(ctx) (pointer subtraction of
// ctx.data_end and ctx.data is what the verifier forbids, and WBPF1003 says so).
import { expect, test } from "@jest/globals";
import { bpf, load } from "../../index.js";
import { compileTemplate } from "../../transformer/compile.js";
import { checkNoFdLeaks } from "../helpers/fds.js";
import { describeKernel } from "../helpers/kernel.js";
import { template } from "../compiler/helpers.js";

const prog = bpf`
  export function packet_length(ctx: Xdp): i32 {
    return xdp_get_buff_len(ctx) as i32;
  }
`;

test("data_end - data is WBPF1003, which names xdp_get_buff_len", () => {
  const r = compileTemplate(template("export function p(ctx: Xdp): i32 {\n  return (ctx.data_end - ctx.data) as i32;\n}"));
  expect(r.diagnostics.map((d) => d.code)).toEqual(["WBPF1003"]);
  expect(r.diagnostics[0]!.message).toContain("the packet's length is `xdp_get_buff_len(ctx)`");
});

describeKernel("xdp_get_buff_len", () => {
  checkNoFdLeaks();

  test("returns the length of the packet the test run passes", async () => {
    await using obj = await load(prog);
    const run = (n: number) => obj.program("packet_length").testRun({ data: new Uint8Array(n) }).retval;
    expect([run(64), run(100), run(1500)]).toEqual([64, 100, 1500]);
  });
});
