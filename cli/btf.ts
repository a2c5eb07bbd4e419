/** `whistler btf dump [STRUCT] [--file F]`, `whistler btf search PATTERN`: kernel types from vmlinux BTF. */
import { WhistlerError } from "../runtime/errors.js";

export async function btfCommand(action: string, arg: string | undefined, opts: { file?: string }): Promise<void> {
  const k = await import("../transformer/kernel/vmlinux.js");
  const btf = k.readKernelBtf(opts.file);
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
