// An IPv4 LPM trie declared in TypeScript and used in a bpf template: the definition carries
// BPF_F_NO_PREALLOC (the kernel creates LPM tries only with it) and an 8-byte key; the program
// looks up a u64 key (prefix length low, address bytes high) and finds the longest prefix
// that TypeScript wrote with CIDR strings, packet by packet through BPF_PROG_TEST_RUN.
import { expect, test } from "@jest/globals";
import { ArrayMap, bpf, load, LpmTrieMap } from "../../index.js";
import { u32, u64 } from "../../runtime/types.js";
import { checkNoFdLeaks } from "../helpers/fds.js";
import { describeKernel } from "../helpers/kernel.js";

const rules = new LpmTrieMap({ value: u32, maxEntries: 64 });
const matched = new ArrayMap({ value: u64, maxEntries: 1 });
const lpm = bpf`
  export function lpm_match(ctx: Xdp): i32 {
    const data = ctx.data;
    if (data + 34 > ctx.data_end) return XDP_ABORTED;
    const key = ((load_u32(data, 26) as u64) << 32) | 32;
    const rule = ${rules}.lookup(key);
    if (!rule) return XDP_PASS;
    ${matched}.increment(0);
    return rule[0] as i32;                 // the rule's value is the verdict
  }
`;

/** An Ethernet + IPv4 frame from `src`. */
function frameFrom(src: string): Uint8Array {
  const f = new Uint8Array(64);
  f[12] = 0x08;
  f[14] = 0x45;
  f[23] = 17;
  src.split(".").forEach((o, i) => (f[26 + i] = Number(o)));
  return f;
}

describeKernel("LPM trie in a template", () => {
  checkNoFdLeaks();

  test("longest prefix wins; updates and deletes from TypeScript take effect at once", async () => {
    await using obj = await load(lpm);
    const trie = obj.map(rules);
    expect(trie.kernelInfo()).toMatchObject({ type: 11, keySize: 8, valueSize: 4, flags: 1 });
    trie.set("10.0.0.0/8", 1);          // XDP_DROP
    trie.set("10.1.0.0/16", 2);         // XDP_PASS, more specific
    trie.set("10.1.2.3/32", 3);         // XDP_TX, most specific
    const prog = obj.program("lpm_match");
    const verdict = (src: string): number => prog.testRun({ data: frameFrom(src) }).retval;
    expect(verdict("10.9.9.9")).toBe(1);
    expect(verdict("10.1.9.9")).toBe(2);
    expect(verdict("10.1.2.3")).toBe(3);
    expect(verdict("11.0.0.1")).toBe(2); // no rule: passes, not counted
    expect(obj.map(matched).get(0)).toBe(3n);
    trie.delete("10.1.0.0/16");
    expect(verdict("10.1.9.9")).toBe(1);
    trie.set("0.0.0.0/0", 3);
    expect(verdict("11.0.0.1")).toBe(3);
    expect([...trie.keys()].sort()).toEqual(["0.0.0.0/0", "10.0.0.0/8", "10.1.2.3/32"]);
  });
});
