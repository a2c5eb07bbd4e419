/**
 * Typed wrappers for the bpf(2) commands of the cold paths (create, load, attach, info,
 * test-run). Each fills a zeroed attr, calls `bpf()` and wraps any new fd in an `Fd`. Attrs
 * live in one native block per command kind and the data they point to (instructions, BTF,
 * keys and values) in one shared block, both reused from call to call (see scratch.ts). The
 * commands of every load release them in try/finally: `using` compiles to a disposal stack
 * allocated per call.
 */
import type { Capability } from "../errors.js";
import {
  BPF_OBJ_NAME_LEN, BpfCmd, BtfLoadAttr, LinkCreateAttr, MapCreateAttr, MapElemAttr, MapInfo, ObjInfoAttr,
  ProgInfo, ProgLoadAttr, RawTracepointOpenAttr, TestRunAttr,
} from "./attrs.js";
import { bpf, type BpfCallContext } from "./bpf.js";
import { Fd } from "./fd.js";
import { NativeBuffer } from "./native.js";
import { Scratch, type Lease } from "./scratch.js";

const attrs = {
  mapCreate: new Scratch(),
  progLoad: new Scratch(),
  btfLoad: new Scratch(),
  objInfo: new Scratch(),
  linkCreate: new Scratch(),
  rawTracepoint: new Scratch(),
  testRun: new Scratch(),
  mapElem: new Scratch(),
  mapFreeze: new Scratch(),
};
/** What attrs point to for the length of one call. */
const callData = new Scratch();

/** Kernel object names: at most 15 bytes of [A-Za-z0-9_.]. */
export function objectName(name: string): string {
  return name.replace(/[^A-Za-z0-9_.]/g, "_").slice(0, BPF_OBJ_NAME_LEN - 1);
}

function writeName(bytes: Uint8Array, offset: number, name: string): void {
  // objectName leaves only ASCII characters: one byte each.
  const n = objectName(name);
  for (let i = 0; i < n.length; i++) bytes[offset + i] = n.charCodeAt(i);
}

/** `n` rounded up to 8: each piece of call data starts 8-byte aligned. */
const align8 = (n: number): number => (n + 7) & ~7;

export interface MapCreateOptions {
  type: number;
  keySize: number;
  valueSize: number;
  maxEntries: number;
  flags?: number;
  name?: string;
  innerMapFd?: number;
  numaNode?: number;
  btfFd?: number;
  btfKeyTypeId?: number;
  btfValueTypeId?: number;
  mapExtra?: bigint;
}

export function mapCreate(o: MapCreateOptions, ctx?: BpfCallContext): Fd {
  const attr = attrs.mapCreate.lease(MapCreateAttr.size, true);
  try {
    const v = attr.view;
    v.setUint32(MapCreateAttr.map_type, o.type, true);
    v.setUint32(MapCreateAttr.key_size, o.keySize, true);
    v.setUint32(MapCreateAttr.value_size, o.valueSize, true);
    v.setUint32(MapCreateAttr.max_entries, o.maxEntries, true);
    v.setUint32(MapCreateAttr.map_flags, o.flags ?? 0, true);
    v.setUint32(MapCreateAttr.inner_map_fd, o.innerMapFd ?? 0, true);
    v.setUint32(MapCreateAttr.numa_node, o.numaNode ?? 0, true);
    if (o.name) writeName(attr.bytes, MapCreateAttr.map_name, o.name);
    if (o.btfFd !== undefined) {
      v.setUint32(MapCreateAttr.btf_fd, o.btfFd, true);
      v.setUint32(MapCreateAttr.btf_key_type_id, o.btfKeyTypeId ?? 0, true);
      v.setUint32(MapCreateAttr.btf_value_type_id, o.btfValueTypeId ?? 0, true);
    }
    v.setBigUint64(MapCreateAttr.map_extra, o.mapExtra ?? 0n, true);
    const fd = bpf(BpfCmd.MAP_CREATE, attr.ptr, MapCreateAttr.size, ctx ?? { what: `create map "${o.name ?? ""}"` });
    return new Fd(fd, `map ${o.name ?? ""}`);
  } finally {
    attr[Symbol.dispose]();
  }
}

