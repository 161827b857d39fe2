// Lets a refusal of bad input raised inside an activity fail the workflow as itself, so the
// caller sees the field and reason rather than a wrapped activity failure.
import { ActivityFailure, ApplicationFailure } from '@temporalio/workflow';
import { INVALID_INPUT } from './api';

/** An activity's refusal of its input (e.g. a node that does not exist). */
export function isInvalidInput(
  err: unknown,
): err is ActivityFailure & { cause: ApplicationFailure } {
  return (
    err instanceof ActivityFailure &&
    err.cause instanceof ApplicationFailure &&
    err.cause.type === INVALID_INPUT
  );
}

export async function surfaceInvalidInput<T>(call: Promise<T>): Promise<T> {
  try {
    return await call;
  } catch (err) {
    if (isInvalidInput(err)) throw err.cause;
    throw err;
  }
}

/** An activity's failure as the problem an operator reads; anything else (a bug) is rethrown. */
export function activityProblem(err: unknown): string {
  if (!(err instanceof ActivityFailure)) throw err;
  return err.cause?.message ?? err.message;
}
