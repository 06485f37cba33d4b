// Capture link types → the layer a frame starts with. Ethernet (1), Linux cooked captures
// (`tcpdump -i any`: SLL 113, SLL2 276) and raw IP: 228 IPv4, 229 IPv6, and 101 (with the DLT_RAW
// values 12 and 14 that some systems write into files) where the version nibble says which.
import { LAYER_ID } from './compile.js';

/** The first layer id for a frame of this link type, or 0 when the link type is not decoded. */
export function firstLayer(linktype: number, frame: Uint8Array, start = 0): number {
  switch (linktype) {
    case 1:
      return LAYER_ID.eth;
    case 113:
      return LAYER_ID.sll;
    case 276:
      return LAYER_ID.sll2;
    case 228:
      return LAYER_ID.ipv4;
    case 229:
      return LAYER_ID.ipv6;
    case 101:
    case 12:
    case 14:
      // Any other version nibble walks as IPv4 and ends as raw `malformed`, as tshark flags it.
      return start < frame.length && frame[start]! >> 4 === 6 ? LAYER_ID.ipv6 : LAYER_ID.ipv4;
    default:
      return 0;
  }
}

/** Link types firstLayer decodes (kept equal to src/pcap's DECODED_LINKTYPES by a unit test). */
export const LINKTYPES_DECODED: readonly number[] = [1, 113, 276, 228, 229, 101, 12, 14];
