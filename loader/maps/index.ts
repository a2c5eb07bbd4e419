/**
 * loader/maps: typed user-space access to maps (`MapHandle`): get/set/delete/has, snapshot
 * iteration, clear, per-CPU values as arrays; codecs chosen from declarations or BTF.
 */
export { MapHandle, UpdateFlags, PERCPU_MAP_TYPES, type InputOf, type MapHandleInfo, type MapKey, type MapValue } from "./handle.js";
export { codecFor, type MapScalar } from "./codecs.js";
