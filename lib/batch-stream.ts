/**
 * A download streamed from batches read on demand: `pull()` asks the source for the next batch only when the
 * consumer has taken the last one (backpressure: a slow client slows the reads), and `cancel()` closes the source,
 * so a download given up reads nothing more. The inventory and audit exports go through it.
 */
export type BatchWriter<T> = {
  /** Written first, before any batch is read (a CSV header, "[" of a JSON array). */
  head: string;
  /** One row's text; `index` counts rows across batches (a JSON separator before every row but the first). */
  row: (row: T, index: number) => string;
  /** Written after the last batch. */
  tail?: string;
};

export function batchStream<T>(batches: AsyncGenerator<T[]>, writer: BatchWriter<T>): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let written = 0;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(encoder.encode(writer.head));
    },
    async pull(controller) {
      const next = await batches.next();
      if (next.done) {
        if (writer.tail) controller.enqueue(encoder.encode(writer.tail));
        controller.close();
      } else controller.enqueue(encoder.encode(next.value.map((r) => writer.row(r, written++)).join('')));
    },
    async cancel() {
      await batches.return(undefined);
    },
  });
}
