// Registered on every workflow (workers/main.ts, the test bundle): how each operation's run ended,
// without code in each operation. What is in flight is counted from visibility instead
// (workers/operation-census.ts).
import {
  ContinueAsNew,
  isCancellation,
  type WorkflowInterceptorsFactory,
} from '@temporalio/workflow';
import { countFinished } from './metrics';

export const interceptors: WorkflowInterceptorsFactory = () => ({
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
        }
      },
    },
  ],
});
