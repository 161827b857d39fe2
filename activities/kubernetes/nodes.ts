// Node facts, cordon and uncordon. Cordon records its owner (the top-level operation's run, see
// workflows/policy/cordon-owner.ts) so that an uncordon never frees a node that someone else, or
// another operation, cordoned. A record on a schedulable node is stale: replaced or cleared.
import { PatchStrategy, setHeaderOptions, type V1Node } from '@kubernetes/client-node';
import { invalidInput } from '../../workflows/api';
import { orNotFound } from './api-errors';
import type { Clusters } from './clusters';
import { currentOperation, recordEvent } from './events';

export const CORDONED_BY_ANNOTATION = 'steward.dev/cordoned-by';

export interface NodeFacts {
  name: string;
  unschedulable: boolean;
  /** The cordon record: the Steward operation's run that cordoned the node, if one did. */
  cordonedBy?: string;
  ready: boolean;
  kubeletVersion: string;
  /** `status.nodeInfo.bootID`: changes whenever the host reboots and its kubelet registers. */
  bootId: string;
}

export interface CordonResult {
  /** True when this owner holds the cordon, whether it set it now or before (a retry). */
  cordonedBySteward: boolean;
  message: string;
}

export interface UncordonResult {
  uncordoned: boolean;
  message: string;
}

const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

export function nodeActivities(clusters: Clusters) {
  async function readNode(cluster: string, name: string): Promise<V1Node> {
    const node = await orNotFound(clusters.apis(cluster).core.readNode({ name }));
    if (!node) throw invalidInput('node', `no node "${name}" in cluster "${cluster}"`);
    return node;
  }

  /** Sets (or with null, removes) the cordon record and the cordon itself in one patch. */
  function patchCordon(
    cluster: string,
    node: V1Node,
    change: { cordonedBy: string | null; unschedulable?: true | null },
  ): Promise<V1Node> {
    const body = {
      // resourceVersion makes the patch fail with 409 if the node changed since it was read.
      metadata: {
        resourceVersion: node.metadata?.resourceVersion,
        annotations: { [CORDONED_BY_ANNOTATION]: change.cordonedBy },
      },
      ...(change.unschedulable !== undefined && { spec: { unschedulable: change.unschedulable } }),
    };
    return clusters.apis(cluster).core.patchNode({ name: node.metadata!.name!, body }, mergePatch);
  }

  return {
    async describeNode({ cluster, node }: { cluster: string; node: string }): Promise<NodeFacts> {
      const n = await readNode(cluster, node);
      return {
        name: node,
        unschedulable: n.spec?.unschedulable === true,
        cordonedBy: n.metadata?.annotations?.[CORDONED_BY_ANNOTATION],
        ready:
          n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false,
        kubeletVersion: n.status?.nodeInfo?.kubeletVersion ?? '',
        bootId: n.status?.nodeInfo?.bootID ?? '',
      };
    },

    async cordonNode(args: {
      cluster: string;
      node: string;
      owner: string;
    }): Promise<CordonResult> {
      const n = await readNode(args.cluster, args.node);
      const holder = n.metadata?.annotations?.[CORDONED_BY_ANNOTATION];
      if (n.spec?.unschedulable) {
        if (holder === args.owner)
          return { cordonedBySteward: true, message: 'already cordoned by this operation' };
        // Never adopted: the record may be stale (kept by `kubectl uncordon`) under a person's cordon.
        return {
          cordonedBySteward: false,
          message: holder
            ? `already cordoned, recorded as ${holder} (not this operation); it stays as it is`
            : 'already cordoned by someone else; it stays theirs to uncordon',
        };
      }
      await patchCordon(args.cluster, n, { cordonedBy: args.owner, unschedulable: true });
      await recordEvent(clusters.apis(args.cluster).core, {
        object: { kind: 'Node', name: args.node },
        reason: 'Cordon',
        message: `Cordoned by Steward for ${currentOperation()}`,
        key: args.owner,
      });
      return {
        cordonedBySteward: true,
        message: holder ? `cordoned (the stale record of ${holder} replaced)` : 'cordoned',
      };
    },

    /**
     * Uncordons when `owner` (the record the caller expects: its own run, or the record the
     * uncordon operation read) holds the cordon, or when forced. A schedulable node's record is
     * cleared: it is stale.
     */
    async uncordonNode(args: {
      cluster: string;
      node: string;
      owner: string | undefined;
      force?: boolean;
    }): Promise<UncordonResult> {
      const n = await readNode(args.cluster, args.node);
      const holder = n.metadata?.annotations?.[CORDONED_BY_ANNOTATION];
      if (!n.spec?.unschedulable) {
        if (holder) await patchCordon(args.cluster, n, { cordonedBy: null });
        return { uncordoned: false, message: 'not cordoned; nothing to do' };
      }
      const held = holder !== undefined && holder === args.owner;
      if (!held && !args.force) {
        const by = holder ? `recorded as ${holder}` : 'by someone other than Steward';
        const mine = args.owner ? `, not by ${args.owner}` : '';
        return {
          uncordoned: false,
          message: `cordoned ${by}${mine}; left cordoned (force overrides)`,
        };
      }
      await patchCordon(args.cluster, n, { cordonedBy: null, unschedulable: null });
      await recordEvent(clusters.apis(args.cluster).core, {
        object: { kind: 'Node', name: args.node },
        reason: 'Uncordon',
        message: `Uncordoned by Steward for ${currentOperation()}${held ? '' : ' (forced)'}`,
        key: `${holder ?? 'none'} ${currentOperation()}`,
      });
      return {
        uncordoned: true,
        message: held ? `uncordoned (cordoned by ${holder})` : 'uncordoned (forced)',
      };
    },
  };
}
