// Lets a refusal of bad input raised inside an activity fail the workflow as itself, so the
// caller sees the field and reason rather than a wrapped activity failure.
import { ActivityFailure, ApplicationFailure } from '@temporalio/workflow';
import { INVALID_INPUT } from './api';

export async function surfaceInvalidInput<T>(call: Promise<T>): Promise<T> {
  try {
    return await call;
  } catch (err) {
    if (
      err instanceof ActivityFailure &&
      err.cause instanceof ApplicationFailure &&
      err.cause.type === INVALID_INPUT
    ) {
      throw err.cause;
    }
    throw err;
  }
}
