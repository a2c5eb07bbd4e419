// Packet-bound programs shared by the WBPF1016 compile tests and their kernel check.

/** An XDP program with `d` and `end` in scope around `body`. */
export const XDP = (body: string) => `
export function f(ctx: Xdp): i32 {
  const d = ctx.data;
  const end = ctx.data_end;
${body}
}
`;

/** Bounds the compiler must accept (and the verifier does). */
export const NEAR_MISSES: readonly [string, string][] = [
  ["early exit", "  if (d + 24 > end) return XDP_PASS;\n  return load_u8(d, 23) as i32;"],
  ["inside the checked branch", "  if (d + 4 <= end) return load_u32(d, 0) as i32;\n  return XDP_PASS;"],
  ["&& guard", "  return (d + 2 <= end && load_u16(d, 0) == 8) ? 1 : 0;"],
  ["?: guard", "  return d + 1 > end ? 0 : load_u8(d, 0) as i32;"],
  ["advanced pointer", "  const ip = d + 14;\n  if (ip + 20 > end) return XDP_PASS;\n  return load_u8(ip, 9) as i32;"],
  ["check with < end", "  if (d + 3 < end) return load_u32(d, 0) as i32;\n  return XDP_PASS;"],
];