export interface ProgLoadOptions {
  type: number;
  /** Instructions, 8 bytes each, relocations already applied. */
  insns: Uint8Array;
  license: string;
  name?: string;
  expectedAttachType?: number;
  flags?: number;
  ifindex?: number;
  btfFd?: number;
  attachBtfId?: number;
  /** bpf_func_info records (8 bytes each), with btfFd. */
  funcInfo?: Uint8Array;
  /** bpf_line_info records (16 bytes each), with btfFd. */
  lineInfo?: Uint8Array;
  /** kern_version (only old kernels check it, for kprobes). */
  kernVersion?: number;
  /** 0: no log (the fast first attempt). */
  logLevel?: number;
  /** Log buffer, required when logLevel > 0. */
  log?: NativeBuffer;
  caps?: readonly Capability[];
}

/** sizeof(struct bpf_func_info) and sizeof(struct bpf_line_info). */
const FUNC_INFO_SIZE = 8;
const LINE_INFO_SIZE = 16;

/**
 * BPF_PROG_LOAD. On failure throws BpfError; when a log buffer was given, the kernel's log
 * is in it and `logTrueSize` (kernels >= 6.4) says how large a buffer it wanted.
 */
export function progLoad(o: ProgLoadOptions, out?: { logTrueSize: number }): Fd {
  // Instructions, license (NUL-terminated), func_info and line_info in one block, in that order.
  const funcInfo = o.funcInfo?.length ? o.funcInfo : undefined;
  const lineInfo = o.lineInfo?.length ? o.lineInfo : undefined;
  const licenseAt = align8(o.insns.length);
  // A UTF-16 unit is at most 3 bytes of UTF-8: room for any license text and its NUL.
  const funcInfoAt = align8(licenseAt + o.license.length * 3 + 1);
  const lineInfoAt = align8(funcInfoAt + (funcInfo?.length ?? 0));
  const attr = attrs.progLoad.lease(ProgLoadAttr.size, true);
  let data: Lease | undefined;
  try {
    data = callData.lease(lineInfoAt + (lineInfo?.length ?? 0), false);
    data.bytes.set(o.insns);
    writeCString(data.bytes, licenseAt, o.license);
    const v = attr.view;
    v.setUint32(ProgLoadAttr.prog_type, o.type, true);
    v.setUint32(ProgLoadAttr.kern_version, o.kernVersion ?? 0, true);
    if (funcInfo) {
      data.bytes.set(funcInfo, funcInfoAt);
      v.setUint32(ProgLoadAttr.func_info_rec_size, FUNC_INFO_SIZE, true);
      v.setBigUint64(ProgLoadAttr.func_info, data.ptr + BigInt(funcInfoAt), true);
      v.setUint32(ProgLoadAttr.func_info_cnt, funcInfo.length / FUNC_INFO_SIZE, true);
    }
    if (lineInfo) {
      data.bytes.set(lineInfo, lineInfoAt);
      v.setUint32(ProgLoadAttr.line_info_rec_size, LINE_INFO_SIZE, true);
      v.setBigUint64(ProgLoadAttr.line_info, data.ptr + BigInt(lineInfoAt), true);
      v.setUint32(ProgLoadAttr.line_info_cnt, lineInfo.length / LINE_INFO_SIZE, true);
    }
    v.setUint32(ProgLoadAttr.insn_cnt, Math.floor(o.insns.length / 8), true);
    v.setBigUint64(ProgLoadAttr.insns, data.ptr, true);
    v.setBigUint64(ProgLoadAttr.license, data.ptr + BigInt(licenseAt), true);
    if (o.logLevel && o.log) {
      v.setUint32(ProgLoadAttr.log_level, o.logLevel, true);
      v.setUint32(ProgLoadAttr.log_size, o.log.size, true);
      v.setBigUint64(ProgLoadAttr.log_buf, o.log.ptr, true);
    }
    v.setUint32(ProgLoadAttr.prog_flags, o.flags ?? 0, true);
    if (o.name) writeName(attr.bytes, ProgLoadAttr.prog_name, o.name);
    v.setUint32(ProgLoadAttr.prog_ifindex, o.ifindex ?? 0, true);
    v.setUint32(ProgLoadAttr.expected_attach_type, o.expectedAttachType ?? 0, true);
    v.setUint32(ProgLoadAttr.prog_btf_fd, o.btfFd ?? 0, true);
    v.setUint32(ProgLoadAttr.attach_btf_id, o.attachBtfId ?? 0, true);
    try {
      const fd = bpf(BpfCmd.PROG_LOAD, attr.ptr, ProgLoadAttr.size, { what: `load program "${o.name ?? ""}"`, caps: o.caps });
      return new Fd(fd, `program ${o.name ?? ""}`);
    } finally {
      if (out) out.logTrueSize = v.getUint32(ProgLoadAttr.log_true_size, true);
    }
  } finally {
    data?.[Symbol.dispose]();
    attr[Symbol.dispose]();
  }
}

