/**
 * Verifier rejections mapped back to source through line_info: the C line for clang objects,
 * the TypeScript host file line for ours, plus the parsed reason, state lines and a hint.
 */
import { expect, test } from "@jest/globals";
import { load, parseObject } from "../../loader/index.js";
import { loadSpec } from "../../loader/object/index.js";
import { explainVerifierLog, parseVerifierLog, verifierHint } from "../../loader/verifier/index.js";
import { VerifierError } from "../../runtime/errors.js";
import { compileTemplate } from "../../transformer/compile.js";
import { template } from "../compiler/helpers.js";
import { checkNoFdLeaks } from "../helpers/fds.js";
import { describeKernel } from "../helpers/kernel.js";
import { fixture } from "../loader/fixtures.js";

async function rejection(p: Promise<unknown>): Promise<VerifierError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof VerifierError) return e;
    throw e;
  }
  throw new Error("the program loaded");
}

describeKernel("verifier errors point at the source line", () => {
  checkNoFdLeaks();

  test("clang object: the unchecked dereference's C line, reason, state and hint", async () => {
    const e = await rejection(load(fixture("verifier_reject.bpf.o")));
    expect(e.reason).toMatch(/R0 invalid mem access 'map_value_or_null'/);
    expect(e.source?.file).toMatch(/verifier_reject\.bpf\.c$/);
    expect(e.source?.line).toBe(20);
    expect(e.source?.text).toMatch(/return \*v;/);
    expect(e.insn).toBeGreaterThan(0);
    expect(e.state.length).toBeGreaterThan(0);
    expect(e.hint).toMatch(/NULL check/);
    expect(e.message).toMatch(/at \S*verifier_reject\.bpf\.c:20:\d+\n\s+return \*v;/);
  });

  test("our object: the TypeScript host file, line and column", async () => {
    // A host file with the template starting on line 3; the bad read is on host line 7. The
    // bound is a variable one the compiler leaves to the verifier (WBPF1016 reports reads
    // with no bound at all), and the verifier cannot use it for byte 40.
    const host = [
      "import { bpf } from \"whistler-ts\";",
      "",
      "export const prog = bpf`",
      "export function deref(ctx: Xdp): i32 {",
      "  const data = ctx.data;",
      "  if (data + ctx.rx_queue_index > ctx.data_end) return 0;",
      "  return load_u8(data, 40) as i32;",
      "}",
      "`;",
    ].join("\n");
    const body = host.slice(host.indexOf("`") + 1, host.lastIndexOf("`"));
    const src = { ...template(body, {}, "/src/app/probe.ts"), hostText: host, start: host.indexOf("`") + 1 };
    const out = compileTemplate(src);
    expect(out.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    const spec = parseObject(out.elf!);
    expect(spec.programs[0]!.lines.length).toBeGreaterThan(0);
    let e: VerifierError | undefined;
    try {
      loadSpec(spec)[Symbol.dispose]();
    } catch (err) {
      if (err instanceof VerifierError) e = err;
      else throw err;
    }
    if (!e) throw new Error("the unchecked packet read loaded; this test needs a program the verifier rejects");
    expect(e.reason).toMatch(/invalid access to packet/);
    expect(e.source?.file).toBe("/src/app/probe.ts");
    expect(e.source?.line).toBe(7);
    expect(e.source?.text).toMatch(/load_u8\(data, 40\)/);
    expect(e.hint).toMatch(/data_end/);
  });
});

test("log parsing: error line, failing instruction, state lines (pure)", () => {
  const log = [
    "func#0 @0",
    "0: R1=ctx() R10=fp0",
    "; int f(struct __sk_buff *skb) @ f.bpf.c:17",
    "0: (61) r1 = *(u32 *)(r1 +0)          ; R1_w=scalar(smin=0,smax=umax=0xffffffff,var_off=(0x0; 0xffffffff))",
    "1: (85) call bpf_map_lookup_elem#1    ; R0_w=map_value_or_null(id=1,map=values,ks=4,vs=8)",
    "; return *v; @ f.bpf.c:20",
    "2: (79) r0 = *(u64 *)(r0 +0)",
    "R0 invalid mem access 'map_value_or_null'",
    "verification time 25 usec",
    "stack depth 4",
    "processed 6 insns (limit 1000000) max_states_per_insn 0 total_states 0 peak_states 0 mark_read 0",
  ].join("\n");
  const p = parseVerifierLog(log);
  expect(p).toMatchObject({ message: "R0 invalid mem access 'map_value_or_null'", insn: 2, insnText: "r0 = *(u64 *)(r0 +0)" });
  expect(p.state.at(-1)).toMatch(/R0_w=map_value_or_null/);
  // without our own line table, the kernel's "; text @ file:line" comment is used
  expect(explainVerifierLog(log, []).source).toEqual({ file: "f.bpf.c", line: 20, col: 0, text: "return *v;" });
  expect(parseVerifierLog("back-edge from insn 7 to 3\nprocessed 0 insns").insn).toBe(7);
  expect(parseVerifierLog("0: (b7) r0 = 0\n1: (95) exit\nunreachable insn 5").insn).toBe(5);
});

test("hints for the common verifier messages (pure)", () => {
  const messages = [
    "R1 invalid mem access 'scalar'",
    "R1 type=scalar expected=fp, pkt, pkt_meta, map_key, map_value",
    "invalid access to packet, off=40 size=1, R1(id=0,off=40,r=0)",
    "unreachable insn 5",
    "back-edge from insn 7 to 3",
    "R0 !read_ok",
    "math between pkt pointer and register with unbounded min value is not allowed",
    "R0 invalid mem access 'map_value_or_null'",
    "combined stack size of 2 calls is 544. Too large",
    "BPF program is too large. Processed 1000001 insn",
    "unknown func bpf_foo#999",
    "invalid indirect read from stack R2 off -8+0 size 8",
    "misaligned stack access off 0+-7+0 size 8",
    "jump out of range from insn 2 to 10",
    "infinite loop detected at insn 4",
  ];
  for (const m of messages) expect([m, verifierHint(m)]).toEqual([m, expect.any(String)]);
  expect(verifierHint("something new the kernel says")).toBeUndefined();
});
