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
