/** What a log of consecutive numbers shows: where it starts and ends, and what broke it. */
export interface SequenceReport {
  first?: number;
  last?: number;
  count: number;
  gaps: string[];
  repeats: number[];
}

/** Reads one number per line and reports every gap and every repeat. Pure. */
export function checkSequence(text: string): SequenceReport {
  const numbers = text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => Number(line.trim()));
  const report: SequenceReport = { count: numbers.length, gaps: [], repeats: [] };
  const seen = new Set<number>();
  numbers.forEach((value, index) => {
    if (seen.has(value)) report.repeats.push(value);
    seen.add(value);
    const previous = numbers[index - 1];
    if (previous !== undefined && value > previous + 1) {
      report.gaps.push(`${previous + 1}..${value - 1}`);
    }
  });
  if (numbers.length > 0) {
    report.first = numbers[0];
    report.last = numbers[numbers.length - 1];
  }
  return report;
}

export function isUnbroken(report: SequenceReport): boolean {
  return (
    report.count > 0 &&
    report.first === 1 &&
    report.gaps.length === 0 &&
    report.repeats.length === 0
  );
}
