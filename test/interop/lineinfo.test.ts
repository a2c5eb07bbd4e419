// BTF line info points at the TypeScript host file: bpftool (libbpf) loads our .BTF.ext
// into the kernel, and `bpftool prog dump xlated linum` shows the host file's lines with
// their line and column numbers (not the template string's).
import { afterEach, expect, test } from "@jest/globals";
import { join } from "node:path";
import type { TemplateSource } from "../../transformer/api.js";
import { compileTemplate } from "../../transformer/compile.js";
import { describeKernel } from "../helpers/kernel.js";
import { checkNoFdLeaks } from "../helpers/fds.js";
import { COUNT_OPENS, COUNT_OPENS_SLOTS, XDP_PROTO_COUNT, XDP_PROTO_COUNT_SLOTS, lineCol, template, type SlotSpec } from "../compiler/helpers.js";
import { bpftool, scratch, writeObject } from "./bpftool-util.js";

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

/** The template as it sits in a host file, after some application code. */
export function hosted(body: string, slots: Record<string, SlotSpec>, fileName = "/srv/app/src/probes.ts"): TemplateSource {
  const t = template(body, slots, fileName);
  const prefix = `import { bpf, HashMap, u32, u64 } from "whistler-ts";\n\nconst x = 1;\nexport const prog = bpf\``;
  // Placeholders have the length of their `${...}`, so the host keeps the original text.
  return { ...t, hostText: `${prefix}${body}\`;\n`, start: prefix.length };
}

/** `; source text [file:F line_num:L line_col:C]` lines of a dump. */
function linumLines(dump: string): { text: string; file: string; line: number; col: number }[] {
  const out = [];
  for (const m of dump.matchAll(/^; (.*) \[file:(.*) line_num:(\d+) line_col:(\d+)\]$/gm)) {
    out.push({ text: m[1]!, file: m[2]!, line: Number(m[3]), col: Number(m[4]) });
  }
  return out;
}

describeKernel("line info: bpftool shows the TypeScript host lines", () => {
  checkNoFdLeaks();

  test.each([
    ["count_opens", COUNT_OPENS, COUNT_OPENS_SLOTS, "${counts}.increment(pid);"],
    ["xdp_proto_count", XDP_PROTO_COUNT, XDP_PROTO_COUNT_SLOTS, "if (ntohs(load_u16(data, 12)) != 0x0800) return XDP_PASS;"],
  ] as const)("%s", (name, body, slots, expectLine) => {
    const src = hosted(body, slots);
    const r = compileTemplate(src);
    expect(r.diagnostics).toEqual([]);
    const s = scratch(`linum-${name}`);
    cleanups.push(s.cleanup);
    bpftool(["prog", "loadall", writeObject(s.tmp, name, r.elf!), s.pinDir]);
    const dump = bpftool(["prog", "dump", "xlated", "pinned", join(s.pinDir, name), "linum"]);
    const lines = linumLines(dump);
    if (process.env.SHOW_DUMP) console.log(dump);
    expect(lines.length).toBeGreaterThan(2);
    for (const l of lines) {
      expect(l.file).toBe("/srv/app/src/probes.ts");
      // Each record's text is the host line it names, and the column lies inside it.
      const hostLine = src.hostText.split("\n")[l.line - 1]!;
      expect(l.text).toBe(hostLine.trim()); // bpftool prints lines without indentation
      expect(l.col).toBeGreaterThan(0);
      expect(l.col).toBeLessThanOrEqual(hostLine.length);
    }
    // The template starts on host line 4, so no record names the template's own line 1..3.
    expect(Math.min(...lines.map((l) => l.line))).toBeGreaterThanOrEqual(4);
    // The statement is there, as written in the host file, at its host line.
    const want = lineCol(src.hostText, src.hostText.indexOf(expectLine));
    expect(lines.some((l) => l.line === want.line && l.text === expectLine)).toBe(true);
    // The program's func_info made it into the kernel too.
    const info = JSON.parse(bpftool(["prog", "show", "pinned", join(s.pinDir, name), "--json"])) as { btf_id?: number };
    expect(info.btf_id).toBeGreaterThan(0);
  });
});
