// Registered on every workflow (workers/main.ts, the test bundle): the figures every operation
// has, whether it is in flight and how it ended, without code in each operation.
import {
  ContinueAsNew,
  isCancellation,
  workflowInfo,
  type WorkflowInterceptorsFactory,
} from '@temporalio/workflow';
import { countFinished, setRunning } from './metrics';

export const interceptors: WorkflowInterceptorsFactory = () => {
  let ended = false;
  return {
    inbound: [
      {
        async execute(input, next) {
          try {
            const result = await next(input);
            countFinished('completed');
            return result;
          } catch (err) {
            const continued = err instanceof ContinueAsNew;
            countFinished(
              continued ? 'continued-as-new' : isCancellation(err) ? 'cancelled' : 'failed',
            );
            throw err;
          } finally {
            ended = true;
          }
        },
      },
    ],
    internals: [
      {
        concludeActivation(input, next) {
          // After every job and reaction of the activation, so `ended` is up to date.
          if (!workflowInfo().unsafe.isReplaying) setRunning(!ended);
          return next(input);
        },
      },
    ],
  };
};
