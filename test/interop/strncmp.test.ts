// strncmp(buf, "literal") on the kernel: bpf_strncmp with the literal in .rodata, compared
// with bytes an XDP test run copies from the packet into a stack char array.
import { expect, test } from "@jest/globals";
import { bpf, char, defstruct, load } from "../../index.js";
import { describeKernel } from "../helpers/kernel.js";
import { checkNoFdLeaks } from "../helpers/fds.js";

const Text = defstruct("text_buf", { text: char(8) });

const prog = bpf`
  export function match_hello(ctx: Xdp): i32 {
    let s: ${Text};
    if (xdp_load_bytes(ctx, 0, s.text) != 0) return XDP_ABORTED;
    const r = strncmp(s.text, "hello");
    if (r == 0) return XDP_PASS;
    return r < 0 ? XDP_TX : XDP_DROP;
  }
`;

function frame(text: string): Uint8Array {
  const data = new Uint8Array(64);
  data.set(new TextEncoder().encode(text));
  return data;
}

describeKernel("strncmp", () => {
  checkNoFdLeaks();

  test("equal, shorter, longer and greater strings compare as C's strncmp", async () => {
    await using obj = await load(prog);
    const run = (t: string) => obj.programs.get("match_hello")!.testRun({ data: frame(t) }).retval;
    expect(run("hello")).toBe(2);            // equal up to the NUL: XDP_PASS
    expect(run("hell")).toBe(3);             // s1 ends first: < 0, XDP_TX
    expect(run("hello wo")).toBe(1);         // s1 goes on past "hello": > 0, XDP_DROP
    expect(run("help")).toBe(1);             // 'p' > 'l'
  });
});
