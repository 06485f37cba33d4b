// The frame library: layers declared as data (layers.ts), one bind table (bind.ts) used by
// dissect (compiled walker) and build. See docs/decoder.md.
export * from './types.js';
export { dissect, stackSignature, Dissector, MAX_LAYERS, SHAPE_CODE_LAYERS } from './dissect.js';
export { build, BUILDABLE } from './build.js';
export type {
  LayerSpec,
  BuildOptions,
  EthSpec,
  SllSpec,
  Sll2Spec,
  VlanSpec,
  MplsSpec,
  PwSpec,
  VxlanSpec,
  Ipv4Spec,
  Ipv6Spec,
  ArpSpec,
  IcmpSpec,
  UdpSpec,
  TcpSpec,
  RawSpec,
} from './build.js';
export { parseDecodeAs, parsePwKind, decodeAsFromHints, PW_PAYLOAD_KINDS } from './decode-as.js';
export { mac, ipv4, ipv6, formatMac, formatIpv4, formatIpv6 } from './addr.js';
export { inetChecksum } from './checksum.js';
export { LAYER_ID, LAYER_NAME, REASON } from './compile.js';
export { LAYERS, type LayerDecl, type FieldDecl } from './layers.js';
export { BIND, bindValue, type BindRule } from './bind.js';
export { decidePw } from './pw-heuristic.js';
export { firstLayer, LINKTYPES_DECODED } from './linktype.js';
export { fieldIndex, JSON_BYTES_MAX } from './compile-bytes.js';
export { asciiBytes, putAscii, putBytes, putHex4, putIpv4, putMac, putPadded, putUint } from './put.js';
