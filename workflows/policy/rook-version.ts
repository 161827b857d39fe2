// Which Rook and Ceph versions a storage upgrade may move to: Rook one minor at a time and never
// down (Rook supports upgrades from the previous minor only); Ceph images compared by the
// version in their tag (quay.io/ceph/ceph:v18.2.4, v18.2.2-20240311), never down.

export interface RookVersion {
  major: number;
  minor: number;
  patch: number;
}

export const parseRookVersion = (text: string): RookVersion | undefined => {
  const m = /^v(\d+)\.(\d+)\.(\d+)$/.exec(text);
  return m ? { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]) } : undefined;
};

export interface CephImage {
  /** Everything before the tag: quay.io/ceph/ceph. */
  repository: string;
  tag: string;
  major: number;
  minor: number;
  patch: number;
  /** The build date of a full-version-and-build tag (v18.2.2-20240311), else 0. */
  build: number;
}

/** quay.io/ceph/ceph:v18.2.4 → its parts; undefined for an image without a version tag. */
export function parseCephImage(image: string): CephImage | undefined {
  const m = /^([^\s@:]+(?::\d+)?(?:\/[^\s@:]+)*):(v?(\d+)\.(\d+)\.(\d+)(?:-(\d+))?)$/.exec(image);
  if (!m) return undefined;
  const [, repository, tag, major, minor, patch, build] = m;
  return {
    repository,
    tag,
    major: Number(major),
    minor: Number(minor),
    patch: Number(patch),
    build: Number(build ?? 0),
  };
}

/** Why `text` is no Rook version, or undefined when it is one. */
export const notRookVersion = (text: string): string | undefined =>
  parseRookVersion(text) ? undefined : `"${text}" is not a Rook version like v1.15.3`;

/** Why `image` is no Ceph image tagged with its version, or undefined when it is one. */
export const notCephImage = (image: string): string | undefined =>
  parseCephImage(image)
    ? undefined
    : `"${image}" is not a Ceph image tagged with its version, like quay.io/ceph/ceph:v18.2.4`;

/** Allowed: a change to make (`noop`: already there); refused: the field to blame and why. */
export type VersionStep =
  { ok: true; noop: boolean } | { ok: false; field: string; reason: string };

const refuse = (field: string, reason: string): VersionStep => ({ ok: false, field, reason });

/** May the Rook operator go from `current` (what runs) to `target`? */
export function rookUpgradeStep(current: string, target: string, field = 'rook'): VersionStep {
  const t = parseRookVersion(target);
  if (!t) return refuse(field, notRookVersion(target)!);
  const c = parseRookVersion(current);
  if (!c) return refuse('cluster', `the running Rook version "${current}" is not a version`);
  const order = c.major - t.major || c.minor - t.minor || c.patch - t.patch;
  if (order === 0) return { ok: true, noop: true };
  if (order > 0) return refuse(field, `${target} would downgrade Rook from ${current}`);
  if (t.major !== c.major) {
    return refuse(field, `a major Rook change (${current} → ${target}) is not supported`);
  }
  if (t.minor > c.minor + 1) {
    return refuse(
      field,
      `Rook upgrades one minor at a time: ${current} → v${c.major}.${c.minor + 1}.x first, not ${target}`,
    );
  }
  return { ok: true, noop: false };
}

/** May the CephCluster go from image `current` to image `target`? */
export function cephImageStep(current: string, target: string, field = 'ceph'): VersionStep {
  const t = parseCephImage(target);
  if (!t) return refuse(field, notCephImage(target)!);
  if (current === target) return { ok: true, noop: true };
  const c = parseCephImage(current);
  if (!c) return refuse('cluster', `the running Ceph image "${current}" has no version tag`);
  const order = c.major - t.major || c.minor - t.minor || c.patch - t.patch || c.build - t.build;
  if (order > 0) return refuse(field, `${target} would downgrade Ceph from ${current}`);
  if (order === 0 && c.repository === t.repository) return { ok: true, noop: true };
  return { ok: true, noop: false };
}