/** BPF_BTF_LOAD; with a log buffer the kernel explains a rejection there. */
export function btfLoad(btf: Uint8Array, log?: NativeBuffer): Fd {
  const attr = attrs.btfLoad.lease(BtfLoadAttr.size, true);
  let data: Lease | undefined;
  try {
    data = callData.lease(btf.length, false);
    data.bytes.set(btf);
    const v = attr.view;
    v.setBigUint64(BtfLoadAttr.btf, data.ptr, true);
    v.setUint32(BtfLoadAttr.btf_size, btf.length, true);
    if (log) {
      v.setBigUint64(BtfLoadAttr.btf_log_buf, log.ptr, true);
      v.setUint32(BtfLoadAttr.btf_log_size, log.size, true);
      v.setUint32(BtfLoadAttr.btf_log_level, 1, true);
    }
    return new Fd(bpf(BpfCmd.BTF_LOAD, attr.ptr, BtfLoadAttr.size, { what: "load BTF" }), "BTF");
  } finally {
    data?.[Symbol.dispose]();
    attr[Symbol.dispose]();
  }
}

export interface ProgInfoResult {
  type: number;
  id: number;
  name: string;
  tag: string;
  jitedBytes: number;
  xlatedInsns: number;
  verifiedInsns: number;
  runTimeNs: bigint;
  runCount: bigint;
}

function readName(view: DataView, offset: number): string {
  const bytes = new Uint8Array(view.buffer, view.byteOffset + offset, BPF_OBJ_NAME_LEN);
  const end = bytes.indexOf(0);
  return new TextDecoder().decode(bytes.subarray(0, end < 0 ? bytes.length : end));
}

function objGetInfo(fd: number, info: Lease, what: string): void {
  using attr = attrs.objInfo.lease(ObjInfoAttr.size, true);
  attr.view.setUint32(ObjInfoAttr.bpf_fd, fd, true);
  attr.view.setUint32(ObjInfoAttr.info_len, info.size, true);
  attr.view.setBigUint64(ObjInfoAttr.info, info.ptr, true);
  bpf(BpfCmd.OBJ_GET_INFO_BY_FD, attr.ptr, ObjInfoAttr.size, { what });
}

export function progInfo(fd: number): ProgInfoResult {
  using info = callData.lease(ProgInfo.size, true);
  objGetInfo(fd, info, "read program info");
  const v = info.view;
  let tag = "";
  for (let i = 0; i < 8; i++) tag += v.getUint8(ProgInfo.tag + i).toString(16).padStart(2, "0");
  return {
    type: v.getUint32(ProgInfo.type, true),
    id: v.getUint32(ProgInfo.id, true),
    name: readName(v, ProgInfo.name),
    tag,
    jitedBytes: v.getUint32(ProgInfo.jited_prog_len, true),
    xlatedInsns: v.getUint32(ProgInfo.xlated_prog_len, true) / 8,
    verifiedInsns: v.getUint32(ProgInfo.verified_insns, true),
    runTimeNs: v.getBigUint64(ProgInfo.run_time_ns, true),
    runCount: v.getBigUint64(ProgInfo.run_cnt, true),
  };
}

export interface MapInfoResult {
  type: number;
  id: number;
  keySize: number;
  valueSize: number;
  maxEntries: number;
  flags: number;
  name: string;
  /** map_extra (bloom filter: number of hash functions); 0 where the kernel does not say. */
  mapExtra: bigint;
}

