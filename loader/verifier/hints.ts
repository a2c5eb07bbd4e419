/**
 * Plain-English hints for the verifier's most common refusals: what the message means and
 * what usually fixes it. First match wins; the patterns follow the kernel's wording.
 */

const HINTS: readonly (readonly [RegExp, string])[] = [
  [/invalid mem access 'map_value_or_null'|invalid mem access '.*_or_null'/, "a map lookup (or helper) result is used without a NULL check: test it (`if (!v) return 0;`) before reading or writing through it"],
  [/invalid mem access 'scalar'|invalid mem access 'inv'/, "a plain number is used as a pointer: the register holds a scalar, not an address (check the pointer comes from a map lookup, the context or a helper, and that casts or arithmetic did not turn it into a number)"],
  [/R\d+ type=(\S+) expected=(.+)/, "a helper got the wrong kind of argument: the register's type (after type=) is not one the helper accepts (after expected=); pass a pointer to stack, map value or context as the helper wants"],
  [/invalid access to packet/, "packet data is read or written without a bounds check the verifier can see: compare `data + offset + size` against `data_end` right before the access"],
  [/math between pkt pointer and register with unbounded min value|unbounded min value/, "an offset added to a packet pointer has no known lower bound: bound it first (e.g. `off &= 0xff` or `if (off > MAX) return`) so the verifier can check the access"],
  [/unreachable insn/, "the program has instructions no path reaches (dead code after a jump or exit); a compiler or hand-written bug"],
  [/back-edge from insn/, "a loop the verifier cannot prove terminates: give it a constant bound (kernels >= 5.3), unroll it, or use bpf_loop()"],
  [/infinite loop detected/, "a loop whose state never changes between iterations: make the loop variable move towards its bound on every path"],
  [/R0 !read_ok/, "the program returns without setting a return value: every path must end in `return <value>`"],
  [/R\d+ !read_ok/, "a register is read before anything was written to it: an uninitialised variable, or a value used after a helper call clobbered it (R1-R5 are clobbered by calls)"],
  [/combined stack size of \d+ calls is \d+/, "the call chain's stack frames add up to more than 512 bytes: make large locals smaller, inline functions, or keep big buffers in a per-CPU array map"],
  [/program is too large|BPF program is too large/, "the verifier had to explore more than 1,000,000 instructions: reduce branching, bound loops tighter, or split the program with tail calls"],
  [/unknown func|invalid func unknown/, "this helper does not exist on this kernel or is not allowed for this program type (check the helper's minimum kernel version and program types)"],
  [/invalid indirect read from stack/, "a helper reads stack memory that was never written: initialise the whole buffer (e.g. zero it) before passing it"],
  [/invalid read from stack/, "the program reads a stack slot it never wrote: initialise the variable first"],
  [/misaligned (?:stack |packet |value |context )?access|misaligned/, "an access at an offset that is not a multiple of its size: align the field or read it in smaller pieces"],
  [/jump out of range/, "a jump lands outside the program: the object is corrupt or was linked wrongly; rebuild it"],
  [/invalid bpf_context access/, "the program reads (or writes) a context field at an offset or size this program type does not allow: use the documented ctx struct for the program type"],
  [/cannot call GPL-restricted function/, "this helper is GPL-only: declare a GPL-compatible license (e.g. `char LICENSE[] SEC(\"license\") = \"GPL\";`)"],
  [/invalid stack off|invalid write to stack/, "a stack access outside the 512-byte frame or at a negative/unaligned offset: keep locals small"],
  [/R\d+ min value is negative|R\d+ unbounded memory access/, "an index or size has no proven bounds: check it against the buffer size (and >= 0) right before the access"],
  [/value is outside of the allowed memory range|invalid access to map value/, "a map value is accessed past its size: check the offset against sizeof(value) first"],
];

/** The hint for a verifier error message, or undefined when none applies. */
export function verifierHint(message: string): string | undefined {
  for (const [re, hint] of HINTS) if (re.test(message)) return hint;
  return undefined;
}

/** How many distinct messages have hints (documented as "the 15 most common" and more). */
export const HINT_COUNT = HINTS.length;
