// File-format constants shared by the readers and writers (libpcap classic and pcapng).

/** Classic pcap magics as read little-endian from the first 4 bytes. */
export const PCAP_MAGIC_USEC = 0xa1b2c3d4;
export const PCAP_MAGIC_NSEC = 0xa1b23c4d;
/** pcapng Section Header Block type (palindromic, so endianness-free) and byte-order magic. */
export const PCAPNG_SHB = 0x0a0d0d0a;
export const PCAPNG_BOM = 0x1a2b3c4d;

export const PCAPNG_IDB = 0x00000001;
export const PCAPNG_OPB = 0x00000002; // obsolete Packet Block, still read
export const PCAPNG_SPB = 0x00000003;
export const PCAPNG_EPB = 0x00000006;

export const LINKTYPE_ETHERNET = 1;
export const LINKTYPE_LINUX_SLL = 113;
export const LINKTYPE_LINUX_SLL2 = 276;
/** Raw IP, version from the first nibble (101; and the DLT_RAW values 12 and 14 some systems write). */
export const LINKTYPE_RAW = 101;
export const LINKTYPE_IPV4 = 228;
export const LINKTYPE_IPV6 = 229;

/** Link types the decoder dissects (src/decode/linktype.ts maps each to its first layer). */
export const DECODED_LINKTYPES: ReadonlySet<number> = new Set([
  LINKTYPE_ETHERNET,
  LINKTYPE_LINUX_SLL,
  LINKTYPE_LINUX_SLL2,
  LINKTYPE_RAW,
  12,
  14,
  LINKTYPE_IPV4,
  LINKTYPE_IPV6,
]);

/** libpcap's own MAXIMUM_SNAPLEN: no sane record is bigger; larger means a corrupt header. */
export const MAX_CAPLEN = 262144;
/** Upper bound for a non-packet pcapng block (name resolution, custom blocks...). */
export const MAX_BLOCK_LEN = 16 * 1024 * 1024;

export const PCAP_FILE_HEADER_LEN = 24;
export const PCAP_RECORD_HEADER_LEN = 16;

export type CaptureFormat = 'pcap' | 'pcap-nsec' | 'pcapng';

const LINKTYPE_NAMES: Record<number, string> = {
  0: 'NULL',
  1: 'EN10MB',
  12: 'RAW (DLT 12)',
  14: 'RAW (DLT 14)',
  101: 'RAW',
  105: 'IEEE802_11',
  113: 'LINUX_SLL',
  127: 'IEEE802_11_RADIOTAP',
  228: 'IPV4',
  229: 'IPV6',
  276: 'LINUX_SLL2',
};
export function linktypeName(lt: number): string {
  return LINKTYPE_NAMES[lt] ?? `linktype ${lt}`;
}

export function hex32(v: number): string {
  return '0x' + (v >>> 0).toString(16).padStart(8, '0');
}
