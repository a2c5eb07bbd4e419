/**
 * V8's optimizing compiler (TurboFan) during a first tsc build with the plugin.
 *
 * A build compiles each template once, in well under a second in all. TurboFan nevertheless
 * starts optimizing the template compiler's hottest functions after a few dozen templates,
 * and some of them are costly to optimize: in a fresh process compiling 100 small templates
 * (~120 ms of work), its jobs took ~240 ms of CPU, `sccp` alone 52 ms, the register
 * allocator's liveness analysis 37 ms, the dominator tree 36 ms. Every thread that compiles
 * pays that again, and the jobs run beside the compile on the machine's other cores, which
 * tsc's own thread and the compile worker want too. The optimized code saves ~0.2 ms per
 * template once it exists: less than it cost in any build of up to a few thousand templates.
 *
 * So, for a first build of at most `MAX_PAUSED_TEMPLATES` templates, the plugin turns TurboFan
 * off as it is created (tsc has then type-checked the program; only its emit remains), and on
 * again when the build returns to the event loop: watch mode keeps optimizing between
 * rebuilds; a one-shot tsc exits first. Code TurboFan had already optimized stays optimized;
 * everything else runs in V8's baseline tiers (Ignition, Sparkplug).
 *
 * Measured with `tsc` patched by ts-patch on a 2-vCPU machine, plugin vs plain tsc, paired
 * medians over alternating rounds: 100 templates 1.46 -> 1.37, 400 templates 1.78 -> 1.43,
 * 1,000 templates 2.23 -> 1.73; 20 templates unchanged; a 600-file project with 5 templates
 * unchanged (tsc's own emit in the baseline tiers costs no more than it saves).
 *
 * `"turbofan": true` in the plugin's entry keeps it on; so does any V8 tiering flag given to
 * node itself (`--turbofan`, `--no-turbofan`, `--jitless`, ... on its command line, or
 * `--jitless` in NODE_OPTIONS, which takes no other): the process's owner decided.
 */
import { setFlagsFromString } from "node:v8";

/**
 * Above this many templates the pause is not applied. Measured gains reach 1,000 templates;
 * somewhere beyond, optimized code would pay for itself within the build, and where is not
 * measured, so larger builds leave V8 as it is.
 */
export const MAX_PAUSED_TEMPLATES = 2000;

/** V8 flags that decide how code tiers up; a process started with one is left as it is. */
const TIERING_FLAG = /^--(no-)?(turbofan|opt|jitless|maglev|sparkplug|always-(opt|turbofan|sparkplug)|max-opt)\b/;

export function tieringFlagsGiven(execArgv: readonly string[] = process.execArgv, nodeOptions = process.env.NODE_OPTIONS ?? ""): boolean {
  return [...execArgv, ...nodeOptions.split(/\s+/)].some((a) => TIERING_FLAG.test(a.replace(/_/g, "-")));
}

let paused = false;

/**
 * Turns TurboFan off until this build returns to the event loop, when a first build of
 * `templates` templates is short enough to gain by it (see above). True when it paused.
 */
export function pauseTurbofanForBuild(templates: number, keep: boolean | undefined): boolean {
  if (paused || keep || templates === 0 || templates > MAX_PAUSED_TEMPLATES || tieringFlagsGiven()) return false;
  setFlagsFromString("--no-turbofan");
  paused = true;
  setImmediate(() => {
    setFlagsFromString("--turbofan");
    paused = false;
  });
  return true;
}
