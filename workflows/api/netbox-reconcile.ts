// The NetBox reconcile: input, result and what a continued run carries.

export interface NetboxReconcileInput {
  cluster: string;
}

export interface NetboxReconcileResult {
  cluster: string;
  /** Nodes whose NetBox device was compared. */
  checked: number;
  notInNetbox: string[];
  /** `<device>: <fields written>`, empty when NetBox already matched the cluster. */
  written: string[];
}

/** What a continued run of netboxReconcile carries over; not an operator's input. */
export interface NetboxReconcileCarried {
  /** The result so far, of the nodes up to `after` (by name). */
  result?: NetboxReconcileResult;
  after?: string;
  /** Continue as new once the history has this many events (the server may suggest it sooner). */
  continueAsNewAfterEvents?: number;
}
