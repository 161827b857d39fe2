// The workflow interceptor modules every Steward worker runs, and replay must run with.
export const WORKFLOW_INTERCEPTOR_MODULES = [
  require.resolve('../workflows/notifications-interceptor'),
];
