import { readCsv } from '../lib/csv';

/** The CSV reader for tests (csv-parse through lib/csv): checks that what the portal writes reads back. */
export const parseCsv = (text: string): string[][] => readCsv(text);
