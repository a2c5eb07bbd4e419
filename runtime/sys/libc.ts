/**
 * The only place that talks to koffi: libc function bindings, errno, native memory.
 *
 * syscall(2) is declared once per shape and NON-variadically: koffi's variadic calls cost
 * about twice as much, and on the ABIs we run on (x86_64, aarch64 Linux) integer and pointer
 * arguments are passed identically either way.
 */
import koffi, { type LibraryHandle } from "koffi";
import { WhistlerError } from "../errors.js";

function openLibc(): LibraryHandle {
  for (const name of ["libc.so.6", "libc.so"]) {
    try {
      return koffi.load(name);
    } catch {
      // try the next name (musl ships libc.so)
    }
  }
  throw new WhistlerError("cannot load the C library (tried libc.so.6 and libc.so)", {
    hint: "whistler-ts needs Linux with glibc or musl",
  });
}

const libc = openLibc();

/** syscall(nr, cmd, attr, size): the shape of bpf(2). */
export const syscallBpf = libc.func("long syscall(long nr, int cmd, void *attr, unsigned int size)") as (
  nr: number, cmd: number, attr: bigint, size: number) => number;

/** syscall(nr, attr, pid, cpu, group_fd, flags): the shape of perf_event_open(2). */
export const syscallPerfEventOpen = libc.func("syscall", "long", ["long", "void *", "int", "int", "int", "unsigned long"]) as (
  nr: number, attr: bigint, pid: number, cpu: number, groupFd: number, flags: number) => number;

export const ioctl = libc.func("int ioctl(int fd, unsigned long request, unsigned long arg)") as (
  fd: number, request: number, arg: number) => number;

export const close = libc.func("int close(int fd)") as (fd: number) => number;

/** A koffi function that can also run on koffi's worker threads (`fn.async(...args, cb)`). */
type WithAsync<F extends (...a: never[]) => number | bigint> = F & {
  async: (...args: [...Parameters<F>, (err: unknown, result: ReturnType<F>) => void]) => void;
};

/** bpf(2) on a worker thread, for commands that run long (BPF_PROG_TEST_RUN with many repeats). */
export const syscallBpfAsync = syscallBpf as WithAsync<typeof syscallBpf>;

/** mmap(2): MAP_FAILED comes back as 2^64-1. */
export const mmapRaw = libc.func("void *mmap(void *addr, size_t length, int prot, int flags, int fd, long offset)") as (
  addr: null, length: number, prot: number, flags: number, fd: number, offset: number) => bigint;

export const munmapRaw = libc.func("int munmap(void *addr, size_t length)") as (addr: bigint, length: number) => number;

export const epollCreate1 = libc.func("int epoll_create1(int flags)") as (flags: number) => number;

export const epollCtl = libc.func("int epoll_ctl(int epfd, int op, int fd, void *event)") as (
  epfd: number, op: number, fd: number, event: bigint) => number;

/** epoll_wait(2); its `.async` form blocks a worker thread, never the event loop. */
export const epollWait = libc.func("int epoll_wait(int epfd, void *events, int maxevents, int timeout)") as WithAsync<(
  epfd: number, events: bigint, maxEvents: number, timeoutMs: number) => number>;

export const sysconf = libc.func("long sysconf(int name)") as (name: number) => number;

/** Sockets: netlink for tc, SO_ATTACH_BPF for socket filters (see socket.ts). */
export const socketRaw = libc.func("int socket(int domain, int type, int protocol)") as (
  domain: number, type: number, protocol: number) => number;

export const setsockoptRaw = libc.func("int setsockopt(int fd, int level, int optname, void *optval, unsigned int optlen)") as (
  fd: number, level: number, optname: number, optval: bigint, optlen: number) => number;

export const bindRaw = libc.func("int bind(int fd, void *addr, unsigned int addrlen)") as (
  fd: number, addr: bigint, addrlen: number) => number;

export const sendRaw = libc.func("long send(int fd, void *buf, unsigned long len, int flags)") as (
  fd: number, buf: bigint, len: number, flags: number) => number;

export const recvRaw = libc.func("long recv(int fd, void *buf, unsigned long len, int flags)") as (
  fd: number, buf: bigint, len: number, flags: number) => number;

export const ifNameToIndexRaw = libc.func("unsigned int if_nametoindex(const char *name)") as (name: string) => number;

/** errno of the last failed call made through these bindings. */
export function errno(): number {
  return koffi.errno();
}

/** Allocate `size` bytes of native memory (never moves); free with `freeNative`. */
export function allocNative(size: number): bigint {
  return koffi.alloc("uint8_t", size) as bigint;
}

export function freeNative(ptr: bigint): void {
  koffi.free(ptr);
}

/** A zero-copy ArrayBuffer over native memory. */
export function viewNative(ptr: bigint, size: number): ArrayBuffer {
  return koffi.view(ptr, size);
}
