// The shape of one catalogue entry, kept apart so each area's table can import it without a cycle.
export interface ErrorInfo {
  /** What went wrong, in one line. */
  summary: string;
  /** What a user usually does about it. The error itself may carry a more specific hint. */
  hint: string;
}
