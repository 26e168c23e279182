import type { HookReply, HookRequest, HookService } from '../../session/hook-service.js';

/**
 * Answers one line of hooks/criu-action ("nonce action pid") with "nonce code message"; with no
 * session waiting, or a handler that throws, the answer is a refusal: the hook fails closed.
 */
export async function answerHook(
  line: string,
  hook: HookService | undefined,
  reply: (line: string) => void,
): Promise<void> {
  const [nonce, action, pid] = line.split(/\s+/);
  if (nonce === undefined || action === undefined) return;
  const request: HookRequest = { action };
  const initPid = Number(pid);
  if (Number.isInteger(initPid) && initPid > 0) request.initPid = initPid;
  let answer: HookReply;
  if (hook === undefined) {
    answer = { exitCode: 1, message: 'no session is waiting for this hook; failing closed' };
  } else {
    try {
      answer = await hook.handler(request);
    } catch (error) {
      answer = { exitCode: 1, message: error instanceof Error ? error.message : String(error) };
    }
  }
  reply(`${nonce} ${answer.exitCode} ${answer.message.replace(/\s+/g, ' ')}`);
}
