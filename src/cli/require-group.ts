import type { CoordinatorClient } from '../coordinator/client.js';
import type { GroupStatus } from '../coordinator/types.js';
import { CohortError, ErrorCode } from '../core/errors.js';

/** The coordinator's status of one group; UnknownGroup when it has never heard of it. */
export async function requireGroup(client: CoordinatorClient, name: string): Promise<GroupStatus> {
  const reply = await client.status();
  const group = reply.groups.find((candidate) => candidate.name === name);
  if (group !== undefined) return group;
  throw unknownGroup(
    name,
    reply.groups.map((candidate) => candidate.name),
  );
}

export function unknownGroup(name: string, known: readonly string[]): CohortError {
  const hint =
    known.length === 0 ? 'the coordinator knows no groups' : `known: ${known.join(', ')}`;
  return new CohortError(
    ErrorCode.UnknownGroup,
    `unknown group "${name}" (${hint}); see cohortctl status`,
    {
      details: { group: name },
    },
  );
}
