import { EXEC_RUNC, type RuntimeContext, type Verdict } from '../context.js';

export async function restore(_context: RuntimeContext): Promise<Verdict> {
  return EXEC_RUNC;
}
