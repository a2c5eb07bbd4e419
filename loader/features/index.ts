/**
 * loader/features: what this kernel supports, probed with tiny objects and cached per
 * process. A probe never throws for "not supported" (that is its answer); it throws only
 * when it cannot ask at all (EPERM).
 */
export { btfFeatures, btfBlob, BTF_PROBES } from "./btf.js";
export { kernelFacts } from "./kernel-facts.js";
