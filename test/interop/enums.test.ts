// Enums in templates: members are constants (explicit, counted up, computed from earlier
// members, bare or qualified), folded where used; the kernel runs the program on packets
// and its verdicts and values match what the enums say.
import { expect, test } from "@jest/globals";
import { load } from "../../loader/index.js";
import { compileTemplate, disassemble } from "../../transformer/compile.js";
import { template } from "../compiler/helpers.js";
import { checkNoFdLeaks } from "../helpers/fds.js";
import { describeKernel } from "../helpers/kernel.js";

const SOURCE = `
const enum Proto { ICMP = 1, TCP = 6, UDP = 17 }
enum Seq { First = 10, Second, Third }
enum Flag { A = 1 << 0, B = 1 << 1, AB = A | B, ALL = Flag.AB | 1 << 2 }

export function classify(ctx: Xdp): i32 {
  const d = ctx.data;
  if (d + 34 > ctx.data_end) return XDP_PASS;
  const proto = load_u8(d, 23);
  if (proto == Proto.TCP) return Seq.Third * 100 + Flag.ALL;   // 1207
  if (proto == Proto.UDP) return Seq.Second * 100 + Flag.AB;   // 1103
  if (proto == Proto.ICMP) return Seq.First;                   // 10
  return XDP_PASS;
}
`;

function packet(proto: number): Uint8Array {
  const p = new Uint8Array(64);
  p[12] = 0x08; // IPv4
  p[14] = 0x45;
  p[23] = proto;
  return p;
}

test("enum members fold into immediates: no global data, no loads of them", () => {
  const r = compileTemplate(template(SOURCE));
  expect(r.diagnostics).toEqual([]);
  expect(r.globals).toEqual([]);
  const listing = disassemble(r.elf!);
  expect(listing).toMatch(/1207/);
  expect(listing).toMatch(/1103/);
  expect(listing).not.toMatch(/ ll$/m); // no ld_imm64: nothing of the enums lives in memory
});

test("enum diagnostics: string members, exported enums, unknown members with the nearest name", () => {
  const codes = (body: string) => compileTemplate(template(body)).diagnostics.map((d) => `${d.code} ${d.message}`);
  const prog = "export function p(ctx: Xdp): i32 { return XDP_PASS; }";
  expect(codes(`enum S { A = "a" }\n${prog}`)).toEqual([expect.stringMatching(/^WBPF1002 string enum members are not supported/)]);
  expect(codes(`export enum E { A }\n${prog}`)).toEqual([expect.stringMatching(/^WBPF1002 'export' is not supported on enums/)]);
  expect(codes(`enum E { Alpha = 1 }\nexport function p(ctx: Xdp): i32 { return E.Alpah; }`)).toEqual([expect.stringMatching(/^WBPF1001 .*E\.Alpah.*E\.Alpha/)]);
  // Near miss: a const enum, members used in a constant expression and a switch.
  expect(codes(`const enum E { A = 2, B }\nexport function p(ctx: Xdp): i32 { switch (ctx.rx_queue_index) { case E.A: return E.B * 2; default: return XDP_PASS; } }`)).toEqual([]);
});

describeKernel("enums on the kernel", () => {
  checkNoFdLeaks();

  test("each protocol gets the verdict its enum members compute", async () => {
    const r = compileTemplate(template(SOURCE));
    await using obj = await load(r.elf!);
    const run = (proto: number) => obj.program("classify").testRun({ data: packet(proto) }).retval;
    expect(run(6)).toBe(1207);
    expect(run(17)).toBe(1103);
    expect(run(1)).toBe(10);
    expect(run(50)).toBe(2);
  });
});
