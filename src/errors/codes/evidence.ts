// Codes of recording and reading evidence: capture runs, pcap files, the decoder, inspect,
// trace and conformance reports.
import type { ErrorInfo } from './info.js';

export const EVIDENCE_CODES = {
  E_CAPTURE_SELECTION: {
    summary: 'the --class/--link/--node filter selects nothing, or names unknown values',
    hint: 'check the filter against fabric status <lab>; the message lists the known values',
  },
  E_CAPTURE_NOT_LISTENING: {
    summary: 'a tcpdump exited or did not start listening in time',
    hint: 'check that the namespace and interface exist (fabric status <lab>) and that tcpdump runs as root',
  },
  E_CAPTURE_NO_RUN: {
    summary: 'no (unfinished) capture run to act on',
    hint: 'list runs with fabric capture <lab> list',
  },
  E_CAPTURE_BUSY: {
    summary: 'another process is stopping the same capture run',
    hint: "remove the run's stop lock if no stop is running",
  },
  E_CAPTURE_STATE: {
    summary: "a capture run's state file has an unknown version",
    hint: 'finish it with the fabric that started it',
  },
  E_CAPTURE_STATUS: {
    summary: 'the status document for a capture could not be read or is for another lab',
    hint: 'is the lab up? (fabric up), or pass --status-file',
  },
  E_STATUS_DOC: {
    summary: 'a status document does not have the expected shape',
    hint: 'pass the output of fabric status <lab> --json (schemaVersion 1)',
  },
  E_CAPTURE_UNREADABLE: {
    summary: 'a capture file cannot be read (missing, permission, directory)',
    hint: 'check the path',
  },
  E_CAPTURE_FORMAT: {
    summary: 'not a pcap or pcapng file (wrong magic)',
    hint: 'expected a libpcap (a1b2c3d4 / a1b23c4d) or pcapng (0a0d0d0a) capture file',
  },
  E_CAPTURE_TRUNCATED: {
    summary: 'a capture file is empty or ends inside its file header',
    hint: 'capture again; the file is unusable',
  },
  E_CAPTURE_ENGINE: {
    summary: 'the pcap-parser engine was asked to read a pcapng file',
    hint: 'use the default engine',
  },
  E_CAPTURE_WRITE: {
    summary: 'a capture file cannot be written as asked (frame or option too long, no interface, after close)',
    hint: 'the message names the limit',
  },
  E_DECODE_AS: {
    summary: 'a --decode-as item does not parse',
    hint: "write KIND or LABEL=KIND (also tshark's mpls.label==LABEL,KIND)",
  },
  E_BUILD: {
    summary: 'a frame cannot be built from the layers given (unknown layer, value too wide, wrong order)',
    hint: 'give layers outer to inner, e.g. [{name:"eth"}, {name:"vlan", vid: 100}, {name:"ipv4"}, {name:"udp"}]',
  },
  E_INSPECT_FILTER: {
    summary: 'an inspect filter value does not parse',
    hint: 'the message names the filter and its range',
  },
  E_TRACE_ARGS: {
    summary: 'fabric trace needs exactly one of --contains TEXT or --frame FILE:N',
    hint: 'N counts from 1',
  },
  E_TRACE_RUN: {
    summary: 'the folder is not a capture run (no or bad manifest.json)',
    hint: 'give a run folder captures/<lab>/<run-id>/ written by fabric capture or fabric test',
  },
  E_TRACE_NOT_FOUND: {
    summary: 'no frame matches the --contains text, or the frame number is past the file',
    hint: 'fabric inspect --contains TEXT <files> shows what the captures hold',
  },
  E_TRACE_DECODE: {
    summary: 'the chosen frame carries no client frame to follow',
    hint: 'pick a frame with an Ethernet client frame inside',
  },
  E_REPORT_READ: {
    summary: 'a conformance report cannot be read',
    hint: 'check the path (captures/<lab>/<run>/report.json)',
  },
  E_REPORT_VERSION: {
    summary: 'the file is not a fabric conformance report of a known version',
    hint: 'expected reportVersion 2 (src/report/result.ts)',
  },
  E_REPORT_SHAPE: { summary: 'a conformance report lacks a required field', hint: 'write it again with fabric test' },
} as const satisfies Record<string, ErrorInfo>;
