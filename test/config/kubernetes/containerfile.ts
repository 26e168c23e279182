import { readConfigFile } from '../paths.js';

export const CONTAINERFILE = 'kubernetes/Containerfile';

/** One instruction: `COPY bin bin` is { keyword: 'COPY', words: ['bin', 'bin'], text: 'bin bin' }. */
export interface Instruction {
  keyword: string;
  words: string[];
  text: string;
}

/** The Containerfile's stages, each a list of instructions from its FROM on. */
export function readStages(): Instruction[][] {
  const stages: Instruction[][] = [];
  for (const raw of readConfigFile(CONTAINERFILE).split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    if (line.endsWith('\\'))
      throw new Error(`${CONTAINERFILE}: continuation lines are not read here`);
    const [keyword = '', ...words] = line.split(/\s+/);
    const instruction = { keyword: keyword.toUpperCase(), words, text: words.join(' ') };
    if (instruction.keyword === 'FROM') stages.push([]);
    stages.at(-1)?.push(instruction);
  }
  return stages;
}

/** The last instruction with this keyword in a stage. */
export function lastOf(stage: readonly Instruction[], keyword: string): Instruction | undefined {
  return stage.filter((instruction) => instruction.keyword === keyword).at(-1);
}
