// Durable wait for an operator's decision, given through the `decide` Update. Every wait is also
// reported to the operation at the root of the workflow tree, so a rollout shows the waits of its
// nodes and their drains in one place.
import {
  condition,
  getExternalWorkflowHandle,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import {
  decideUpdate,
  operatorWaitSignal,
  type DecideRequest,
  type OperatorDecision,
  type OperatorWait,
} from '../api';
import { countOperatorWait } from '../metrics';
import { notifyOperators } from '../notifications';

const FAILED_STEP: OperatorDecision[] = ['retry', 'skip', 'abort'];
/** A note is kept in history and status: a line or two, not a file pasted by mistake. */
export const MAX_NOTE_LENGTH = 1000;

export class OperatorGate {
  readonly decisions: DecideRequest[] = [];
  private waitingFor?: string;
  private allowed: OperatorDecision[] = FAILED_STEP;
  private decided?: DecideRequest;

  constructor() {
    setHandler(
      decideUpdate,
      (request) => {
        this.decided = request;
        this.decisions.push(request);
        return `${request.decision} accepted`;
      },
      {
        validator: (request) => {
          if (this.waitingFor === undefined || this.decided !== undefined) {
            throw new Error('decision: this operation is not waiting for an operator');
          }
          if (!this.allowed.includes(request?.decision)) {
            throw new Error(`decision: must be one of ${this.allowed.join(', ')} here`);
          }
          const note: unknown = request.note;
          if (note !== undefined && (typeof note !== 'string' || note.length > MAX_NOTE_LENGTH)) {
            throw new Error(`note: must be text of at most ${MAX_NOTE_LENGTH} characters`);
          }
        },
      },
    );
  }

  /** Why the operation waits, while it waits. */
  get reason(): string | undefined {
    return this.waitingFor;
  }

  /** This operation's own wait, while it waits. */
  get current(): OperatorWait | undefined {
    return this.waitingFor === undefined
      ? undefined
      : { workflowId: workflowInfo().workflowId, reason: this.waitingFor, decisions: this.allowed };
  }

  /** Waits for one of `allowed`; a failed step offers retry, skip and abort. */
  async wait(reason: string, allowed: OperatorDecision[] = FAILED_STEP): Promise<DecideRequest> {
    this.waitingFor = reason;
    this.allowed = allowed;
    this.decided = undefined;
    tellRoot(this.current!);
    countOperatorWait(reason);
    void notifyOperators({ kind: 'waiting', reason, decisions: allowed });
    await condition(() => this.decided !== undefined);
    const decided = this.decided!;
    this.waitingFor = undefined;
    this.decided = undefined;
    tellRoot({ workflowId: workflowInfo().workflowId });
    return decided;
  }
}

function tellRoot(wait: OperatorWait): void {
  const root = workflowInfo().root;
  if (!root || root.workflowId === workflowInfo().workflowId) return;
  // Best effort: the root may have ended (e.g. a node upgrade run on its own after its rollout).
  getExternalWorkflowHandle(root.workflowId)
    .signal(operatorWaitSignal, wait)
    .catch(() => undefined);
}

/** The waits reported by the workflows below this one, kept current by their signals. */
export function trackOperatorWaits(waits: OperatorWait[], onChange: () => void): void {
  setHandler(operatorWaitSignal, (wait) => {
    const i = waits.findIndex((w) => w.workflowId === wait.workflowId);
    if (i >= 0) waits.splice(i, 1);
    if (wait.reason !== undefined) waits.push(wait);
    onChange();
  });
}
