/**
 * runtime/sys: the system-call layer. koffi bindings live in libc.ts only; everything else
 * goes through `bpf()` (one entry, typed errors) and the command wrappers, and every fd is
 * owned by an `Fd`. Nothing here knows about ELF objects, codecs or user-facing types.
 */
export * from "./arch.js";
export { bpfAsync, progTestRunAsync, type AsyncTestRunResult } from "./async.js";
export { Epoll, EPOLLET, EPOLLIN } from "./epoll.js";
export { Mapping, MAP_SHARED, pageSize, PROT_READ, PROT_WRITE } from "./mmap.js";
export { openBpfOutputEvent } from "./perf-output.js";
export * from "./attrs.js";
export { bpf, bpfError, EAGAIN, ENOENT, ENOSPC, EPERM, type BpfCallContext } from "./bpf.js";
export * from "./commands.js";
export { Fd } from "./fd.js";
export * from "./host.js";
export { MapElemCalls } from "./map-elem.js";
export { NativeBuffer } from "./native.js";
export * from "./perf.js";
export * from "./pin.js";
export * from "./socket.js";
