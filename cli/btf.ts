/**
 * `whistler btf dump [STRUCT] [--file F]`, `whistler btf search PATTERN`: kernel types from
 * vmlinux BTF; `whistler btf --update [-o FILE]`: refresh the kernel struct snapshot.
 */
import { existsSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { WhistlerError } from "../runtime/errors.js";

/** The struct snapshot's source file in a checkout of whistler-ts (the default of --update). */
function snapshotSource(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4; i++, dir = path.dirname(dir)) {
    const file = path.join(dir, "transformer/kernel/structs/snapshot.ts");
    if (existsSync(path.join(dir, "package.json")) && existsSync(file)) return file;
  }
  throw new WhistlerError("no struct snapshot source to update here (this is not a checkout of whistler-ts)", { hint: "write it elsewhere with -o FILE" });
}

export async function btfCommand(action: string, arg: string | undefined, opts: { file?: string; update?: boolean; out?: string }): Promise<void> {
  const k = await import("../transformer/kernel/vmlinux.js");
  const btf = k.readKernelBtf(opts.file);
  if (opts.update) {
    const snap = await import("../transformer/kernel/struct-snapshot.js");
    const structs = snap.snapshotStructs(btf);
    const out = opts.out ?? snapshotSource();
    writeFileSync(out, snap.structSnapshotModule(structs));
    process.stdout.write(`wrote ${structs.size} struct layouts (${snap.SNAPSHOT_ROOTS.length} roots and the structs they embed) to ${out}\n`);
    // Beside it: the argument types of the common BTF raw tracepoints (TpBtf<"name">).
    const tp = await import("../transformer/kernel/tp-btf.js");
    const tpOut = path.join(path.dirname(out), "tp-btf-snapshot.ts");
    writeFileSync(tpOut, tp.tpBtfSnapshotModule(btf));
    process.stdout.write(`wrote the arguments of ${tp.TP_BTF_SNAPSHOT.length} BTF raw tracepoints to ${tpOut}\n`);
    return;
  }
  switch (action) {
    case "dump": {
      if (!arg) {
        process.stdout.write(`${opts.file ?? k.VMLINUX_BTF}: ${btf.types.length - 1} types\n`);
        return;
      }
      const s = k.kernelStruct(btf, arg);
      if (!s) {
        const near = k.searchTypes(btf, arg, 8).filter((t) => t.kind === "STRUCT" || t.kind === "UNION").map((t) => t.name);
        throw new WhistlerError(`no struct or union "${arg}" in ${opts.file ?? k.VMLINUX_BTF}`, { hint: near.length ? `similar: ${near.join(", ")}` : "search with: whistler btf search PATTERN" });
      }
      const lines = [`${s.kind} ${s.name} { /* ${s.size} bytes, BTF id ${s.typeId} */`];
      for (const f of s.fields) {
        const bits = f.bitfieldSize ? `:${f.bitfieldSize} /* bit ${f.bitOffset} */` : "";
        lines.push(`\t${f.cType} ${f.name}${bits}; /* offset ${f.offset}, size ${f.size} */`);
      }
      lines.push("};");
      process.stdout.write(lines.join("\n") + "\n");
      return;
    }
    case "search": {
      if (!arg) throw new WhistlerError("btf search needs a pattern", { hint: "e.g. whistler btf search task_struct" });
      for (const t of k.searchTypes(btf, arg)) process.stdout.write(`${String(t.id).padStart(6)}  ${t.kind.padEnd(10)} ${t.name}\n`);
      return;
    }
    default:
      throw new WhistlerError(`unknown btf action "${action}"`, { hint: "use dump [STRUCT] or search PATTERN" });
  }
}
