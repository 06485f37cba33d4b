// Codes of sending traffic, judging it, mutating flows and injecting faults.
import type { ErrorInfo } from './info.js';

export const PROBE_CODES = {
  E_TRAFFIC_TARGET: {
    summary: 'a real-stack probe was given no namespace',
    hint: 'probes never run in the root namespace (no lab address lives there)',
  },
  E_TRAFFIC_BOUNDS: {
    summary: 'a probe count, rate or time out of bounds',
    hint: 'probes are bounded in count, rate and time',
  },
  E_TRAFFIC_MARKER: {
    summary: 'a canary marker or tag with characters not allowed',
    hint: 'markers match [A-Za-z0-9_.-]{1,32}',
  },
  E_TRAFFIC_CANARY: {
    summary: 'a canary cannot be built (unknown flood class, missing address, VLAN out of range)',
    hint: 'the message names what the class needs',
  },
  E_TRAFFIC_ADDR: {
    summary: 'a multicast canary to an address that is not an IPv4 multicast group',
    hint: 'use 224.0.0.0/4',
  },
  E_TRAFFIC_PROBE: {
    summary: 'the UDP probe failed, did not listen in time, or printed no report',
    hint: 'the message carries what the probe printed',
  },
  E_TRAFFIC_SCRIPT: {
    summary: 'udp-probe.mjs is not found next to the traffic module',
    hint: 'run from the fabric checkout',
  },
  E_INJECT_FAILED: {
    summary: 'injecting crafted frames (tcpreplay) failed',
    hint: 'check that the namespace and interface exist and are up',
  },
  E_SUITE_UNKNOWN: { summary: 'an unknown conformance suite was asked for', hint: 'the message lists the suites' },
  E_TEST_REPORTER: {
    summary: 'fabric test --reporter names no mocha reporter, or --grep is no valid pattern or matches no check',
    hint: "use one of mocha's reporters (spec, dot, tap, json, list, min, ...) or a reporter module path; --grep takes a JavaScript regular expression matched against '<check id> <suite> <title>'",
  },
  E_MUTATE_LAB: {
    summary: 'the lab lacks what a mutation rewrites (two tenants in a DC, a flood group, a shared VLAN)',
    hint: 'run --mutate on a lab like labs/mtdc',
  },
  E_MUTATE_NOOP: { summary: 'a mutation changed no flow', hint: 'the lab lacks what this mutation rewrites' },
  E_MUTATE_RESTORE: {
    summary: 'flows still differ from the plan after the mutations',
    hint: 'run fabric program <lab>',
  },
  E_FAULT_UNKNOWN: { summary: 'an unknown fault step was asked for', hint: 'the message lists the steps' },
  E_FAULT_TARGET: {
    summary: 'the lab has no link or node the fault acts on',
    hint: 'run the faults suite on a lab with dedicated lines and provider routers (labs/mtdc)',
  },
  E_FAULT_DAEMON: {
    summary: 'no live ovs-vswitchd behind its pidfile, so it cannot be restarted',
    hint: 'start Open vSwitch again (make lab-up starts it)',
  },
} as const satisfies Record<string, ErrorInfo>;