export function mapInfo(fd: number): MapInfoResult {
  using info = callData.lease(MapInfo.size, true);
  objGetInfo(fd, info, "read map info");
  const v = info.view;
  return {
    type: v.getUint32(MapInfo.type, true),
    id: v.getUint32(MapInfo.id, true),
    keySize: v.getUint32(MapInfo.key_size, true),
    valueSize: v.getUint32(MapInfo.value_size, true),
    maxEntries: v.getUint32(MapInfo.max_entries, true),
    flags: v.getUint32(MapInfo.map_flags, true),
    name: readName(v, MapInfo.name),
    mapExtra: v.getBigUint64(MapInfo.map_extra, true),
  };
}

export interface LinkCreateOptions {
  progFd: number;
  /** Target fd (perf event, cgroup) or ifindex (XDP). */
  target: number;
  attachType: number;
  flags?: number;
  /** perf_event.bpf_cookie */
  cookie?: bigint;
  /** fentry/fexit/lsm: the traced function's BTF id (0: the one given at load time). */
  targetBtfId?: number;
  /** tcx: expected revision of the interface's program list (0: any). */
  expectedRevision?: bigint;
  label: string;
  ctx?: BpfCallContext;
}

export function linkCreate(o: LinkCreateOptions): Fd {
  using attr = attrs.linkCreate.lease(LinkCreateAttr.size, true);
  const v = attr.view;
  v.setUint32(LinkCreateAttr.prog_fd, o.progFd, true);
  v.setUint32(LinkCreateAttr.target_fd, o.target, true);
  v.setUint32(LinkCreateAttr.attach_type, o.attachType, true);
  v.setUint32(LinkCreateAttr.flags, o.flags ?? 0, true);
  if (o.targetBtfId !== undefined) {
    v.setUint32(LinkCreateAttr.target_btf_id, o.targetBtfId, true);
    v.setBigUint64(LinkCreateAttr.tracing_cookie, o.cookie ?? 0n, true);
  } else if (o.expectedRevision !== undefined) {
    v.setBigUint64(LinkCreateAttr.tcx_expected_revision, o.expectedRevision, true);
  } else {
    v.setBigUint64(LinkCreateAttr.perf_event_bpf_cookie, o.cookie ?? 0n, true);
  }
  return new Fd(bpf(BpfCmd.LINK_CREATE, attr.ptr, LinkCreateAttr.size, o.ctx), o.label);
}

export function rawTracepointOpen(name: string, progFd: number, ctx?: BpfCallContext): Fd {
  using attr = attrs.rawTracepoint.lease(RawTracepointOpenAttr.size, true);
  using cname = NativeBuffer.from(name);
  attr.view.setBigUint64(RawTracepointOpenAttr.name, cname.ptr, true);
  attr.view.setUint32(RawTracepointOpenAttr.prog_fd, progFd, true);
  return new Fd(bpf(BpfCmd.RAW_TRACEPOINT_OPEN, attr.ptr, RawTracepointOpenAttr.size, ctx), `raw tracepoint ${name}`);
}

export interface TestRunOptions {
  data?: Uint8Array;
  /** Room for output data; defaults to the input size plus 256 (XDP may grow packets). */
  dataOutSize?: number;
  ctx?: Uint8Array;
  ctxOutSize?: number;
  repeat?: number;
  flags?: number;
  cpu?: number;
}

export interface TestRunResult {
  retval: number;
  data: Uint8Array;
  ctx: Uint8Array | undefined;
  /** Average duration per repeat, as the kernel measured it. */
  durationNs: number;
}

