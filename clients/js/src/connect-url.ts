import type { StreamPositions } from "./positions.js";

export interface ConnectTarget {
  url: string;
  /** What this connect resumes, so that the welcome's positions for those streams are not taken as the client's. */
  resumes: { user: boolean; groups: Set<string> };
}

/**
 * The upgrade URL for one attempt: the user (without tokens), the token, and every group the client holds, each
 * resumed from its position when it has one (`resume_groups`) and joined plainly when not (`groups`).
 */
export function connectTarget(
  base: string,
  identity: { userId: string | undefined; token: string | undefined },
  groups: Iterable<string>,
  positions: StreamPositions,
): ConnectTarget {
  const url = new URL(base);
  const query = url.searchParams;
  if (identity.userId !== undefined) query.set("user_id", identity.userId);
  if (identity.token !== undefined) query.set("access_token", identity.token);

  const user = positions.userPosition();
  if (user) query.set("resume", `${user.epoch}:${user.seq}`);

  const plain: string[] = [];
  const resumed: string[] = [];
  const resumedGroups = new Set<string>();
  for (const group of groups) {
    const position = positions.groupPosition(group);
    if (position) {
      resumed.push(`${group}:${position.epoch}:${position.seq}`);
      resumedGroups.add(group);
    } else {
      plain.push(group);
    }
  }
  if (plain.length > 0) query.set("groups", plain.join(","));
  if (resumed.length > 0) query.set("resume_groups", resumed.join(","));
  return { url: url.toString(), resumes: { user: user !== undefined, groups: resumedGroups } };
}
