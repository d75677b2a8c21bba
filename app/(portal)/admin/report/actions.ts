'use server';

import { z } from 'zod';
import { redirect } from 'next/navigation';
import { defineAction } from '@/lib/actions/define-action';
import type { ActionResult } from '@/lib/actions/result';
import { generateValidationReport } from '@/lib/inventory/report';

export const generateReportAction = defineAction({ name: 'report.generate', role: 'admin', schema: z.object({}) }, async (actor): Promise<ActionResult> => {
  const { id } = await generateValidationReport(actor);
  redirect(`/admin/report?id=${id}`);
});
