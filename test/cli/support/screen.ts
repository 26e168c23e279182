import xterm from '@xterm/headless';

/**
 * What a terminal of this size shows once `output` is written to it: a real terminal emulator
 * (xterm.js, headless), with the line discipline's \n -> \r\n, read back row by row.
 */
export async function renderScreen(output: string, columns: number, rows = 24): Promise<string[]> {
  const terminal = new xterm.Terminal({
    cols: columns,
    rows,
    convertEol: true,
    allowProposedApi: true,
  });
  await new Promise<void>((resolve) => terminal.write(output, resolve));
  const buffer = terminal.buffer.active;
  const screen: string[] = [];
  for (let row = 0; row < buffer.length; row += 1) {
    screen.push(buffer.getLine(row)?.translateToString(true) ?? '');
  }
  terminal.dispose();
  while (screen.at(-1) === '') screen.pop();
  return screen;
}

/** The rows `lines` take on a terminal `columns` wide. */
export function rowsOf(lines: readonly string[], columns: number): string[] {
  return lines.flatMap((line) => {
    const rows: string[] = [];
    for (let at = 0; at === 0 || at < line.length; at += columns)
      rows.push(line.slice(at, at + columns).trimEnd());
    return rows;
  });
}
