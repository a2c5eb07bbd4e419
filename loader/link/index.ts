/**
 * loader/link: attaching programs, one file per attach kind. Each returns a `Link` that
 * detaches on dispose. Failures are `AttachError`s whose cause is the underlying error and
 * whose hint says what to check (capabilities, tracefs, interface names); kinds this kernel
 * lacks (kprobes without CONFIG_KPROBES) are `NotSupportedError`s saying how that was seen.
 */
export { Link, type LinkKind, type LinkParts } from "./link.js";
export { attachTracepoint, type AttachableProgram } from "./tracepoint.js";
export { attachRawTracepoint } from "./raw-tracepoint.js";
export { attachXdp, type XdpAttachOptions, type XdpMode } from "./xdp.js";
export { attachUprobe, resolveUprobe, type UprobeAttachOptions } from "./uprobe.js";
export { parseUprobeSpec, libraryMatches, mappedFiles, ldconfigEntries, resolveBinary, type UprobeSpec } from "./uprobe-target.js";
export { attachUsdt, parseUsdtTarget, usdtSites, type UsdtAttachOptions, type UsdtTarget } from "./usdt.js";
export { readUsdtProbes, type UsdtProbe } from "./usdt-notes.js";
export { parseUsdtArg, parseUsdtArgs, type UsdtArg, type UsdtArgKind } from "./usdt-args.js";
export { UsdtSpecTable } from "./usdt-specs.js";
export { resolveSymbolOffset, loadSegments, vaddrToOffset, functionSymbols } from "./elf-symbols.js";
export {
  attachKprobe, kprobeMechanism, kprobeEventLine, kprobeRemoveLine, legacyEventName, LEGACY_GROUP,
  type KprobeAttachOptions, type KprobeMechanism, type KprobeRoots,
} from "./kprobe.js";
export { probePmu, parseFormatBit, type ProbePmu } from "./pmu.js";
export { tracefsRoot, tracepointId } from "./tracefs.js";
export { attachTc, type TcAttachOptions, type TcDirection, type TcMode } from "./tc.js";
export { attachCgroup, cgroup2Mount, cgroupPath, type CgroupAttachOptions } from "./cgroup.js";
export { attachSocketFilter, socketFdOf, type SocketLike } from "./socket-filter.js";
export { openPacketSocket, PacketSocket } from "./packet-socket.js";
export { attachPerfEvent, cpuListMembers, onlineCpus, type PerfEventAttachOptions } from "./perf-event.js";
export { attachTracing, hasTracingCapabilities, tracingRefusal } from "./tracing.js";
export { attachBtfId, btfTargetName, vmlinuxBtf, VMLINUX_BTF } from "./vmlinux-btf.js";
export {
  ackErrno, clsactTcMsg, delFilterMessage, filterTcMsg, newBpfFilterMessage, newClsactMessage, rtattr, tcMessage, RtNetlink, type TcMsg,
} from "./netlink.js";
export {
  attachAllOptionsFor, attachProgram, tcDirectionOfSection, type AttachAllOptions, type AttachOptions, type AttachSubject,
} from "./attach.js";
