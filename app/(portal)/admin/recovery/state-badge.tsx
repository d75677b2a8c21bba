import { Badge, type BadgeTone } from '@/components/ui/badge';
import type { RecoveryView } from '@/lib/recovery/state';

const label: Record<RecoveryView['state'], [string, BadgeTone]> = {
  reported: ['Waiting for verification', 'info'],
  approved: ['In grace', 'neutral'],
  rejected: ['Rejected', 'bad'],
  completed: ['New device enrolled', 'good'],
  expired: ['Grace ended', 'neutral'],
  cancelled: ['Cancelled', 'neutral'],
};

export function RecoveryStateBadge({ recovery }: { recovery: Pick<RecoveryView, 'state' | 'graceMissing'> }) {
  if (recovery.graceMissing) return <Badge tone="bad">Deactivated, no grace</Badge>;
  const [text, tone] = label[recovery.state];
  return <Badge tone={tone}>{text}</Badge>;
}
