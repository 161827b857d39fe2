// Durable wait for an operator's decision, given through the `decide` Update.
import { condition, setHandler } from '@temporalio/workflow';
import { decideUpdate, type DecideRequest, type OperatorDecision } from './api';

const DECISIONS: OperatorDecision[] = ['retry', 'skip', 'abort'];

export class OperatorGate {
  readonly decisions: DecideRequest[] = [];
  private waitingFor?: string;
  private decided?: DecideRequest;

  constructor(allowed: OperatorDecision[] = DECISIONS) {
    setHandler(
      decideUpdate,
      (request) => {
        this.decided = request;
        this.decisions.push(request);
        return `${request.decision} accepted`;
      },
      {
        validator: (request) => {
          if (!allowed.includes(request?.decision)) {
            throw new Error(`decision: must be one of ${allowed.join(', ')}`);
          }
          if (this.waitingFor === undefined || this.decided !== undefined) {
            throw new Error('decision: this operation is not waiting for an operator');
          }
        },
      },
    );
  }

  /** Why the operation waits, while it waits. */
  get reason(): string | undefined {
    return this.waitingFor;
  }

  async wait(reason: string): Promise<DecideRequest> {
    this.waitingFor = reason;
    this.decided = undefined;
    await condition(() => this.decided !== undefined);
    const decided = this.decided!;
    this.waitingFor = undefined;
    this.decided = undefined;
    return decided;
  }
}