export function progTestRun(progFd: number, o: TestRunOptions, ctx?: BpfCallContext): TestRunResult {
  // Fields are set only when given: some program types (raw_tp) refuse any data or repeat.
  const data = o.data;
  const outSize = o.dataOutSize ?? (data ? data.length + 256 : 0);
  using attr = attrs.testRun.lease(TestRunAttr.size, true);
  using din = data ? NativeBuffer.from(data) : undefined;
  using dout = outSize > 0 ? new NativeBuffer(outSize) : undefined;
  using cin = o.ctx ? NativeBuffer.from(o.ctx) : undefined;
  const ctxOutSize = o.ctxOutSize ?? o.ctx?.length ?? 0;
  using cout = ctxOutSize > 0 ? new NativeBuffer(ctxOutSize) : undefined;
  const v = attr.view;
  v.setUint32(TestRunAttr.prog_fd, progFd, true);
  if (din && data) {
    v.setUint32(TestRunAttr.data_size_in, data.length, true);
    v.setBigUint64(TestRunAttr.data_in, din.ptr, true);
  }
  if (dout) {
    v.setUint32(TestRunAttr.data_size_out, dout.size, true);
    v.setBigUint64(TestRunAttr.data_out, dout.ptr, true);
  }
  v.setUint32(TestRunAttr.repeat, o.repeat ?? 0, true);
  if (cin) {
    v.setUint32(TestRunAttr.ctx_size_in, cin.size, true);
    v.setBigUint64(TestRunAttr.ctx_in, cin.ptr, true);
  }
  if (cout) {
    v.setUint32(TestRunAttr.ctx_size_out, cout.size, true);
    v.setBigUint64(TestRunAttr.ctx_out, cout.ptr, true);
  }
  v.setUint32(TestRunAttr.flags, o.flags ?? 0, true);
  v.setUint32(TestRunAttr.cpu, o.cpu ?? 0, true);
  bpf(BpfCmd.PROG_TEST_RUN, attr.ptr, TestRunAttr.size, ctx);
  const outLen = dout ? Math.min(v.getUint32(TestRunAttr.data_size_out, true), dout.size) : 0;
  const ctxLen = cout ? Math.min(v.getUint32(TestRunAttr.ctx_size_out, true), cout.size) : 0;
  return {
    retval: v.getUint32(TestRunAttr.retval, true),
    data: dout ? dout.bytes.slice(0, outLen) : new Uint8Array(0),
    ctx: cout ? cout.bytes.slice(0, ctxLen) : undefined,
    durationNs: v.getUint32(TestRunAttr.duration, true),
  };
}

/** `s` as UTF-8 with a NUL at `offset` of `bytes` (which has room: callers sized it). */
function writeCString(bytes: Uint8Array, offset: number, s: string): void {
  let i = 0;
  for (; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x80) break;
    bytes[offset + i] = c;
  }
  // Rare non-ASCII text: encode the rest (its UTF-8 can be longer than its length in chars).
  if (i < s.length) {
    const rest = encoder.encode(s.slice(i));
    bytes.set(rest, offset + i);
    i += rest.length;
  }
  bytes[offset + i] = 0;
}

const encoder = new TextEncoder();

/** BPF_MAP_UPDATE_ELEM of one key and value (copied in for the call). */
export function mapUpdateElem(mapFd: number, key: Uint8Array, value: Uint8Array, flags: number, ctx?: BpfCallContext): void {
  const valueAt = align8(key.length);
  const attr = attrs.mapElem.lease(MapElemAttr.size, true);
  let data: Lease | undefined;
  try {
    data = callData.lease(valueAt + value.length, false);
    data.bytes.set(key);
    data.bytes.set(value, valueAt);
    const v = attr.view;
    v.setUint32(MapElemAttr.map_fd, mapFd, true);
    // Maps without keys (queue, stack, bloom filter) want a NULL key pointer.
    v.setBigUint64(MapElemAttr.key, key.length === 0 ? 0n : data.ptr, true);
    v.setBigUint64(MapElemAttr.value, data.ptr + BigInt(valueAt), true);
    v.setBigUint64(MapElemAttr.flags, BigInt(flags), true);
    bpf(BpfCmd.MAP_UPDATE_ELEM, attr.ptr, MapElemAttr.size, ctx);
  } finally {
    data?.[Symbol.dispose]();
    attr[Symbol.dispose]();
  }
}

/** BPF_MAP_FREEZE: the map becomes read-only from user space. */
export function mapFreeze(mapFd: number, ctx?: BpfCallContext): void {
  const attr = attrs.mapFreeze.lease(MAP_FREEZE_ATTR_SIZE, true);
  try {
    attr.view.setUint32(0, mapFd, true);
    bpf(BpfCmd.MAP_FREEZE, attr.ptr, MAP_FREEZE_ATTR_SIZE, ctx);
  } finally {
    attr[Symbol.dispose]();
  }
}

/** BPF_MAP_FREEZE's attr: just map_fd (u32), padded. */
const MAP_FREEZE_ATTR_SIZE = 8;
