/**
 * `whistler load OBJ.bpf.o`: load every map and program of a BPF ELF object (ours or
 * clang's), print each program's name, type, instruction count and verified (xlated)
 * count, then close everything. A verifier rejection exits 1 with the verifier's message.
 */
import { load } from "../loader/index.js";

export async function loadCommand(file: string): Promise<void> {
  await using obj = await load(file);
  const rows = [...obj.programs.values()].map((p) => {
    const info = p.info();
    return [p.name, p.type.toLowerCase(), String(p.insnCount), String(info.xlatedInsns), p.section];
  });
  const header = ["PROGRAM", "TYPE", "INSNS", "XLATED", "SECTION"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === 2 || i === 3 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join("  ").trimEnd();
  process.stdout.write(`${line(header)}\n${rows.map(line).join("\n")}\n`);
  process.stdout.write(`maps: ${obj.mapNames.join(", ") || "(none)"}\n`);
}
