/**
 * runtime/struct: `defstruct` and its field types (`char`, `array`, `asNumber`), the C ABI
 * layout they share with the compiler and the code generators, and the field codecs.
 */
export {
  defstruct, char, array, asNumber, isStructClass, structBase, structHelpers,
  type ArraySpec, type CharSpec, type Defstruct, type FieldInput, type FieldSpec, type FieldValue, type Fields,
  type NumberSpec, type StructClass, type StructInput, type StructValue, type StructView, type StructViewBase,
} from "./defstruct.js";
export {
  layoutStruct, describeFieldType, alignUp, StructError,
  type StructFieldLayout, type StructFieldType, type StructLayout, type StructOptions,
} from "./layout.js";
