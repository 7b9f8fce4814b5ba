/**
 * CSV text → header and rows of trimmed cells, each row with its 1-based file line (header
 * line = row 1 when it is the first line). Parsing itself (quotes, embedded commas) is csv-parse's.
 */
// csv-parse's browser build: plain ESM with its own Buffer, so parsing works the same in Node,
// browsers and Web Workers (its Node entry needs the global Buffer).
import { CsvError, parse } from 'csv-parse/browser/esm/sync';
import type { DataProblems } from './data-problems.ts';

/** One data row: its cells (trimmed, one per header column) and its 1-based file line. */
export interface CsvRow {
  readonly row: number;
  readonly cells: readonly string[];
}

/** The header (as written, trimmed, a leading `#` removed) and the data rows. */
export interface CsvTable {
  readonly header: readonly string[];
  readonly headerRow: number;
  readonly rows: readonly CsvRow[];
}

/**
 * Splits comma-separated text into a header and data rows. Blank lines and lines of empty cells
 * are skipped; rows whose first cell starts with `#` are comments (NONMEM's default `IGNORE=#`),
 * each skipped data row reported as a `CommentRow` warning naming it, except that the header may
 * start with `#` too (a common way to hide it from NM-TRAN): before the header, a `#` line
 * naming an ID column is the header (and other `#` lines there are skipped quietly).
 * Rows must have as many cells as the header (extra cells are allowed only when empty, as a
 * trailing comma gives).
 */
export function readCsvTable(text: string, problems: DataProblems): CsvTable {
  // csv-parse takes its record delimiter from the first line; mixed line endings would then
  // merge lines, so normalise them first (line count unchanged).
  const normalised = text.replace(/\r\n?/g, '\n');
  let records: { record: string[]; info: { lines: number } }[];
  try {
    // With `info: true` each record comes as { record, info } (the typings do not say so).
    records = parse(normalised, {
      bom: true,
      info: true,
      relax_column_count: true,
      skip_empty_lines: true,
      // Blanks around delimiters, so that `1, "2"` parses.
      trim: true,
    }) as unknown as typeof records;
  } catch (e) {
    if (e instanceof CsvError) {
      const line = typeof e.lines === 'number' ? e.lines : 1;
      throw problems.error(line, undefined, `cannot parse the CSV text: ${e.message}`);
    }
    throw e;
  }

  let header: string[] | undefined;
  let headerRow = 0;
  const rows: CsvRow[] = [];
  for (const { record, info } of records) {
    const cells = record.map((c) => c.trim());
    if (cells.every((c) => c === '')) continue;
    // info.lines is the line the record ends on; quoted newlines inside it move its start up.
    const row = info.lines - record.reduce((n, c) => n + (c.split('\n').length - 1), 0);
    if (header === undefined) {
      if (cells[0].startsWith('#')) {
        cells[0] = cells[0].replace(/^#\s*/, '');
        // Comment lines may precede a `#`-header; the header is the one naming ID.
        if (!cells.some((c) => c.toUpperCase() === 'ID')) continue;
      }
      header = cells;
      headerRow = row;
      continue;
    }
    if (cells[0].startsWith('#')) {
      // NONMEM's IGNORE=# rule, but said aloud: an ID such as #12 in the first column is
      // otherwise a subject that silently disappears.
      const line = cells.join(',');
      problems.warn(
        'CommentRow',
        row,
        undefined,
        `the row starts with "#" and is skipped as a comment (NONMEM's IGNORE=#): ` +
          (line.length > 60 ? `${line.slice(0, 57)}...` : line),
      );
      continue;
    }
    if (cells.length < header.length) {
      throw problems.error(
        row,
        undefined,
        `the row has ${cells.length} cells but the header has ${header.length} columns`,
      );
    }
    const extra = cells.findIndex((c, j) => j >= header!.length && c !== '');
    if (extra >= 0) {
      throw problems.error(
        row,
        `${extra + 1}`,
        `the row has a value "${cells[extra]}" beyond the header's ${header.length} columns`,
      );
    }
    rows.push({ row, cells: cells.slice(0, header.length) });
  }
  if (header === undefined) throw problems.error(1, undefined, 'the data have no header row');
  return { header, headerRow, rows };
}
