// Watches that wake a wait as soon as what it reads changes. The wait still decides from its own
// reads; a watch only tells it when to read again, so a watch that never starts or ends early
// costs speed, never correctness: the wait falls back to reading on a short interval.
import { Watch } from '@kubernetes/client-node';
import { Context } from '@temporalio/activity';
import type { Clusters } from './clusters';

/** A watch the apiserver has not started by then leaves the feed not live: the wait polls. */
const START_TIMEOUT_MS = 5_000;

/** A collection the apiserver can watch: its path and, optionally, selectors. */
export interface WatchedObjects {
  path: string;
  labelSelector?: string;
  fieldSelector?: string;
}

export class ChangeFeed {
  private changed = false;
  private wake?: () => void;
  private ended = false;
  private stopped = false;
  private readonly controllers: AbortController[] = [];
  /** Resolves once every watch has started, failed, or not started in time. */
  readonly started: Promise<void>;

  /**
   * Starts the watches without waiting for them: a wait reads at once, and since a watch begins
   * with the objects as they are, a change between that read and the watch's start still wakes it.
   */
  constructor(watch: Watch, objects: WatchedObjects[]) {
    this.started = Promise.all(objects.map((o) => this.add(watch, o))).then(() => undefined);
  }

  /** True unless a watch failed, ended or did not start: only then may a wait read rarely. */
  get live(): boolean {
    return !this.ended;
  }

  /** Resolves at the next change (at once if one came since the last call), or after `ms`. */
  next(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake = undefined;
        this.changed = false;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake = done;
      if (this.changed) done();
    });
  }

  stop(): void {
    this.ended = true;
    this.stopped = true;
    for (const c of this.controllers) c.abort();
  }

  private async add(watch: Watch, { path, ...selectors }: WatchedObjects): Promise<void> {
    const notify = () => {
      this.changed = true;
      this.wake?.();
    };
    const end = () => {
      this.ended = true;
      notify();
    };
    const started = watch.watch(path, selectors, notify, end).then((controller) => {
      this.controllers.push(controller);
      if (this.stopped) controller.abort();
    }, end);
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<void>((resolve) => {
      timer = setTimeout(() => resolve(end()), START_TIMEOUT_MS);
    });
    await Promise.race([started, late]);
    clearTimeout(timer);
  }
}

/** Starts a feed of the objects in a cluster; the caller stops it. */
export type WatchChanges = (cluster: string, objects: WatchedObjects[]) => ChangeFeed;

export function watchChanges(clusters: Clusters): WatchChanges {
  return (cluster, objects) =>
    new ChangeFeed(new Watch(clusters.apis(cluster).kubeConfig), objects);
}

/** Runs `wait` with a feed of `objects` when the worker can watch them, and stops the feed after. */
export async function withChanges<T>(
  watch: WatchChanges | undefined,
  cluster: string,
  objects: WatchedObjects[],
  wait: (changes?: ChangeFeed) => Promise<T>,
): Promise<T> {
  const changes = watch?.(cluster, objects);
  try {
    return await wait(changes);
  } finally {
    changes?.stop();
  }
}

/** The activity sleeps `ms`, or less if a live feed reports a change first; cancellation ends it. */
export function sleepOrChange(ms: number, changes?: ChangeFeed): Promise<void> {
  const ctx = Context.current();
  return changes?.live ? Promise.race([changes.next(ms), ctx.cancelled]) : ctx.sleep(ms);
}
