'use server';

import { z } from 'zod';
import { defineAction } from '@/lib/actions/define-action';
import { setRecoverySettings } from '@/lib/recovery/settings';

// The fields are parsed in the domain (the grace's cap comes from the configuration).
export const setRecoverySettingsAction = defineAction(
  { name: 'recovery.settings', role: 'security', schema: z.object({ checklist: z.string().max(5000), graceHours: z.string().max(10) }), revalidate: ['/admin/program', '/admin/recovery'] },
  async (actor, input) => setRecoverySettings(actor, input),
);
