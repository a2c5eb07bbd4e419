/**
 * What the kernel made of a loaded program, for comparing two loaders: the translated
 * instructions (BPF_OBJ_GET_INFO_BY_FD xlated_prog_insns) with map ids blanked, since each
 * load creates its own maps; and the libbpf C loader's report for an object.
 */
import { execFileSync } from "node:child_process";
import { bpf, BpfCmd, NativeBuffer, ObjInfoAttr, ProgInfo, progInfo } from "../../runtime/sys/index.js";

/** struct bpf_prog_info.xlated_prog_insns (a u64 pointer after jited_prog_insns). */
const XLATED_PROG_INSNS = 32;

export function xlatedInsns(fd: number): Uint8Array {
  const len = progInfo(fd).xlatedInsns * 8;
  using out = new NativeBuffer(len);
  using info = new NativeBuffer(ProgInfo.size);
  info.view.setUint32(ProgInfo.xlated_prog_len, len, true);
  info.view.setBigUint64(XLATED_PROG_INSNS, out.ptr, true);
  using attr = new NativeBuffer(ObjInfoAttr.size);
  attr.view.setUint32(ObjInfoAttr.bpf_fd, fd, true);
  attr.view.setUint32(ObjInfoAttr.info_len, ProgInfo.size, true);
  attr.view.setBigUint64(ObjInfoAttr.info, info.ptr, true);
  bpf(BpfCmd.OBJ_GET_INFO_BY_FD, attr.ptr, ObjInfoAttr.size, { what: "read translated instructions" });
  return out.bytes.slice();
}

/** Hex of the instructions, one per line, with ld_imm64 map references' ids zeroed. */
export function normalizedListing(insns: Uint8Array): string[] {
  const out: string[] = [];
  const b = insns.slice();
  for (let i = 0; i + 8 <= b.length; i += 8) {
    const src = b[i + 1]! >> 4;
    // ld_imm64 of a map (1: fd/id, 2: value, 5/6: by index): the imm is this load's map id.
    if (b[i] === 0x18 && [1, 2, 5, 6].includes(src)) b.fill(0, i + 4, i + 8);
    out.push(Buffer.from(b.subarray(i, i + 8)).toString("hex"));
  }
  return out;
}

export interface LibbpfReport {
  readonly pid: number;
  readonly ppid: number;
  readonly retval: ReadonlyMap<string, number>;
  readonly xlated: ReadonlyMap<string, Uint8Array>;
  readonly maps: ReadonlyMap<string, Uint8Array>;
}

/** Runs the C loader (built from test/core/c/core_load.c) on an object file, optionally against a BTF file. */
export function libbpfReport(loader: string, object: string, targetBtf?: string): LibbpfReport {
  let text: string;
  try {
    text = execFileSync(loader, targetBtf ? [object, targetBtf] : [object], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new Error(`libbpf could not load ${object}: ${err.message}\n${err.stderr ?? ""}`);
  }
  let pid = 0, ppid = 0;
  const retval = new Map<string, number>();
  const xlated = new Map<string, Uint8Array>();
  const maps = new Map<string, Uint8Array>();
  for (const line of text.trim().split("\n")) {
    const [what, name = "", value = ""] = line.split(" ");
    if (what === "self") [pid, ppid] = [Number(name), Number(value)];
    else if (what === "prog") retval.set(name, Number(value));
    else if (what === "xlated") xlated.set(name, Buffer.from(value, "hex"));
    else if (what === "map") maps.set(name, Buffer.from(value, "hex"));
  }
  return { pid, ppid, retval, xlated, maps };
}
