/**
 * Reading a verifier log: which instruction failed, the error line(s), and the last register
 * state lines before the failure. The log is the kernel's free text, so this is heuristics
 * over its stable shapes ("N: (op) insn", "R1=...", trailer lines). Pure.
 */

export interface ParsedVerifierLog {
  /** The error line the verifier printed (the reason it refused). */
  readonly message: string;
  /** Instruction index the error is about, when the log says. */
  readonly insn: number | undefined;
  /** The failing instruction as the verifier printed it ("r0 = *(u64 *)(r0 +0)"). */
  readonly insnText: string | undefined;
  /** Up to three register-state lines before the error, newest last. */
  readonly state: readonly string[];
}

const INSN_LINE = /^(\d+): \([0-9a-f]{2}\) (.*?)(?:\s+; .*)?$/;
const STATE_LINE = /^(?:\d+: |from \d+ to \d+: )?(?:frame\d+: )?R\d+(?:_[rwD]+)?=/;
const TRAILER = /^(verification time|stack depth|processed \d+ insns|mark_read|max_states_per_insn|-- END PROG LOAD LOG --|func#\d+ @)/;
const SOURCE_COMMENT = /^; /;
const MAX_STATE_LINES = 3;

function isNoise(l: string): boolean {
  return l.trim() === "" || TRAILER.test(l) || SOURCE_COMMENT.test(l) || STATE_LINE.test(l) || INSN_LINE.test(l);
}

export function parseVerifierLog(log: string): ParsedVerifierLog {
  const lines = log.replace(/\0[\s\S]*$/, "").split("\n").map((l) => l.trimEnd());
  let lastInsn = -1;
  for (let i = 0; i < lines.length; i++) if (INSN_LINE.test(lines[i]!)) lastInsn = i;
  // The error is the first line after the last instruction that is not state, source or trailer;
  // some errors (CFG checks: back-edge, unreachable insn) come before any instruction is printed.
  let errorAt = -1;
  for (let i = lastInsn + 1; i < lines.length; i++) {
    if (!isNoise(lines[i]!)) {
      errorAt = i;
      break;
    }
  }
  if (errorAt < 0) {
    for (let i = lines.length - 1; i >= 0; i--) {
      if (!isNoise(lines[i]!)) {
        errorAt = i;
        break;
      }
    }
  }
  const message = errorAt >= 0 ? lines[errorAt]! : "";
  let insn: number | undefined;
  let insnText: string | undefined;
  if (lastInsn >= 0 && lastInsn < errorAt) {
    const m = INSN_LINE.exec(lines[lastInsn]!)!;
    insn = Number(m[1]);
    insnText = m[2];
  }
  // Messages that name their instruction win (CFG errors are not after one).
  const named = /(?:insn|from insn) (\d+)/.exec(message);
  if (named && (insn === undefined || /unreachable insn|back-edge|jump out of range|infinite loop/.test(message))) {
    insn = Number(named[1]);
    insnText = undefined;
  }
  const state: string[] = [];
  for (let i = (errorAt >= 0 ? errorAt : lines.length) - 1; i >= 0 && state.length < MAX_STATE_LINES; i--) {
    const l = lines[i]!;
    const inline = / ; (.*R\d+.*=.*)$/.exec(l);
    if (STATE_LINE.test(l)) state.unshift(l);
    else if (inline && INSN_LINE.test(l)) state.unshift(`${l.split(":")[0]}: ${inline[1]}`);
  }
  return { message, insn, insnText, state };
}
