/**
 * BPF_OBJ_PIN and BPF_OBJ_GET: naming maps, programs and links in bpffs so they outlive the
 * process, and opening them again. The kind of object an fd refers to comes from its anon
 * inode name (`anon_inode:bpf-map`, `bpf-prog`, `bpf_link`).
 */
import { readlinkSync } from "node:fs";
import { BPF_F_RDONLY, BPF_F_WRONLY, BpfCmd, ObjPinAttr } from "./attrs.js";
import { bpf, type BpfCallContext } from "./bpf.js";
import { Fd } from "./fd.js";
import { NativeBuffer } from "./native.js";

export function objPin(fd: number, path: string, ctx?: BpfCallContext): void {
  using attr = new NativeBuffer(ObjPinAttr.size);
  using cpath = NativeBuffer.from(path);
  attr.view.setBigUint64(ObjPinAttr.pathname, cpath.ptr, true);
  attr.view.setUint32(ObjPinAttr.bpf_fd, fd, true);
  bpf(BpfCmd.OBJ_PIN, attr.ptr, ObjPinAttr.size, ctx ?? { what: `pin at ${path}` });
}

export type PinAccess = "rw" | "read" | "write";

export function objGet(path: string, access: PinAccess = "rw", ctx?: BpfCallContext): Fd {
  using attr = new NativeBuffer(ObjPinAttr.size);
  using cpath = NativeBuffer.from(path);
  attr.view.setBigUint64(ObjPinAttr.pathname, cpath.ptr, true);
  attr.view.setUint32(ObjPinAttr.file_flags, access === "read" ? BPF_F_RDONLY : access === "write" ? BPF_F_WRONLY : 0, true);
  return new Fd(bpf(BpfCmd.OBJ_GET, attr.ptr, ObjPinAttr.size, ctx ?? { what: `open pinned object ${path}` }), `pinned ${path}`);
}

export type BpfObjectKind = "map" | "program" | "link" | "other";

/** What a bpf fd refers to, from /proc/self/fd. */
export function bpfFdKind(fd: number): BpfObjectKind {
  let target: string;
  try {
    target = readlinkSync(`/proc/self/fd/${fd}`);
  } catch {
    return "other";
  }
  if (target === "anon_inode:bpf-map") return "map";
  if (target === "anon_inode:bpf-prog") return "program";
  if (target === "anon_inode:bpf_link" || target === "anon_inode:bpf-link") return "link";
  return "other";
}
